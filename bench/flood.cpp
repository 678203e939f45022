// The two sides of bench/flood.sh (bench/README.md, "Intake under a flood"):
// an attacker running one strategy as fast as its single thread allows, and
// honest clients reporting and following up at a phone's pace meanwhile.
//
//   clueline_flood attack --strategy S --port P --sites demo-sites.json
//       [--duration 600] [--connections 32] [--hold 12000]
//       [--slow-interval-ms 1000] [--message-bytes 200000] [--ramp-seconds 90]
//
// sets up what the strategy needs (routes, solved challenges, a stored
// report of its own, held connections), prints "ready", then floods until
// SIGTERM or --duration, and prints one `attack strategy=… key=value …`
// line. Strategies (bench/README.md says what each sends): none, no-pow,
// wrong-pow, replay, foreign, lookup-free, lookup-paid, route, sessions,
// messages, valid, attachments, idle, slowloris.
//
//   clueline_flood honest --port P --sites demo-sites.json [--clients 4]
//       [--duration 40] [--pace-ms 1000-2000]
//
// runs the clients for --duration seconds and prints one `honest …` line.
// Each client alternates a report and a follow-up of its last report, with a
// pause of --pace-ms between them. A report: GET /api/v1/route, the
// receipt's Argon2id derivation, the proof of work and the sealing, POST
// /api/v1/reports (on a 409, reseal to the route it names and send again).
// A follow-up: GET /api/v1/followup/challenge, the proof of work, POST
// /api/v1/followup/session with the receipt's lookup key (on a 409, a new
// challenge), GET /api/v1/followup, POST /api/v1/followup/messages. Each
// operation opens its own TLS connection, as a phone's visit would. Its
// latency is the sum of its requests' round trips, connection set-up
// included: the phone's own work (Argon2id, proof of work, sealing) runs on
// a thread at the lowest CPU priority, so that it takes no CPU the server
// under test needs, and is not counted.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "clueline/crypto/bytes.hpp"
#include "clueline/crypto/encoding.hpp"
#include "clueline/crypto/envelope.hpp"
#include "clueline/crypto/init.hpp"
#include "clueline/crypto/keys.hpp"
#include "clueline/crypto/padding.hpp"
#include "clueline/crypto/pow.hpp"
#include "clueline/crypto/receipt.hpp"
#include "clueline/crypto/sealed_payload.hpp"
#include "clueline/crypto/site_token.hpp"
#include "route_answer.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace json = boost::json;
namespace ssl = asio::ssl;
namespace crypto = clueline::crypto;
using clueline::bench::decode;
using clueline::bench::parse_pow;
using clueline::bench::parse_route;
using clueline::bench::Route;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using Token = std::array<std::byte, crypto::kSiteTokenBytes>;
using LookupKey = std::array<std::byte, crypto::kLookupKeyBytes>;

constexpr auto kNoThrow = asio::as_tuple(asio::use_awaitable);
// A server that stops answering fails the request instead of hanging the run.
constexpr auto kTimeout = std::chrono::seconds(30);
// Reseals (409) before an honest operation counts as failed.
constexpr int kAttempts = 5;
// Connection holders in their handshake at once: more only queue in the
// server's accept backlog.
constexpr int kConnectingAtOnce = 200;
constexpr std::string_view kReportsPath = "/api/v1/reports";
constexpr std::string_view kChallengePath = "/api/v1/followup/challenge";
constexpr std::string_view kSessionPath = "/api/v1/followup/session";
constexpr std::string_view kFollowupPath = "/api/v1/followup";
constexpr std::string_view kMessagesPath = "/api/v1/followup/messages";
constexpr std::string_view kReportBody = R"({"v":1,"text":"flood bench report"})";

struct Options {
  std::string mode;
  std::string host = "127.0.0.1";
  std::string port;
  std::string sites_file;
  std::string category = "bribery";
  std::string strategy;
  int duration = 0;  // default 40 (honest) or 600 (attack: an upper bound)
  int clients = 4;
  int pace_min_ms = 1000;
  int pace_max_ms = 2000;
  int connections = 32;
  int hold = 12000;
  int slow_interval_ms = 1000;
  std::size_t message_bytes = 200000;
  int ramp_seconds = 90;
};

struct Site {
  std::string token;  // base64url, for URLs
  Token raw{};
};

std::vector<Site> read_sites(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  const std::string text{std::istreambuf_iterator<char>(in), {}};
  const json::value listed = json::parse(text);
  std::vector<Site> sites;
  for (const auto& entry : listed.as_array()) {
    Site site;
    site.token = std::string(entry.at("token").as_string());
    const auto raw = decode(site.token, "site token");
    if (raw.size() != site.raw.size()) throw std::runtime_error("a site token is not 86 bytes");
    std::copy(raw.begin(), raw.end(), site.raw.begin());
    sites.push_back(std::move(site));
  }
  if (sites.empty()) throw std::runtime_error(path + " lists no site");
  return sites;
}

std::string as_text(std::span<const std::byte> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

std::optional<json::value> parse_json(std::string_view text) {
  boost::system::error_code ec;
  json::value value = json::parse(text, ec);
  if (ec) return std::nullopt;
  return value;
}

// Nearest rank: with fewer than 100 values, p99 is the largest.
double percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(values.size())));
  return values[std::clamp<std::size_t>(rank, 1, values.size()) - 1];
}

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// ---- HTTPS requests ----

struct Request {
  http::verb method = http::verb::get;
  std::string target;
  std::string body;
  std::string content_type;
  std::string bearer;
};

struct Answer {
  unsigned status = 0;  // 0: no answer; `error` says why
  std::string body;
  std::string error;
  double ms = 0;  // connection set-up when one was needed, write and read
};

using Stream = beast::ssl_stream<beast::tcp_stream>;

// One client connection, opened when a request needs it.
struct Connection {
  asio::any_io_executor executor;
  ssl::context* tls = nullptr;
  tcp::resolver::results_type endpoints;
  std::unique_ptr<Stream> stream;
  beast::flat_buffer buffer;
  std::uint64_t resent = 0;  // requests sent again after a kept-alive connection was closed
};

// Empty on success, else what failed.
asio::awaitable<std::string> open_stream(Connection* connection) {
  auto stream = std::make_unique<Stream>(connection->executor, *connection->tls);
  beast::tcp_stream& layer = beast::get_lowest_layer(*stream);
  layer.expires_after(kTimeout);
  auto [connect_ec, endpoint] = co_await layer.async_connect(connection->endpoints, kNoThrow);
  if (connect_ec) co_return "connect: " + connect_ec.message();
  boost::system::error_code ignored;
  layer.socket().set_option(tcp::no_delay(true), ignored);
  auto [handshake_ec] = co_await stream->async_handshake(ssl::stream_base::client, kNoThrow);
  if (handshake_ec) co_return "handshake: " + handshake_ec.message();
  connection->stream = std::move(stream);
  connection->buffer.clear();
  co_return std::string();
}

