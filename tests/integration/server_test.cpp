// The real server, over real TLS on 127.0.0.1: every test starts a fresh
// `clueline serve` process and ends by stopping it with SIGTERM, asserting a
// clean exit and no sanitizer report.
#include <gtest/gtest.h>
#include <openssl/ssl.h>
#include <sys/wait.h>

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json/parse.hpp>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <regex>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "https_client.hpp"
#include "server_process.hpp"

namespace clueline::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;

Request make_request(http::verb method, std::string target, std::string body = {}) {
  Request request{method, target, 11};
  request.set(http::field::host, "localhost");
  if (!body.empty()) {
    request.set(http::field::content_type, "application/json");
    request.body() = std::move(body);
  }
  request.prepare_payload();
  return request;
}

// A TLS client that trusts exactly the test server's certificate and checks
// the host name, with the protocol range under the test's control.
class TlsClient {
 public:
  TlsClient(const std::filesystem::path& certificate, int min_version, int max_version)
      : context_(ssl::context::tls_client) {
    context_.load_verify_file(certificate.string());
    context_.set_verify_mode(ssl::verify_peer);
    SSL_CTX_set_min_proto_version(context_.native_handle(), min_version);
    SSL_CTX_set_max_proto_version(context_.native_handle(), max_version);
    // Level 0 lets this client offer TLS 1.1, so a refusal is the server's.
    SSL_CTX_set_security_level(context_.native_handle(), 0);
  }