// Sends `request` and reads the answer. A request that fails on a kept-alive
// connection is sent once more on a new one, as browsers do when the server
// has closed an idle connection under them.
asio::awaitable<Answer> call(Connection* connection, Request request) {
  const auto started = Clock::now();
  http::request<http::string_body> message{request.method, request.target, 11};
  message.set(http::field::host, "127.0.0.1");
  if (!request.bearer.empty()) message.set(http::field::authorization, "Bearer " + request.bearer);
  if (!request.content_type.empty()) message.set(http::field::content_type, request.content_type);
  message.body() = std::move(request.body);
  message.prepare_payload();
  Answer answer;
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool reused = connection->stream != nullptr;
    if (!reused) {
      answer.error = co_await open_stream(connection);
      if (!answer.error.empty()) break;
    }
    beast::get_lowest_layer(*connection->stream).expires_after(kTimeout);
    auto [write_ec, written] = co_await http::async_write(*connection->stream, message, kNoThrow);
    boost::system::error_code read_ec = write_ec;
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::size_t{16} << 20);
    if (!write_ec) {
      auto [ec, read] =
          co_await http::async_read(*connection->stream, connection->buffer, parser, kNoThrow);
      read_ec = ec;
    }
    if (read_ec) {
      connection->stream.reset();
      if (reused && attempt == 0) {
        ++connection->resent;
        continue;
      }
      answer.error = (write_ec ? "write: " : "read: ") + read_ec.message();
      break;
    }
    auto response = parser.release();
    answer.status = response.result_int();
    answer.body = std::move(response.body());
    if (!response.keep_alive()) connection->stream.reset();
    break;
  }
  answer.ms = std::chrono::duration<double, std::milli>(Clock::now() - started).count();
  co_return answer;
}

// The challenge of a 200 answer to GET /api/v1/followup/challenge.
bool parse_challenge(const Answer& answer, crypto::PowChallenge& challenge, unsigned& difficulty) {
  if (answer.status != 200) return false;
  try {
    parse_pow(json::parse(answer.body).at("pow"), challenge, difficulty);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

std::string route_target(const Site& site, const std::string& category) {
  return "/api/v1/route?site=" + site.token + "&category=" + category;
}

std::string session_body(std::span<const std::byte> lookup_key,
                         const crypto::PowChallenge& challenge, const crypto::PowNonce& nonce) {
  return json::serialize(
      json::object{{"lookup_key", crypto::to_base64url(lookup_key)},
                   {"pow", json::object{{"challenge", crypto::to_base64url(challenge)},
                                        {"nonce", crypto::to_base64url(nonce)}}}});
}

Request get_request(std::string target, std::string bearer = {}) {
  Request request;
  request.target = std::move(target);
  request.bearer = std::move(bearer);
  return request;
}

Request post_request(std::string_view target, std::string body, std::string content_type,
                     std::string bearer = {}) {
  Request request;
  request.method = http::verb::post;
  request.target = std::string(target);
  request.body = std::move(body);
  request.content_type = std::move(content_type);
  request.bearer = std::move(bearer);
  return request;
}

Request report_request(std::span<const std::byte> envelope) {
  return post_request(kReportsPath, as_text(envelope), "application/octet-stream");
}

Request session_request(std::span<const std::byte> lookup_key,
                        const crypto::PowChallenge& challenge, const crypto::PowNonce& nonce) {
  return post_request(kSessionPath, session_body(lookup_key, challenge, nonce), "application/json");
}

Request message_request(std::string sealed, std::string session) {
  return post_request(kMessagesPath, std::move(sealed), "application/octet-stream",
                      std::move(session));
}

crypto::Bytes seal_report(const Route& route, const Token& token, const std::string& category,
                          const crypto::BoxPublicKey& reply_key,
                          const std::array<std::byte, 32>& lookup_hash,
                          const crypto::PowNonce& nonce) {
  crypto::EnvelopeHeader header;
  header.site_token = token;
  header.category = category;
  header.reply_public_key = reply_key;
  header.receipt_lookup_hash = lookup_hash;
  header.pow_challenge = route.challenge;
  header.pow_nonce = nonce;
  auto envelope = crypto::seal_envelope(header, route.keys, kReportBody);
  if (!envelope) throw std::runtime_error("seal_envelope: " + envelope.error().message());
  return std::move(*envelope);
}

// The unit keys a follow-up answer (or its 409) names, without those no
// longer current.
std::vector<crypto::BoxPublicKey> unit_keys(const json::value& unit) {
  std::vector<crypto::BoxPublicKey> keys;
  for (const auto& key : unit.at("keys").as_array()) {
    if (const auto* current = key.as_object().if_contains("current");
        current != nullptr && current->is_bool() && !current->as_bool()) {
      continue;
    }
    auto public_key = crypto::box_public_key_from(decode(key.at("public_key").as_string(), "key"));
    if (!public_key) throw std::runtime_error("a unit key is not 32 bytes");
    keys.push_back(*public_key);
  }
  if (keys.empty()) throw std::runtime_error("the follow-up names no unit key");
  return keys;
}

std::string seal_message(std::span<const std::byte> clue_id,
                         std::span<const crypto::BoxPublicKey> keys, std::string_view text) {
  auto sealed =
      crypto::seal_payload(crypto::PayloadDomain::kMessage, clue_id, keys, crypto::as_bytes(text));
  if (!sealed) throw std::runtime_error("seal_payload: " + sealed.error().message());
  return as_text(*sealed);
}

// ---- Honest clients ----

struct HonestTally {
  std::vector<double> operation_ms;  // every finished operation, failed ones too
  std::vector<double> request_ms;
  std::uint64_t reports = 0, reports_ok = 0, followups = 0, followups_ok = 0;
  std::uint64_t resent = 0, reseals = 0;
  std::vector<unsigned> report_bits, lookup_bits;  // difficulty of each proof solved
  std::map<std::string, std::uint64_t> failures;   // "stage_status" → count
  double slowest_ms = 0;
  std::string slowest_stage = "none";
};

struct Honest {
  const Options* options = nullptr;
  const Site* site = nullptr;
  Connection connection;
  Clock::time_point deadline;
  std::mt19937_64 random{std::random_device{}()};
  std::optional<LookupKey> lookup_key;  // of its last stored report
  double operation_ms = 0;
  HonestTally tally;
};

// Runs the phone's own work on a thread at the lowest CPU priority and waits
// for it; the client has nothing else to do meanwhile.
void off_path(const std::function<void()>& work) {
  std::exception_ptr failure;
  std::thread thread([&] {
    setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 19);
    try {
      work();
    } catch (...) {
      failure = std::current_exception();
    }
  });
  thread.join();
  if (failure) std::rethrow_exception(failure);
}

// `stage` names the request in the tally's slowest one.
asio::awaitable<Answer> timed(Honest* honest, Request request, std::string_view stage) {
  Answer answer = co_await call(&honest->connection, std::move(request));
  honest->operation_ms += answer.ms;
  honest->tally.request_ms.push_back(answer.ms);
  if (answer.ms > honest->tally.slowest_ms) {
    honest->tally.slowest_ms = answer.ms;
    honest->tally.slowest_stage = stage;
  }
  co_return answer;
}

// "report_503", or "route_handshake" for a request without an answer.
std::string failure(std::string_view stage, const Answer& answer) {
  if (answer.status != 0) return std::string(stage) + "_" + std::to_string(answer.status);
  return std::string(stage) + "_" + answer.error.substr(0, answer.error.find(':'));
}

// Empty once the report is stored, else the stage and status that failed it.
asio::awaitable<std::string> honest_report(Honest* honest) {
  const Request route_request = get_request(route_target(*honest->site, honest->options->category));
  Answer answer = co_await timed(honest, route_request, "route");
  if (answer.status != 200) co_return failure("route", answer);
  std::optional<json::value> route_json = parse_json(answer.body);
  std::optional<crypto::ReceiptKeys> receipt;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    std::optional<Route> route;
    crypto::Bytes salt;
    try {
      if (!route_json) throw std::runtime_error("not JSON");
      route = parse_route(*route_json);
      salt = decode(route_json->at("receipt_salt").as_string(), "receipt_salt");
    } catch (const std::exception&) {
      co_return "route_malformed";
    }
    crypto::Bytes envelope;
    off_path([&] {
      if (!receipt) {
        auto derived = crypto::derive_receipt_keys(crypto::generate_receipt(), salt);
        if (!derived) throw std::runtime_error("derive_receipt_keys failed");
        receipt = std::move(*derived);
      }
      const crypto::PowNonce nonce = crypto::solve_pow(route->challenge, route->difficulty);
      envelope = seal_report(*route, honest->site->raw, honest->options->category,
                             receipt->reply_key_pair.public_key, receipt->lookup_hash, nonce);
    });
    honest->tally.report_bits.push_back(route->difficulty);
    const Request post = report_request(envelope);
    answer = co_await timed(honest, post, "report");
    if (answer.status == 201) {
      LookupKey key{};
      std::copy_n(receipt->lookup_key.bytes().begin(), key.size(), key.begin());
      honest->lookup_key = key;
      co_return std::string();
    }
    if (answer.status != 409) co_return failure("report", answer);
    ++honest->tally.reseals;
    std::optional<json::value> problem = parse_json(answer.body);
    if (problem && problem->is_object() && problem->as_object().contains("route")) {
      route_json = problem->at("route");
      continue;
    }
    // A spent challenge or a used receipt: what an earlier attempt whose
    // answer was lost stored. A new receipt and a new route.
    receipt.reset();
    answer = co_await timed(honest, route_request, "route");
    if (answer.status != 200) co_return failure("route", answer);
    route_json = parse_json(answer.body);
  }
  co_return "report_409_repeated";
}

asio::awaitable<std::string> honest_followup(Honest* honest) {
  const Request challenge_request = get_request(std::string(kChallengePath));
  std::string session;
  for (int attempt = 0; attempt < kAttempts && session.empty(); ++attempt) {
    Answer answer = co_await timed(honest, challenge_request, "challenge");
    if (answer.status != 200) co_return failure("challenge", answer);
    crypto::PowChallenge challenge{};
    unsigned difficulty = 0;
    if (!parse_challenge(answer, challenge, difficulty)) co_return "challenge_malformed";
    crypto::PowNonce nonce{};
    off_path([&] { nonce = crypto::solve_pow(challenge, difficulty); });
    honest->tally.lookup_bits.push_back(difficulty);
    const Request post = session_request(*honest->lookup_key, challenge, nonce);
    answer = co_await timed(honest, post, "session");
    if (answer.status == 201) {
      try {
        session = std::string(json::parse(answer.body).at("session").as_string());
      } catch (const std::exception&) {
        co_return "session_malformed";
      }
    } else if (answer.status == 409) {
      ++honest->tally.reseals;
    } else {
      co_return failure("session", answer);
    }
  }
  if (session.empty()) co_return "session_409_repeated";

  const Request view_request = get_request(std::string(kFollowupPath), session);
  Answer answer = co_await timed(honest, view_request, "followup");
  if (answer.status != 200) co_return failure("followup", answer);
  crypto::Bytes clue_id;
  std::vector<crypto::BoxPublicKey> keys;
  try {
    const json::value view = json::parse(answer.body);
    clue_id = decode(view.at("clue_id").as_string(), "clue_id");
    keys = unit_keys(view.at("unit"));
  } catch (const std::exception&) {
    co_return "followup_malformed";
  }
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::string sealed;
    off_path([&] { sealed = seal_message(clue_id, keys, "flood bench message"); });
    const Request post = message_request(std::move(sealed), session);
    answer = co_await timed(honest, post, "message");
    if (answer.status == 201) co_return std::string();
    std::optional<json::value> problem = parse_json(answer.body);
    if (answer.status != 409 || !problem || !problem->is_object() ||
        !problem->as_object().contains("unit")) {
      break;
    }
    ++honest->tally.reseals;
    try {
      keys = unit_keys(problem->at("unit"));
    } catch (const std::exception&) {
      co_return "message_malformed";
    }
  }
  co_return failure("message", answer);
}