  // Connects and handshakes, offering `resume` if given; returns the error
  // if the handshake fails.
  boost::system::error_code connect(std::uint16_t port, SSL_SESSION* resume = nullptr) {
    stream_.emplace(io_, context_);
    stream_->set_verify_callback(ssl::host_name_verification("localhost"));
    SSL_set_tlsext_host_name(stream_->native_handle(), "localhost");
    if (resume != nullptr) SSL_set_session(stream_->native_handle(), resume);
    beast::get_lowest_layer(*stream_).connect(
        tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    boost::system::error_code ec;
    stream_->handshake(ssl::stream_base::client, ec);
    return ec;
  }

  Response send(const Request& request) {
    http::write(*stream_, request);
    Response response;
    http::read(*stream_, buffer_, response);
    return response;
  }

  // Sends raw bytes and reads one response.
  Response send_raw(const std::string& bytes) {
    asio::write(*stream_, asio::buffer(bytes));
    Response response;
    http::read(*stream_, buffer_, response);
    return response;
  }

  ssl::stream<beast::tcp_stream>& stream() { return *stream_; }

 private:
  asio::io_context io_;
  ssl::context context_;
  std::optional<ssl::stream<beast::tcp_stream>> stream_;
  beast::flat_buffer buffer_;
};

boost::json::value json_body(const Response& response) {
  return boost::json::parse(response.body());
}

void expect_security_headers(const Response& response, bool tls) {
  const std::string csp{response["Content-Security-Policy"]};
  EXPECT_NE(csp.find("default-src 'none'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << csp;
  EXPECT_EQ(response["Referrer-Policy"], "no-referrer");
  EXPECT_EQ(response["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(response[http::field::x_frame_options], "DENY");
  if (tls) {
    EXPECT_NE(response[http::field::strict_transport_security].find("max-age="), std::string::npos);
  }
  EXPECT_EQ(response.find(http::field::server), response.end());
}

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    server_.emplace(std::string(info->test_suite_name()) + "." + info->name(), options());
  }

  // Every test ends with a graceful stop that must be clean.
  void TearDown() override {
    const int status = server_->terminate(std::chrono::seconds(20));
    const std::string log = server_->stderr_text();
    ASSERT_NE(status, -1) << "server did not stop within 20 s after SIGTERM\n" << log;
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "status " << status << "\n"
                                                               << log;
    EXPECT_EQ(log.find("Sanitizer"), std::string::npos) << log;
    EXPECT_EQ(log.find("runtime error"), std::string::npos) << log;
    EXPECT_NE(log.find("clueline: stopped"), std::string::npos) << log;
    // The access log never holds a client address.
    EXPECT_EQ(server_->access_log_text().find("127.0.0.1"), std::string::npos);
  }

  virtual ServerOptions options() const { return {}; }

  TlsClient tls_client() const {
    return TlsClient(server_->certificate(), TLS1_2_VERSION, TLS1_3_VERSION);
  }

  std::optional<ServerProcess> server_;
};

// SIGTERM must reach the sigwait of the main thread, which drains and exits
// 0. A thread started before the mask was set (RocksDB starts its own with
// the first database it opens) would let the kernel deliver the signal
// there and kill the process with the signal's default action.
TEST_F(ServerTest, EveryThreadBlocksTerminationSignals) {
  const std::filesystem::path tasks = "/proc/" + std::to_string(server_->pid()) + "/task";
  const unsigned long long wanted = (1ull << (SIGTERM - 1)) | (1ull << (SIGINT - 1));
  int threads = 0;
  int rocksdb_threads = 0;
  for (const auto& task : std::filesystem::directory_iterator(tasks)) {
    // The main thread sits in sigwait, during which the kernel shows the
    // awaited signals as unblocked.
    if (task.path().filename() == std::to_string(server_->pid())) continue;
    std::ifstream comm(task.path() / "comm");
    std::string name;
    std::getline(comm, name);
    std::ifstream status(task.path() / "status");
    std::string line;
    unsigned long long blocked = 0;
    bool found = false;
    while (std::getline(status, line)) {
      if (line.rfind("SigBlk:", 0) == 0) {
        blocked = std::stoull(line.substr(7), nullptr, 16);
        found = true;
      }
    }
    ASSERT_TRUE(found) << task.path();
    EXPECT_EQ(blocked & wanted, wanted) << "thread " << name << " (" << task.path().filename()
                                        << ") does not block SIGTERM and SIGINT";
    ++threads;
    if (name.rfind("rocksdb", 0) == 0) ++rocksdb_threads;
  }
  EXPECT_GT(threads, 3);  // network, group commit, blocking pool, RocksDB
  EXPECT_GT(rocksdb_threads, 0);
}

TEST_F(ServerTest, HealthzAnswersAlive) {
  const Response response = plain_get(server_->ops_port(), "/healthz");
  EXPECT_EQ(response.result(), http::status::ok);
  EXPECT_EQ(json_body(response).at("status"), "alive");
  expect_security_headers(response, false);
}

TEST_F(ServerTest, ReadyzReportsEachCheckByName) {
  const Response response = plain_get(server_->ops_port(), "/readyz");
  ASSERT_EQ(response.result(), http::status::ok) << response.body();
  const auto body = json_body(response);
  EXPECT_EQ(body.at("status"), "ready");
  for (const char* name : {"storage", "disk", "tls_certificate"}) {
    const auto& check = body.at("checks").at(name);
    EXPECT_EQ(check.at("ok"), true) << name;
    EXPECT_FALSE(check.at("detail").as_string().empty()) << name;
  }
}

TEST_F(ServerTest, MetricsAreValidPrometheusText) {
  TlsClient client = tls_client();
  ASSERT_FALSE(client.connect(server_->public_port()));
  ASSERT_EQ(client.send(make_request(http::verb::get, "/")).result(), http::status::ok);

  const Response response = plain_get(server_->ops_port(), "/metrics");
  ASSERT_EQ(response.result(), http::status::ok);
  EXPECT_NE(response[http::field::content_type].find("text/plain"), std::string::npos);
  const std::regex sample(
      R"(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="[^"]*",?)*\})? (-?[0-9.eE+-]+|NaN|\+Inf|-Inf)$)");
  const std::regex comment(R"(^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$)");
  std::istringstream lines(response.body());
  std::string line;
  int samples = 0;
  while (std::getline(lines, line)) {
    if (line.starts_with("#")) {
      EXPECT_TRUE(std::regex_match(line, comment)) << line;
    } else {
      EXPECT_TRUE(std::regex_match(line, sample)) << line;
      ++samples;
    }
  }
  EXPECT_GT(samples, 10);
  const std::string& text = response.body();
  EXPECT_NE(
      text.find(R"(clueline_http_requests_total{listener="public",route="index",status="200"} 1)"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("clueline_http_request_duration_seconds_bucket{listener=\"public\",route="
                      "\"index\",le=\"+Inf\"} 1"),
            std::string::npos);
  EXPECT_NE(text.find("clueline_open_connections{listener=\"public\"} 1"), std::string::npos);
  EXPECT_NE(text.find("clueline_rocksdb_estimate_num_keys"), std::string::npos);
  EXPECT_NE(text.find("# TYPE clueline_group_commit_submissions_total counter"), std::string::npos);
}

// A scrape after both listeners have answered, checked by a strict parser
// (prometheus_client: each family once, contiguous, counters end in _total)
// and by `promtool check metrics` (Prometheus's own linter).
TEST_F(ServerTest, MetricsPassAStrictParserAndPromtool) {
  TlsClient client = tls_client();
  ASSERT_FALSE(client.connect(server_->public_port()));
  ASSERT_EQ(client.send(make_request(http::verb::get, "/")).result(), http::status::ok);
  ASSERT_EQ(plain_get(server_->ops_port(), "/healthz").result(), http::status::ok);
  ASSERT_EQ(plain_get(server_->ops_port(), "/metrics").result(), http::status::ok);
  const Response response = plain_get(server_->ops_port(), "/metrics");
  ASSERT_EQ(response.result(), http::status::ok);
  ASSERT_NE(response.body().find("listener=\"ops\",route=\"metrics\""), std::string::npos);

  const std::filesystem::path scratch = server_->data_dir().parent_path();
  const std::filesystem::path scrape = scratch / "scrape.txt";
  std::ofstream(scrape) << response.body();
  const auto run = [&](const std::string& command) {
    const std::filesystem::path output = scratch / "check-output.txt";
    const int status = std::system((command + " > '" + output.string() + "' 2>&1").c_str());
    return std::make_pair(WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(output));
  };
  const auto [parsed, parser_output] =
      run(std::string("/usr/bin/python3 ") + CLUELINE_SOURCE_DIR +
          "/tests/integration/check_exposition.py '" + scrape.string() + "'");
  EXPECT_EQ(parsed, 0) << parser_output << response.body();
  const auto [linted, promtool_output] = run("promtool check metrics < '" + scrape.string() + "'");
  EXPECT_EQ(linted, 0) << promtool_output << response.body();
}

// The console is one page at /console/ (and /console), whose module scripts
// come from the content-addressed root, never inline.
TEST_F(ServerTest, ConsolePageIsServedWithItsModulesFromTheStaticRoot) {
  TlsClient client = tls_client();
  ASSERT_FALSE(client.connect(server_->public_port()));
  for (const std::string path : {"/console/", "/console"}) {
    const Response response = client.send(make_request(http::verb::get, path));
    EXPECT_EQ(response.result(), http::status::ok) << path;
    EXPECT_EQ(response[http::field::content_type], "text/html; charset=utf-8") << path;
    EXPECT_EQ(response[http::field::cache_control], "no-store") << path;
    EXPECT_EQ(response.body().find("<script>"), std::string::npos) << path;
    std::smatch module;
    ASSERT_TRUE(std::regex_search(
        response.body(), module,
        std::regex(
            R"re(<script type="module" src="(/static/[0-9a-f]{16}/console/[a-z-]+\.mjs)")re")))
        << response.body();
    const Response script = client.send(make_request(http::verb::get, module[1].str()));
    EXPECT_EQ(script.result(), http::status::ok) << module[1];
    EXPECT_EQ(script[http::field::content_type], "text/javascript; charset=utf-8");
    expect_security_headers(response, true);
  }
}

TEST_F(ServerTest, LandingPageOverTlsCarriesSecurityHeaders) {
  TlsClient client = tls_client();
  ASSERT_FALSE(client.connect(server_->public_port()));
  const Response response = client.send(make_request(http::verb::get, "/"));
  EXPECT_EQ(response.result(), http::status::ok);
  EXPECT_EQ(response[http::field::content_type], "text/html; charset=utf-8");
  EXPECT_NE(response.body().find("<html"), std::string::npos);
  EXPECT_EQ(response.body().find("<script>"), std::string::npos);
  EXPECT_EQ(response[http::field::cache_control], "no-store");
  expect_security_headers(response, true);

  // Keep-alive: a second request on the same connection, for the stylesheet
  // the page names under its content-addressed root.
  std::smatch link;
  ASSERT_TRUE(std::regex_search(response.body(), link,
                                std::regex(R"re(href="(/static/[0-9a-f]{16}/style\.css)")re")))
      << response.body();
  const Response stylesheet = client.send(make_request(http::verb::get, link[1].str()));
  EXPECT_EQ(stylesheet.result(), http::status::ok);
  EXPECT_EQ(stylesheet[http::field::content_type], "text/css; charset=utf-8");
  EXPECT_EQ(stylesheet[http::field::cache_control], "public, max-age=31536000, immutable");
  EXPECT_EQ(stylesheet[http::field::vary], "Accept-Encoding");
  EXPECT_EQ(stylesheet.count(http::field::content_encoding), 0U);
  EXPECT_NE(stylesheet.body().find("box-sizing"), std::string::npos);
  expect_security_headers(stylesheet, true);

  // The pre-compressed forms, by Accept-Encoding: gzip's magic bytes, and
  // brotli preferred when both are offered.
  Request gzip_request = make_request(http::verb::get, link[1].str());
  gzip_request.set(http::field::accept_encoding, "gzip");
  const Response gzipped = client.send(gzip_request);
  EXPECT_EQ(gzipped[http::field::content_encoding], "gzip");
  ASSERT_GE(gzipped.body().size(), 2U);
  EXPECT_EQ(gzipped.body().substr(0, 2), "\x1f\x8b");
  Request brotli_request = make_request(http::verb::get, link[1].str());
  brotli_request.set(http::field::accept_encoding, "gzip, deflate, br");
  const Response brotli = client.send(brotli_request);
  EXPECT_EQ(brotli[http::field::content_encoding], "br");
  EXPECT_LT(brotli.body().size(), stylesheet.body().size());

  // The root moves with the content; an old or guessed one is not served.
  EXPECT_EQ(client.send(make_request(http::verb::get, "/static/style.css")).result(),
            http::status::not_found);
}

TEST_F(ServerTest, UnknownRouteIs404Json) {
  TlsClient client = tls_client();
  ASSERT_FALSE(client.connect(server_->public_port()));
  const Response response = client.send(make_request(http::verb::get, "/no/such/thing?x=1"));
  EXPECT_EQ(response.result(), http::status::not_found);
  EXPECT_EQ(response[http::field::content_type], "application/json");
  const auto body = json_body(response);
  EXPECT_EQ(body.at("error").at("code"), "not_found");
  EXPECT_TRUE(body.at("error").at("message").is_string());
  expect_security_headers(response, true);
  // The connection stays usable after an error that consumed the request.
  EXPECT_EQ(client.send(make_request(http::verb::get, "/")).result(), http::status::ok);
}

TEST_F(ServerTest, WrongMethodIs405WithAllow) {
  TlsClient client = tls_client();
  ASSERT_FALSE(client.connect(server_->public_port()));
  const Response response = client.send(make_request(http::verb::delete_, "/"));
  EXPECT_EQ(response.result(), http::status::method_not_allowed);
  EXPECT_EQ(response[http::field::allow], "GET");
  EXPECT_EQ(json_body(response).at("error").at("code"), "method_not_allowed");
}

TEST_F(ServerTest, OversizeBodyIs413) {
  TlsClient client = tls_client();
  ASSERT_FALSE(client.connect(server_->public_port()));
  const Response response =
      client.send(make_request(http::verb::post, "/api/v1/reports", std::string(300 * 1024, 'x')));
  EXPECT_EQ(response.result(), http::status::payload_too_large);
  EXPECT_EQ(json_body(response).at("error").at("code"), "payload_too_large");
  EXPECT_FALSE(response.keep_alive());
}

TEST_F(ServerTest, OversizeHeadIs431) {
  TlsClient client = tls_client();
  ASSERT_FALSE(client.connect(server_->public_port()));
  Request request = make_request(http::verb::get, "/");
  request.set("X-Padding", std::string(16 * 1024, 'a'));
  const Response response = client.send(request);
  EXPECT_EQ(response.result(), http::status::request_header_fields_too_large);
  EXPECT_EQ(json_body(response).at("error").at("code"), "header_too_large");
}

TEST_F(ServerTest, MalformedRequestIs400) {
  TlsClient client = tls_client();
  ASSERT_FALSE(client.connect(server_->public_port()));
  const Response response =
      client.send_raw("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: zz\r\n\r\n");
  EXPECT_EQ(response.result(), http::status::bad_request);
  EXPECT_EQ(json_body(response).at("error").at("code"), "invalid_argument");
}

TEST_F(ServerTest, Tls11IsRefusedAndTls12And13Accepted) {
  TlsClient old_client(server_->certificate(), TLS1_1_VERSION, TLS1_1_VERSION);
  EXPECT_TRUE(old_client.connect(server_->public_port()));

  TlsClient tls12(server_->certificate(), TLS1_2_VERSION, TLS1_2_VERSION);
  ASSERT_FALSE(tls12.connect(server_->public_port()));
  EXPECT_STREQ(SSL_get_version(tls12.stream().native_handle()), "TLSv1.2");
  const std::string cipher = SSL_get_cipher_name(tls12.stream().native_handle());
  EXPECT_TRUE(cipher.find("GCM") != std::string::npos ||
              cipher.find("CHACHA20") != std::string::npos)
      << cipher;
  EXPECT_EQ(tls12.send(make_request(http::verb::get, "/")).result(), http::status::ok);

  TlsClient tls13(server_->certificate(), TLS1_3_VERSION, TLS1_3_VERSION);
  ASSERT_FALSE(tls13.connect(server_->public_port()));
  EXPECT_STREQ(SSL_get_version(tls13.stream().native_handle()), "TLSv1.3");
}

// Defect 8 of issue 16: a follow-up upload without an open session is
// refused on its head, before its body (up to a MiB) is read, and the
// connection closes. Before the fix the server waited for the body.
TEST_F(ServerTest, FollowUpUploadsWithoutASessionAreRefusedBeforeTheirBody) {
  const std::string made_up(43, 'A');  // 32 zero bytes: no such session
  for (const std::string& head : std::vector<std::string>{
           "PUT /api/v1/followup/attachments/0/0 HTTP/1.1\r\nHost: localhost\r\n"
           "Content-Type: application/octet-stream\r\nContent-Length: 1048576\r\n"
           "Authorization: Bearer " +
               made_up + "\r\n\r\n",
           "POST /api/v1/followup/messages HTTP/1.1\r\nHost: localhost\r\n"
           "Content-Type: application/octet-stream\r\nContent-Length: 200000\r\n\r\n"}) {
    TlsClient client = tls_client();
    ASSERT_FALSE(client.connect(server_->public_port()));
    const Response response = client.send_raw(head);
    EXPECT_EQ(response.result(), http::status::not_found);
    EXPECT_EQ(json_body(response).at("error").at("code"), "not_found");
    EXPECT_FALSE(response.keep_alive()) << "the unread body leaves the connection unusable";
  }
}

// A resumed TLS session would link a later visit to the connection that
// submitted a report: the public listener issues no tickets, caches no
// sessions, and a client that offers an old session gets a full handshake.
TEST_F(ServerTest, NoTlsSessionIsEverResumed) {
  for (const int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    TlsClient first(server_->certificate(), version, version);
    ASSERT_FALSE(first.connect(server_->public_port()));
    // TLS 1.3 tickets come after the handshake, with the first response.
    ASSERT_EQ(first.send(make_request(http::verb::get, "/")).result(), http::status::ok);
    SSL_SESSION* session = SSL_get1_session(first.stream().native_handle());
    ASSERT_NE(session, nullptr);
    EXPECT_FALSE(SSL_SESSION_has_ticket(session))
        << SSL_get_version(first.stream().native_handle());
    TlsClient second(server_->certificate(), version, version);
    ASSERT_FALSE(second.connect(server_->public_port(), session));
    EXPECT_FALSE(SSL_session_reused(second.stream().native_handle()))
        << SSL_get_version(second.stream().native_handle());
    EXPECT_EQ(second.send(make_request(http::verb::get, "/")).result(), http::status::ok);
    SSL_SESSION_free(session);
  }
}

TEST_F(ServerTest, ShutdownClosesIdleKeepAliveConnectionsPromptly) {
  TlsClient client = tls_client();
  ASSERT_FALSE(client.connect(server_->public_port()));
  ASSERT_EQ(client.send(make_request(http::verb::get, "/")).result(), http::status::ok);
  // The connection now idles in keep-alive (idle timeout 60 s); SIGTERM
  // must not wait for it.
  const auto started = std::chrono::steady_clock::now();
  const int status = server_->terminate(std::chrono::seconds(20));
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5));
  ASSERT_NE(status, -1);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  // TearDown's checks then run on the stopped process.
}