asio::awaitable<void> honest_client(Honest* honest) {
  asio::steady_timer pause(honest->connection.executor);
  std::uniform_int_distribution<int> pace(honest->options->pace_min_ms,
                                          honest->options->pace_max_ms);
  // Clients start apart, as phones do.
  std::uniform_int_distribution<int> offset(0, honest->options->pace_max_ms);
  pause.expires_after(std::chrono::milliseconds(offset(honest->random)));
  co_await pause.async_wait(kNoThrow);
  bool report_next = true;
  while (Clock::now() < honest->deadline) {
    honest->operation_ms = 0;
    const bool report = report_next || !honest->lookup_key;
    std::string failed;
    try {
      if (report) {
        ++honest->tally.reports;
        failed = co_await honest_report(honest);
        if (failed.empty()) ++honest->tally.reports_ok;
      } else {
        ++honest->tally.followups;
        failed = co_await honest_followup(honest);
        if (failed.empty()) ++honest->tally.followups_ok;
      }
    } catch (const std::exception& e) {
      failed = "exception";
      std::fprintf(stderr, "clueline_flood: honest client: %s\n", e.what());
    }
    if (!failed.empty()) ++honest->tally.failures[failed];
    honest->tally.operation_ms.push_back(honest->operation_ms);
    // The phone's next visit opens a new connection.
    honest->connection.stream.reset();
    report_next = !report;
    pause.expires_after(std::chrono::milliseconds(pace(honest->random)));
    co_await pause.async_wait(kNoThrow);
  }
  honest->tally.resent = honest->connection.resent;
}

std::string list_failures(const std::map<std::string, std::uint64_t>& failures) {
  if (failures.empty()) return "none";
  std::string text;
  for (const auto& [what, count] : failures) {
    if (!text.empty()) text += ',';
    text += what + ":" + std::to_string(count);
  }
  return text;
}

double mean(const std::vector<unsigned>& values) {
  if (values.empty()) return 0;
  double sum = 0;
  for (const unsigned value : values) sum += value;
  return sum / static_cast<double>(values.size());
}

unsigned largest(const std::vector<unsigned>& values) {
  return values.empty() ? 0 : *std::max_element(values.begin(), values.end());
}

int run_honest(const Options& options, const std::vector<Site>& sites,
               const tcp::resolver::results_type& endpoints, ssl::context& tls) {
  const auto started = Clock::now();
  const auto deadline = started + std::chrono::seconds(options.duration);
  std::vector<std::unique_ptr<asio::io_context>> contexts;
  std::vector<std::unique_ptr<Honest>> clients;
  for (int i = 0; i < options.clients; ++i) {
    contexts.push_back(std::make_unique<asio::io_context>(1));
    auto honest = std::make_unique<Honest>();
    honest->options = &options;
    // Client i reports at site i: villages of their own, not one poster
    // whose price every client raises.
    honest->site = &sites[static_cast<std::size_t>(i) % sites.size()];
    honest->connection.executor = contexts.back()->get_executor();
    honest->connection.tls = &tls;
    honest->connection.endpoints = endpoints;
    honest->deadline = deadline;
    asio::co_spawn(*contexts.back(), honest_client(honest.get()), [](std::exception_ptr e) {
      if (e) std::rethrow_exception(e);
    });
    clients.push_back(std::move(honest));
  }
  std::vector<std::thread> threads;
  for (auto& context : contexts) threads.emplace_back([&context] { context->run(); });
  for (auto& thread : threads) thread.join();
  const double elapsed = seconds_since(started);

  HonestTally all;
  for (const auto& client : clients) {
    const HonestTally& one = client->tally;
    all.operation_ms.insert(all.operation_ms.end(), one.operation_ms.begin(),
                            one.operation_ms.end());
    all.request_ms.insert(all.request_ms.end(), one.request_ms.begin(), one.request_ms.end());
    all.reports += one.reports;
    all.reports_ok += one.reports_ok;
    all.followups += one.followups;
    all.followups_ok += one.followups_ok;
    all.resent += one.resent;
    all.reseals += one.reseals;
    all.report_bits.insert(all.report_bits.end(), one.report_bits.begin(), one.report_bits.end());
    all.lookup_bits.insert(all.lookup_bits.end(), one.lookup_bits.begin(), one.lookup_bits.end());
    for (const auto& [what, count] : one.failures) all.failures[what] += count;
    if (one.slowest_ms > all.slowest_ms) {
      all.slowest_ms = one.slowest_ms;
      all.slowest_stage = one.slowest_stage;
    }
  }
  const std::uint64_t operations = all.reports + all.followups;
  const std::uint64_t ok = all.reports_ok + all.followups_ok;
  std::printf(
      "honest clients=%d seconds=%.1f operations=%llu ok=%llu success_pct=%.2f reports=%llu "
      "reports_ok=%llu followups=%llu followups_ok=%llu p50_ms=%.1f p99_ms=%.1f max_ms=%.1f "
      "request_p50_ms=%.1f request_p99_ms=%.1f requests=%zu resent=%llu reseals=%llu "
      "report_bits_mean=%.1f report_bits_max=%u lookup_bits_mean=%.1f lookup_bits_max=%u "
      "slowest_request=%s:%.1fms failures=%s\n",
      options.clients, elapsed, static_cast<unsigned long long>(operations),
      static_cast<unsigned long long>(ok),
      operations == 0 ? 0.0 : 100.0 * static_cast<double>(ok) / static_cast<double>(operations),
      static_cast<unsigned long long>(all.reports), static_cast<unsigned long long>(all.reports_ok),
      static_cast<unsigned long long>(all.followups),
      static_cast<unsigned long long>(all.followups_ok), percentile(all.operation_ms, 0.50),
      percentile(all.operation_ms, 0.99), percentile(all.operation_ms, 1.0),
      percentile(all.request_ms, 0.50), percentile(all.request_ms, 0.99), all.request_ms.size(),
      static_cast<unsigned long long>(all.resent), static_cast<unsigned long long>(all.reseals),
      mean(all.report_bits), largest(all.report_bits), mean(all.lookup_bits),
      largest(all.lookup_bits), all.slowest_stage.c_str(), all.slowest_ms,
      list_failures(all.failures).c_str());
  std::fflush(stdout);
  return 0;
}

// ---- The attacker ----
//
// One thread, one io_context: flood.sh pins the process to one core, so the
// figures are what one core buys.

struct Attack {
  const Options* options = nullptr;
  const std::vector<Site>* sites = nullptr;
  asio::io_context* context = nullptr;
  ssl::context* tls = nullptr;
  tcp::resolver::results_type endpoints;
  std::optional<asio::steady_timer> window_end;

  // The cheap floods send these in turn, prepared before the window.
  std::vector<Request> requests;
  std::size_t next_request = 0;
  // The stored report the session strategy opens its sessions with.
  LookupKey lookup_key{};

  bool measuring = false;
  bool stopping = false;
  Clock::time_point window_start;