TEST_F(ServerTest, AccessLogHasOneLinePerRequestAndNoAddresses) {
  for (const char* target : {"/healthz", "/readyz", "/nope"})
    plain_get(server_->ops_port(), target);
  // Citizen routes and unknown public paths: the minute only, no size, no
  // duration; a supervisor route keeps its detail.
  TlsClient client = tls_client();
  ASSERT_FALSE(client.connect(server_->public_port()));
  for (const char* target : {"/", "/api/v1/route?site=x", "/elsewhere", "/api/v1/directory"}) {
    client.send(make_request(http::verb::get, target));
  }
  // A line is written once its response has been sent, so the client may
  // read the response first; stopping the server settles the log.
  ASSERT_NE(server_->terminate(std::chrono::seconds(20)), -1);
  const std::string log = server_->access_log_text();
  EXPECT_NE(log.find("ops GET route=healthz status=200"), std::string::npos) << log;
  EXPECT_NE(log.find("ops GET route=readyz status=200"), std::string::npos) << log;
  EXPECT_NE(log.find("ops GET route=unmatched status=404"), std::string::npos) << log;
  EXPECT_EQ(log.find("/nope"), std::string::npos) << "raw paths are not logged";
  EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 7);
  const std::regex coarse(
      R"(^\d{4}-\d\d-\d\dT\d\d:\d\dZ public GET route=(index|route|unmatched) status=\d{3}$)");
  const std::regex detailed(
      R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z public GET route=directory status=401 bytes=\d+ ms=[0-9.]+$)");
  std::istringstream lines(log);
  int coarse_lines = 0, detailed_lines = 0;
  for (std::string line; std::getline(lines, line);) {
    if (line.find(" public ") == std::string::npos) continue;
    if (std::regex_match(line, coarse)) ++coarse_lines;
    if (std::regex_match(line, detailed)) ++detailed_lines;
  }
  EXPECT_EQ(coarse_lines, 3) << log;
  EXPECT_EQ(detailed_lines, 1) << log;
}