  // Counted inside the window only.
  std::uint64_t answered = 0, errors = 0, reports_accepted = 0, ok = 0;
  std::uint64_t attachment_bytes = 0;  // stored attachment parts (attachments)
  std::map<unsigned, std::uint64_t> statuses;
  std::map<std::string, std::uint64_t> error_kinds;
  // Connection holders (idle, slowloris).
  int connecting = 0, ramped = 0, held = 0, held_max = 0;
  std::uint64_t opened = 0, closed_by_server = 0;
};

Connection new_connection(Attack* attack) {
  Connection connection;
  connection.executor = attack->context->get_executor();
  connection.tls = attack->tls;
  connection.endpoints = attack->endpoints;
  return connection;
}

// What a request is to its strategy: a step on the way (a route or a
// challenge to solve), what it is after, or a report.
enum class Sent { kStep, kGoal, kReport };

// Steps count as requests, not towards `ok`.
void record(Attack* attack, const Answer& answer, Sent sent) {
  if (!attack->measuring) return;
  if (answer.status == 0) {
    ++attack->errors;
    const std::string kind = answer.error.substr(0, answer.error.find(':'));
    ++attack->error_kinds[kind];
    return;
  }
  ++attack->answered;
  // The first answer of each status, for the reader of the run's log.
  if (attack->statuses[answer.status]++ == 0) {
    std::fprintf(stderr, "clueline_flood: %s: first %u: %.200s\n",
                 attack->options->strategy.c_str(), answer.status, answer.body.c_str());
  }
  if (sent != Sent::kStep && answer.status >= 200 && answer.status < 300) ++attack->ok;
  if (sent == Sent::kReport && answer.status == 201) ++attack->reports_accepted;
}

asio::awaitable<void> pause_for(asio::any_io_executor executor, std::chrono::milliseconds time) {
  asio::steady_timer timer(executor, time);
  co_await timer.async_wait(kNoThrow);
}

// Sends the prepared requests in turn, closed-loop.
asio::awaitable<void> flood_worker(Attack* attack) {
  Connection connection = new_connection(attack);
  while (!attack->stopping) {
    Request request = attack->requests[attack->next_request++ % attack->requests.size()];
    const bool report = request.target == kReportsPath;
    const Answer answer = co_await call(&connection, std::move(request));
    record(attack, answer, report ? Sent::kReport : Sent::kGoal);
    // A refused connection must not become a busy loop of connects.
    if (answer.status == 0) co_await pause_for(connection.executor, std::chrono::milliseconds(50));
  }
}

std::array<std::byte, 32> random_32() {
  std::array<std::byte, 32> bytes{};
  crypto::random_bytes(bytes);
  return bytes;
}

crypto::BoxPublicKey random_reply_key() { return crypto::BoxPublicKey{random_32()}; }

// Fills the clue of session `session` with attachment parts of the largest
// size a request takes, until the server refuses one (the clue's 64 MiB,
// or the deployment's quota); counts the stored bytes.
asio::awaitable<void> fill_attachments(Attack* attack, Connection* connection,
                                       std::string session) {
  const std::string part(std::size_t{1} << 20, 'a');  // no stream to decrypt: never final
  for (unsigned n = 0; n < 8 && !attack->stopping; ++n) {
    for (unsigned number = 0; !attack->stopping; ++number) {
      Request put;
      put.method = http::verb::put;
      put.target =
          "/api/v1/followup/attachments/" + std::to_string(n) + "/" + std::to_string(number);
      put.body = part;
      put.content_type = "application/octet-stream";
      put.bearer = session;
      const Answer answer = co_await call(connection, std::move(put));
      record(attack, answer, Sent::kGoal);
      if (answer.status != 201) {
        // 413: this attachment (16 MiB) or the clue (64 MiB) is full.
        if (answer.status == 413 && n + 1 < 8) break;
        co_return;
      }
      if (attack->measuring) attack->attachment_bytes += part.size();
    }
  }
}

// A report at the lowest price the server takes: each round asks every site
// for a route and solves the cheapest challenge, on this core. With
// `attach`, each stored report's clue is then filled with attachment parts.
asio::awaitable<void> valid_worker(Attack* attack, bool attach) {
  Connection connection = new_connection(attack);
  const auto& sites = *attack->sites;
  while (!attack->stopping) {
    std::optional<Route> cheapest;
    std::size_t cheapest_site = 0;
    for (std::size_t s = 0; s < sites.size() && !attack->stopping; ++s) {
      const Request request = get_request(route_target(sites[s], attack->options->category));
      const Answer answer = co_await call(&connection, request);
      record(attack, answer, Sent::kStep);
      if (answer.status != 200) continue;
      try {
        Route route = parse_route(answer.body);
        if (!cheapest || route.difficulty < cheapest->difficulty) {
          cheapest = std::move(route);
          cheapest_site = s;
        }
      } catch (const std::exception&) {
      }
    }
    if (!cheapest) {
      co_await pause_for(connection.executor, std::chrono::milliseconds(50));
      continue;
    }
    const crypto::PowNonce nonce = crypto::solve_pow(cheapest->challenge, cheapest->difficulty);
    if (attack->stopping) break;
    const crypto::Bytes envelope =
        seal_report(*cheapest, sites[cheapest_site].raw, attack->options->category,
                    random_reply_key(), random_32(), nonce);
    const Request post = report_request(envelope);
    const Answer answer = co_await call(&connection, post);
    record(attack, answer, Sent::kReport);
    if (attach && answer.status == 201) {
      std::string session;
      try {
        session = std::string(json::parse(answer.body).at("session").as_string());
      } catch (const std::exception&) {
        continue;
      }
      co_await fill_attachments(attack, &connection, std::move(session));
    }
  }
}

// Sessions paid at the lookup price: with random lookup keys (guesses, each
// a failed lookup) or, with `own_receipt`, the attacker's own stored report.
asio::awaitable<void> session_worker(Attack* attack, bool own_receipt) {
  Connection connection = new_connection(attack);
  const Request challenge_request = get_request(std::string(kChallengePath));
  while (!attack->stopping) {
    const Answer offered = co_await call(&connection, challenge_request);
    record(attack, offered, Sent::kStep);
    crypto::PowChallenge challenge{};
    unsigned difficulty = 0;
    if (!parse_challenge(offered, challenge, difficulty)) {
      co_await pause_for(connection.executor, std::chrono::milliseconds(50));
      continue;
    }
    const crypto::PowNonce nonce = crypto::solve_pow(challenge, difficulty);
    if (attack->stopping) break;
    const LookupKey key = own_receipt ? attack->lookup_key : random_32();
    const Request post = session_request(key, challenge, nonce);
    const Answer answer = co_await call(&connection, post);
    record(attack, answer, Sent::kGoal);
  }
}

// Holds a connection idle after one answered request until the server
// closes it, then opens another.
asio::awaitable<void> idle_holder(Attack* attack) {
  Connection connection = new_connection(attack);
  const Request request = get_request(std::string(kChallengePath));
  bool first = true;
  while (!attack->stopping) {
    ++attack->connecting;
    const Answer answer = co_await call(&connection, request);
    --attack->connecting;
    if (first) ++attack->ramped;
    first = false;
    record(attack, answer, Sent::kGoal);
    if (answer.status == 0 || connection.stream == nullptr) {
      co_await pause_for(connection.executor, std::chrono::milliseconds(1000));
      continue;
    }
    if (attack->measuring) ++attack->opened;
    attack->held_max = std::max(attack->held_max, ++attack->held);
    beast::get_lowest_layer(*connection.stream).expires_never();
    std::array<char, 64> scratch;
    // Whatever ends the read (the server closing, most often) ends the hold.
    co_await connection.stream->async_read_some(asio::buffer(scratch), kNoThrow);
    --attack->held;
    connection.stream.reset();
    if (attack->measuring && !attack->stopping) ++attack->closed_by_server;
  }
}

// Sends a request head one byte per interval, never finishing it, until the
// server closes the connection; then opens another.
asio::awaitable<void> slow_holder(Attack* attack, std::chrono::milliseconds first_delay) {
  Connection connection = new_connection(attack);
  const std::string head = "GET /api/v1/followup/challenge HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
  const auto interval = std::chrono::milliseconds(attack->options->slow_interval_ms);
  asio::steady_timer tick(connection.executor);
  bool first = true;
  while (!attack->stopping) {
    ++attack->connecting;
    const std::string error = co_await open_stream(&connection);
    --attack->connecting;
    if (first) ++attack->ramped;
    first = false;
    if (!error.empty()) {
      Answer failed;
      failed.error = error;
      record(attack, failed, Sent::kGoal);
      co_await pause_for(connection.executor, std::chrono::milliseconds(1000));
      continue;
    }
    if (attack->measuring) ++attack->opened;
    attack->held_max = std::max(attack->held_max, ++attack->held);
    beast::get_lowest_layer(*connection.stream).expires_never();
    // Spread over the interval, so that the writes of all holders do not
    // come at once.
    tick.expires_after(first_delay);
    co_await tick.async_wait(kNoThrow);
    for (std::size_t i = 0; !attack->stopping; ++i) {
      const char byte = i < head.size() ? head[i] : 'a';
      auto [ec, bytes] =
          co_await asio::async_write(*connection.stream, asio::buffer(&byte, 1), kNoThrow);
      if (ec) break;
      tick.expires_after(interval);
      co_await tick.async_wait(kNoThrow);
    }
    --attack->held;
    connection.stream.reset();
    if (attack->measuring && !attack->stopping) ++attack->closed_by_server;
  }
}

asio::awaitable<void> launch_holders(Attack* attack, bool slow) {
  std::mt19937 random{std::random_device{}()};
  std::uniform_int_distribution<int> spread(0, attack->options->slow_interval_ms);
  for (int i = 0; i < attack->options->hold && !attack->stopping; ++i) {
    while (attack->connecting >= kConnectingAtOnce && !attack->stopping) {
      co_await pause_for(attack->context->get_executor(), std::chrono::milliseconds(2));
    }
    if (slow) {
      asio::co_spawn(*attack->context,
                     slow_holder(attack, std::chrono::milliseconds(spread(random))),
                     asio::detached);
    } else {
      asio::co_spawn(*attack->context, idle_holder(attack), asio::detached);
    }
  }
}

// ---- What each strategy prepares before its window ----

// A route answer for `site`, or an exception.
asio::awaitable<Route> fetch_route(Attack* attack, Connection* connection, std::size_t site) {
  const Request request =
      get_request(route_target((*attack->sites)[site], attack->options->category));
  const Answer answer = co_await call(connection, request);
  if (answer.status != 200) {
    throw std::runtime_error("GET /api/v1/route: " + std::to_string(answer.status) + " " +
                             answer.error);
  }
  co_return parse_route(answer.body);
}

asio::awaitable<crypto::PowChallenge> fetch_session_challenge(Connection* connection,
                                                              unsigned* difficulty) {
  const Request request = get_request(std::string(kChallengePath));
  const Answer answer = co_await call(connection, request);
  if (answer.status != 200) {
    throw std::runtime_error("GET /api/v1/followup/challenge: " + std::to_string(answer.status));
  }
  crypto::PowChallenge challenge{};
  parse_pow(json::parse(answer.body).at("pow"), challenge, *difficulty);
  co_return challenge;
}

// A nonce that does not solve `challenge` at `difficulty`, found by counting
// from a random start.
crypto::PowNonce wrong_nonce(const crypto::PowChallenge& challenge, unsigned difficulty) {
  crypto::PowNonce nonce{};
  crypto::random_bytes(nonce);
  while (crypto::verify_pow(challenge, nonce, difficulty)) {
    nonce[7] = static_cast<std::byte>(static_cast<unsigned>(nonce[7]) + 1);
  }
  return nonce;
}

// Stores one report of the attacker's own (the proof solved here); returns
// its lookup key.
asio::awaitable<LookupKey> store_own_report(Attack* attack, Connection* connection) {
  const LookupKey key = random_32();
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    const Route route = co_await fetch_route(attack, connection, 0);
    const crypto::PowNonce nonce = crypto::solve_pow(route.challenge, route.difficulty);
    const crypto::Bytes envelope =
        seal_report(route, (*attack->sites)[0].raw, attack->options->category, random_reply_key(),
                    crypto::receipt_lookup_hash(key), nonce);
    const Request post = report_request(envelope);
    const Answer answer = co_await call(connection, post);
    if (answer.status == 201) co_return key;
  }
  throw std::runtime_error("the attacker's own report was not stored");
}

// Opens a session with the attacker's receipt; returns its token.
asio::awaitable<std::string> open_own_session(Connection* connection, LookupKey key) {
  unsigned difficulty = 0;
  const crypto::PowChallenge challenge = co_await fetch_session_challenge(connection, &difficulty);
  const crypto::PowNonce nonce = crypto::solve_pow(challenge, difficulty);
  const Request post = session_request(key, challenge, nonce);
  const Answer answer = co_await call(connection, post);
  if (answer.status != 201) {
    throw std::runtime_error("POST /api/v1/followup/session: " + std::to_string(answer.status));
  }
  co_return std::string(json::parse(answer.body).at("session").as_string());
}