// Defect 6 of issue 16: a full listener closes its oldest idle connection
// for a new one instead of refusing it, so sockets held open and idle
// cannot lock other clients out. One network thread, so that every
// connection is this worker's to close.
// Longer than the server's kEvictionGrace (2 s).
constexpr auto kPastEvictionGrace = std::chrono::milliseconds(2300);

class FullListenerTest : public ServerTest {
 protected:
  ServerOptions options() const override {
    return {.server_keys = "max_connections = 3\n", .threads = 1};
  }
};

TEST_F(FullListenerTest, ANewConnectionClosesTheOldestIdleOne) {
  std::vector<std::unique_ptr<TlsClient>> idle;
  for (int i = 0; i < 3; ++i) {
    idle.push_back(
        std::make_unique<TlsClient>(server_->certificate(), TLS1_2_VERSION, TLS1_3_VERSION));
    ASSERT_FALSE(idle.back()->connect(server_->public_port()));
    ASSERT_EQ(idle.back()->send(make_request(http::verb::get, "/")).result(), http::status::ok);
  }
  // The listener is full and they have waited past the grace; a fourth
  // client still gets in.
  std::this_thread::sleep_for(kPastEvictionGrace);
  TlsClient newcomer = tls_client();
  ASSERT_FALSE(newcomer.connect(server_->public_port()));
  EXPECT_EQ(newcomer.send(make_request(http::verb::get, "/")).result(), http::status::ok);
  // The first, idle longest, was closed; the second still works.
  std::array<char, 1> byte{};
  boost::system::error_code ec;
  idle.front()->stream().read_some(asio::buffer(byte), ec);
  EXPECT_TRUE(ec) << "the oldest idle connection is closed";
  EXPECT_EQ(idle[1]->send(make_request(http::verb::get, "/")).result(), http::status::ok);
  const std::string metrics = plain_get(server_->ops_port(), "/metrics").body();
  EXPECT_NE(metrics.find("clueline_connections_idle_closed_total{listener=\"public\"} 1"),
            std::string::npos)
      << metrics;
}

// Slowloris: connections that never finish a request head, or never start
// a handshake, are held open as well as idle ones, and are closed for a
// newcomer alike, oldest first.
TEST_F(FullListenerTest, SlowHeadsAndBareConnectsAreClosedForANewcomer) {
  std::vector<std::unique_ptr<TlsClient>> slow;
  for (int i = 0; i < 2; ++i) {
    slow.push_back(
        std::make_unique<TlsClient>(server_->certificate(), TLS1_2_VERSION, TLS1_3_VERSION));
    ASSERT_FALSE(slow.back()->connect(server_->public_port()));
    asio::write(slow.back()->stream(), asio::buffer(std::string_view("GET / HTTP/1.1\r\nHo")));
  }
  asio::io_context io;
  tcp::socket bare(io);
  bare.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server_->public_port()));
  std::this_thread::sleep_for(kPastEvictionGrace);
  std::vector<std::unique_ptr<TlsClient>> newcomers;
  for (int i = 0; i < 2; ++i) {
    newcomers.push_back(
        std::make_unique<TlsClient>(server_->certificate(), TLS1_2_VERSION, TLS1_3_VERSION));
    ASSERT_FALSE(newcomers.back()->connect(server_->public_port()));
    EXPECT_EQ(newcomers.back()->send(make_request(http::verb::get, "/")).result(),
              http::status::ok);
  }
  // The two slow heads were the oldest; the bare connect is still open.
  for (const auto& client : slow) {
    std::array<char, 1> byte{};
    boost::system::error_code ec;
    client->stream().read_some(asio::buffer(byte), ec);
    EXPECT_TRUE(ec) << "a slow head was closed";
  }
  const std::string metrics = plain_get(server_->ops_port(), "/metrics").body();
  EXPECT_NE(metrics.find("clueline_connections_idle_closed_total{listener=\"public\"} 2"),
            std::string::npos)
      << metrics;
  EXPECT_NE(metrics.find("clueline_connections_rejected_total{listener=\"public\"} 0"),
            std::string::npos)
      << metrics;
}