asio::awaitable<void> prepare(Attack* attack) {
  Connection connection = new_connection(attack);
  const std::string& strategy = attack->options->strategy;
  const auto& sites = *attack->sites;
  const std::string& category = attack->options->category;
  auto& requests = attack->requests;
  if (strategy == "no-pow") {
    // Well-formed envelopes whose challenge no server issued.
    const Route route = co_await fetch_route(attack, &connection, 0);
    for (int i = 0; i < 16; ++i) {
      Route forged = route;
      crypto::random_bytes(forged.challenge);
      requests.push_back(report_request(
          seal_report(forged, sites[0].raw, category, random_reply_key(), random_32(), {})));
    }
  } else if (strategy == "wrong-pow") {
    // Challenges the server issued, with nonces that do not solve them.
    for (int i = 0; i < 64; ++i) {
      const Route route = co_await fetch_route(attack, &connection, 0);
      requests.push_back(
          report_request(seal_report(route, sites[0].raw, category, random_reply_key(), random_32(),
                                     wrong_nonce(route.challenge, route.difficulty))));
    }
  } else if (strategy == "replay") {
    // Challenges solved and spent on a stored report, then sent again: the
    // stored envelope itself and new envelopes around the same proof.
    for (int i = 0; i < 4; ++i) {
      const Route route = co_await fetch_route(attack, &connection, 0);
      const crypto::PowNonce nonce = crypto::solve_pow(route.challenge, route.difficulty);
      const crypto::Bytes stored =
          seal_report(route, sites[0].raw, category, random_reply_key(), random_32(), nonce);
      const Request post = report_request(stored);
      const Answer answer = co_await call(&connection, post);
      if (answer.status != 201) {
        throw std::runtime_error("the report to replay was not stored: " +
                                 std::to_string(answer.status));
      }
      requests.push_back(report_request(stored));
      for (int j = 0; j < 15; ++j) {
        requests.push_back(report_request(
            seal_report(route, sites[0].raw, category, random_reply_key(), random_32(), nonce)));
      }
    }
  } else if (strategy == "foreign") {
    // Solved challenges used out of their scope: another site's on a
    // report for site 0, a follow-up session's on a report, and a report's
    // on a follow-up session. None is ever spent, so each is sent forever.
    const Route route = co_await fetch_route(attack, &connection, 0);
    for (int i = 0; i < 8; ++i) {
      const Route other = co_await fetch_route(attack, &connection, 1 % sites.size());
      const crypto::PowNonce other_nonce = crypto::solve_pow(other.challenge, other.difficulty);
      Route misused = route;
      misused.challenge = other.challenge;
      requests.push_back(report_request(seal_report(misused, sites[0].raw, category,
                                                    random_reply_key(), random_32(), other_nonce)));
      unsigned difficulty = 0;
      misused.challenge = co_await fetch_session_challenge(&connection, &difficulty);
      const crypto::PowNonce session_nonce = crypto::solve_pow(misused.challenge, difficulty);
      requests.push_back(report_request(seal_report(
          misused, sites[0].raw, category, random_reply_key(), random_32(), session_nonce)));
      const Route own = co_await fetch_route(attack, &connection, 0);
      const crypto::PowNonce own_nonce = crypto::solve_pow(own.challenge, own.difficulty);
      requests.push_back(session_request(random_32(), own.challenge, own_nonce));
    }
  } else if (strategy == "lookup-free") {
    // Random lookup keys with a forged challenge, or with an issued one and
    // a nonce that does not solve it.
    for (int i = 0; i < 16; ++i) {
      crypto::PowChallenge forged{};
      crypto::random_bytes(forged);
      crypto::PowNonce nonce{};
      crypto::random_bytes(nonce);
      requests.push_back(session_request(random_32(), forged, nonce));
      unsigned difficulty = 0;
      const crypto::PowChallenge issued =
          co_await fetch_session_challenge(&connection, &difficulty);
      requests.push_back(session_request(random_32(), issued, wrong_nonce(issued, difficulty)));
    }
  } else if (strategy == "route") {
    for (const Site& site : sites) {
      requests.push_back(get_request(route_target(site, category)));
      requests.push_back(get_request(std::string(kChallengePath)));
    }
  } else if (strategy == "sessions") {
    attack->lookup_key = co_await store_own_report(attack, &connection);
  } else if (strategy == "messages") {
    // The largest messages the server takes, on the attacker's own clue.
    const LookupKey key = co_await store_own_report(attack, &connection);
    const std::string session = co_await open_own_session(&connection, key);
    const Request view_request = get_request(std::string(kFollowupPath), session);
    const Answer view = co_await call(&connection, view_request);
    if (view.status != 200) throw std::runtime_error("GET /api/v1/followup: " + view.error);
    const json::value parsed = json::parse(view.body);
    const crypto::Bytes clue_id = decode(parsed.at("clue_id").as_string(), "clue_id");
    const auto keys = unit_keys(parsed.at("unit"));
    const std::string text(attack->options->message_bytes, 'm');
    requests.push_back(message_request(seal_message(clue_id, keys, text), session));
  } else if (strategy != "none" && strategy != "valid" && strategy != "attachments" &&
             strategy != "lookup-paid" && strategy != "idle" && strategy != "slowloris") {
    throw std::runtime_error("unknown strategy " + strategy);
  }
}

void print_attack(const Attack& attack) {
  const double elapsed = std::max(1e-9, seconds_since(attack.window_start));
  const std::uint64_t requests = attack.answered + attack.errors;
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const double cpu = static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
                     static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
  std::printf(
      "attack strategy=%s seconds=%.1f requests=%llu rate=%.1f reports_accepted=%llu "
      "reports_per_minute=%.1f ok=%llu ok_per_minute=%.1f connection_errors=%llu held_max=%d "
      "opened=%llu closed_by_server=%llu attachment_mib_per_minute=%.1f cpu_seconds=%.1f",
      attack.options->strategy.c_str(), elapsed, static_cast<unsigned long long>(requests),
      static_cast<double>(requests) / elapsed,
      static_cast<unsigned long long>(attack.reports_accepted),
      60.0 * static_cast<double>(attack.reports_accepted) / elapsed,
      static_cast<unsigned long long>(attack.ok), 60.0 * static_cast<double>(attack.ok) / elapsed,
      static_cast<unsigned long long>(attack.errors), attack.held_max,
      static_cast<unsigned long long>(attack.opened),
      static_cast<unsigned long long>(attack.closed_by_server),
      60.0 * static_cast<double>(attack.attachment_bytes) / double(1 << 20) / elapsed, cpu);
  for (const auto& [status, count] : attack.statuses) {
    std::printf(" status_%u=%llu", status, static_cast<unsigned long long>(count));
  }
  for (const auto& [kind, count] : attack.error_kinds) {
    std::printf(" error_%s=%llu", kind.c_str(), static_cast<unsigned long long>(count));
  }
  std::printf("\n");
  std::fflush(stdout);
}