// A connection still within the grace is not cut off for a newcomer: a
// burst of connects must not close honest clients on their way in.
TEST_F(FullListenerTest, ConnectionsWithinTheGraceAreNotClosed) {
  std::vector<std::unique_ptr<TlsClient>> fresh;
  for (int i = 0; i < 3; ++i) {
    fresh.push_back(
        std::make_unique<TlsClient>(server_->certificate(), TLS1_2_VERSION, TLS1_3_VERSION));
    ASSERT_FALSE(fresh.back()->connect(server_->public_port()));
  }
  TlsClient newcomer = tls_client();
  EXPECT_TRUE(newcomer.connect(server_->public_port())) << "a full listener refuses";
  for (const auto& client : fresh) {
    EXPECT_EQ(client->send(make_request(http::verb::get, "/")).result(), http::status::ok);
  }
  const std::string metrics = plain_get(server_->ops_port(), "/metrics").body();
  EXPECT_NE(metrics.find("clueline_connections_rejected_total{listener=\"public\"} 1"),
            std::string::npos)
      << metrics;
}

class ExpiringCertificateTest : public ServerTest {
 protected:
  ServerOptions options() const override {
    return {.extra_config = "", .certificate_validity = std::chrono::days(5)};
  }
};

TEST_F(ExpiringCertificateTest, ReadyzFailsWhenCertificateExpiresSoon) {
  const Response response = plain_get(server_->ops_port(), "/readyz");
  EXPECT_EQ(response.result(), http::status::service_unavailable);
  const auto body = json_body(response);
  EXPECT_EQ(body.at("status"), "not_ready");
  EXPECT_EQ(body.at("checks").at("tls_certificate").at("ok"), false);
  EXPECT_EQ(body.at("checks").at("storage").at("ok"), true);
}

}  // namespace
}  // namespace clueline::testing

namespace clueline::testing {
namespace {

struct CommandResult {
  int exit_code = -1;
  std::string error_output;
};

// Runs `clueline serve --config FILE` with one extra environment variable.
CommandResult serve_with_config(const std::string& config_text, const std::string& env = "") {
  const auto directory = std::filesystem::temp_directory_path() /
                         ("clueline-badconfig-" + std::to_string(std::random_device{}()));
  std::filesystem::create_directories(directory);
  const auto config = directory / "bad.toml";
  std::ofstream(config) << config_text;
  const auto error_file = directory / "stderr";
  const std::string command = env + " " + CLUELINE_BINARY + " serve --config " + config.string() +
                              " 2>" + error_file.string() + " >/dev/null";
  const int status = std::system(command.c_str());
  CommandResult result{WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(error_file)};
  std::filesystem::remove_all(directory);
  return result;
}

void expect_one_line_naming(const CommandResult& result, const std::string& name) {
  EXPECT_EQ(result.exit_code, 2) << result.error_output;
  EXPECT_NE(result.error_output.find(name), std::string::npos) << result.error_output;
  EXPECT_EQ(std::count(result.error_output.begin(), result.error_output.end(), '\n'), 1)
      << result.error_output;
}

TEST(BadConfig, UnknownKeyStopsStartUpNamingIt) {
  expect_one_line_naming(serve_with_config("[server]\nprot = 8443\n"), "server.prot");
}

TEST(BadConfig, NonNumericPortStopsStartUpNamingIt) {
  expect_one_line_naming(serve_with_config("[server]\nport = \"abc\"\n"), "server.port");
}

TEST(BadConfig, BadEnvironmentOverrideStopsStartUpNamingIt) {
  expect_one_line_naming(serve_with_config("", "CLUELINE_SERVER_PORT=abc"), "CLUELINE_SERVER_PORT");
}

TEST(BadConfig, MissingCertificateStopsStartUpNamingTheKey) {
  expect_one_line_naming(serve_with_config("[server]\nport = 0\n"), "server.tls_certificate");
}

}  // namespace
}  // namespace clueline::testing