asio::awaitable<void> run_attack_window(Attack* attack) {
  const std::string& strategy = attack->options->strategy;
  try {
    co_await prepare(attack);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "clueline_flood: %s: preparing failed: %s\n", strategy.c_str(), e.what());
    attack->context->stop();
    co_return;
  }
  auto executor = attack->context->get_executor();
  const bool holders = strategy == "idle" || strategy == "slowloris";
  if (holders) {
    // The holders build up before the window, up to --ramp-seconds.
    asio::co_spawn(executor, launch_holders(attack, strategy == "slowloris"), asio::detached);
    const auto ramp_end = Clock::now() + std::chrono::seconds(attack->options->ramp_seconds);
    while (!attack->stopping && attack->ramped < attack->options->hold && Clock::now() < ramp_end) {
      co_await pause_for(executor, std::chrono::milliseconds(100));
    }
    std::fprintf(stderr, "clueline_flood: %s: %d connections held after the ramp\n",
                 strategy.c_str(), attack->held);
  }
  if (attack->stopping) co_return;
  attack->measuring = true;
  attack->window_start = Clock::now();
  std::printf("ready\n");
  std::fflush(stdout);
  if (strategy == "valid" || strategy == "attachments") {
    for (int i = 0; i < 2; ++i) {
      asio::co_spawn(executor, valid_worker(attack, strategy == "attachments"), asio::detached);
    }
  } else if (strategy == "lookup-paid" || strategy == "sessions") {
    for (int i = 0; i < 2; ++i) {
      asio::co_spawn(executor, session_worker(attack, strategy == "sessions"), asio::detached);
    }
  } else if (!attack->requests.empty()) {
    for (int i = 0; i < attack->options->connections; ++i) {
      asio::co_spawn(executor, flood_worker(attack), asio::detached);
    }
  }
  attack->window_end.emplace(executor, std::chrono::seconds(attack->options->duration));
  co_await attack->window_end->async_wait(kNoThrow);
  attack->stopping = true;
  print_attack(*attack);
  attack->context->stop();
}

int run_attack(const Options& options, const std::vector<Site>& sites,
               const tcp::resolver::results_type& endpoints, ssl::context& tls) {
  asio::io_context context(1);
  Attack attack;
  attack.options = &options;
  attack.sites = &sites;
  attack.context = &context;
  attack.tls = &tls;
  attack.endpoints = endpoints;
  asio::signal_set signals(context, SIGINT, SIGTERM);
  signals.async_wait([&attack, &context](const boost::system::error_code& ec, int) {
    if (ec) return;
    attack.stopping = true;
    if (attack.window_end) {
      attack.window_end->cancel();
    } else {
      context.stop();
    }
  });
  asio::co_spawn(context, run_attack_window(&attack), [](std::exception_ptr e) {
    if (e) std::rethrow_exception(e);
  });
  context.run();
  return attack.measuring ? 0 : 1;
}

int parse_int(const std::string& value) { return std::stoi(value); }

}  // namespace

int main(int argc, char** argv) {
  Options options;
  try {
    if (argc < 2) throw std::runtime_error("usage: clueline_flood attack|honest [options]");
    options.mode = argv[1];
    if (options.mode != "attack" && options.mode != "honest") {
      throw std::runtime_error("the first argument is attack or honest");
    }
    for (int i = 2; i < argc; ++i) {
      const std::string name = argv[i];
      if (i + 1 >= argc) throw std::runtime_error(name + " needs a value");
      const std::string value = argv[++i];
      if (name == "--host") {
        options.host = value;
      } else if (name == "--port") {
        options.port = value;
      } else if (name == "--sites") {
        options.sites_file = value;
      } else if (name == "--category") {
        options.category = value;
      } else if (name == "--strategy") {
        options.strategy = value;
      } else if (name == "--duration") {
        options.duration = parse_int(value);
      } else if (name == "--clients") {
        options.clients = parse_int(value);
      } else if (name == "--pace-ms") {
        const auto dash = value.find('-');
        options.pace_min_ms = parse_int(value.substr(0, dash));
        options.pace_max_ms =
            dash == std::string::npos ? options.pace_min_ms : parse_int(value.substr(dash + 1));
      } else if (name == "--connections") {
        options.connections = parse_int(value);
      } else if (name == "--hold") {
        options.hold = parse_int(value);
      } else if (name == "--slow-interval-ms") {
        options.slow_interval_ms = parse_int(value);
      } else if (name == "--message-bytes") {
        options.message_bytes = std::stoul(value);
      } else if (name == "--ramp-seconds") {
        options.ramp_seconds = parse_int(value);
      } else {
        throw std::runtime_error("unknown option " + name);
      }
    }
    if (options.port.empty() || options.sites_file.empty()) {
      throw std::runtime_error("--port and --sites are required");
    }
    if (options.mode == "attack" && options.strategy.empty()) {
      throw std::runtime_error("attack needs --strategy");
    }
    if (options.duration == 0) options.duration = options.mode == "honest" ? 40 : 600;
    if (options.duration < 1 || options.clients < 1 || options.connections < 1 ||
        options.hold < 1 || options.slow_interval_ms < 1 || options.pace_min_ms < 0 ||
        options.pace_max_ms < options.pace_min_ms ||
        options.message_bytes > crypto::kMaxPayloadPlaintext) {
      throw std::runtime_error("an option is out of range");
    }
  } catch (const std::exception& e) {
    std::cerr << "clueline_flood: " << e.what() << '\n';
    return 2;
  }

  try {
    crypto::initialize();
    const std::vector<Site> sites = read_sites(options.sites_file);
    ssl::context tls(ssl::context::tls_client);
    tls.set_verify_mode(ssl::verify_none);  // the demo's self-signed certificate, on loopback
    // Thousands of held connections: no buffers while they wait.
    SSL_CTX_set_mode(tls.native_handle(), SSL_MODE_RELEASE_BUFFERS);
    asio::io_context resolver_context;
    tcp::resolver resolver(resolver_context);
    const auto endpoints = resolver.resolve(options.host, options.port);
    return options.mode == "honest" ? run_honest(options, sites, endpoints, tls)
                                    : run_attack(options, sites, endpoints, tls);
  } catch (const std::exception& e) {
    std::cerr << "clueline_flood: " << e.what() << '\n';
    return 1;
  }
}
