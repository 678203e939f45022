// A closed-loop HTTPS load generator: N keep-alive TLS connections spread
// over T threads, each sending its next request as soon as the previous
// response arrived. Reports throughput, status counts and latency
// percentiles. Used by bench/intake-bench.sh against clueline and, in the
// same run, against nginx as the baseline.
//
// Plain mode (a fixed request, repeated until --duration is over):
//
//   clueline_loadgen --port 8443 [--path /] [--method GET|POST]
//       [--body-bytes N | --body-file F | --bodies F] [--connections 64]
//       [--threads 2] [--duration 10] [--content-type application/octet-stream]
//       [--label NAME]
//
// --body-bytes N: every request carries the same N-byte body.
// --bodies F: a file of u32 big-endian length-prefixed bodies; each is sent
// exactly once (clueline refuses a replayed proof of work), and the run ends
// when they are used up or the duration is over.
//
// Submit mode (durable report submissions, docs/api.md):
//
//   clueline_loadgen --port 8443 --submit --site-token TOKEN --category C
//       [--accused-level L] --count N [--connections 64] [--threads 2]
//       [--duration 120] [--build-threads 0]
//
// Phase 1 (not timed) fetches N route answers (GET /api/v1/route), solves
// each proof of work and seals N distinct envelopes; phase 2 (timed) posts
// each envelope once to /api/v1/reports and counts only 201 answers, which
// clueline sends after the write-ahead log is synced.
//
//   clueline_loadgen --submit --dry-run --count N [--difficulty D]
//
// builds N envelopes offline against a local unit key (and a locally signed
// site token unless --site-token is given) and checks every one with
// parse_envelope, verify_pow and open_envelope; no server needed.
#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/json.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
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
#include "clueline/crypto/pow.hpp"
#include "clueline/crypto/site_token.hpp"
#include "route_answer.hpp"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
namespace crypto = clueline::crypto;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using clueline::bench::decode;
using clueline::bench::parse_route;
using clueline::bench::Route;

constexpr std::size_t kUnlimited = std::numeric_limits<std::size_t>::max();
// A server that stops answering must not hang the benchmark forever.
constexpr auto kOperationTimeout = std::chrono::seconds(30);
constexpr std::string_view kReportBody = R"({"v":1,"text":"bench"})";

struct Settings {
  std::string host = "127.0.0.1";
  std::string port = "8443";
  std::string path = "/";
  http::verb method = http::verb::get;
  std::string content_type = "application/octet-stream";
  std::string label = "loadgen";
  int connections = 64;
  int threads = 2;
  std::optional<int> duration_seconds;  // default 10, or 120 in submit mode
  // Submit mode.
  bool submit = false;
  bool dry_run = false;
  std::string site_token;
  std::string category;
  std::string accused_level;
  std::size_t count = 0;
  unsigned dry_run_difficulty = 0;
  unsigned build_threads = 0;  // 0: one per hardware thread
};

struct Tally {
  std::vector<double> latencies_ms;
  std::map<unsigned, std::uint64_t> statuses;
  std::uint64_t errors = 0;  // connections that ended on an exception
};

// One closed-loop phase: what to send, how often, and what came back.
// Shared by every connection of the phase.
struct Run {
  std::string host;
  std::string port;
  std::string path;
  http::verb method = http::verb::get;
  std::string content_type;
  std::vector<std::string> bodies;  // empty: requests without a body
  bool reuse_body = false;          // bodies.front() for every request
  std::size_t limit = kUnlimited;   // most requests in the phase
  Clock::time_point deadline;
  // When set (sized to `limit`), the body of each 200 answer is kept at the
  // index of its request: phase 1 of submit mode reads the route answers.
  std::vector<std::string>* answers = nullptr;

  std::atomic<std::size_t> next{0};
  std::mutex mutex;
  Tally tally;

  // The index of the next request to send, or nothing once the phase is over.
  std::optional<std::size_t> take() {
    if (Clock::now() >= deadline) return std::nullopt;
    const std::size_t index = next.fetch_add(1, std::memory_order_relaxed);
    if (index >= limit) return std::nullopt;
    return index;
  }

  http::request<http::string_body> make_request(std::size_t index) {
    http::request<http::string_body> request{method, path, 11};
    request.set(http::field::host, host);
    if (!bodies.empty()) {
      request.set(http::field::content_type, content_type);
      // Single-use bodies are moved out: they are not needed again, and
      // submit mode holds a few hundred megabytes of envelopes.
      request.body() = reuse_body ? bodies.front() : std::move(bodies[index]);
    }
    request.prepare_payload();
    return request;
  }

  void merge(Tally& mine) {
    std::lock_guard lock(mutex);
    tally.latencies_ms.insert(tally.latencies_ms.end(), mine.latencies_ms.begin(),
                              mine.latencies_ms.end());
    for (const auto& [status, count] : mine.statuses) tally.statuses[status] += count;
    tally.errors += mine.errors;
  }
};

asio::awaitable<void> run_connection(ssl::context* tls, Run* run) {
  auto executor = co_await asio::this_coro::executor;
  Tally mine;
  try {
    tcp::resolver resolver(executor);
    const auto endpoints =
        co_await resolver.async_resolve(run->host, run->port, asio::use_awaitable);
    std::optional<std::size_t> index = run->take();
    // A server may close a keep-alive connection (after an error answer, for
    // instance); open a new one rather than lose a connection of the load.
    while (index) {
      beast::ssl_stream<beast::tcp_stream> stream(executor, *tls);
      beast::get_lowest_layer(stream).expires_after(kOperationTimeout);
      co_await beast::get_lowest_layer(stream).async_connect(endpoints, asio::use_awaitable);
      beast::get_lowest_layer(stream).socket().set_option(tcp::no_delay(true));
      co_await stream.async_handshake(ssl::stream_base::client, asio::use_awaitable);
      beast::flat_buffer buffer;
      bool keep_alive = true;
      while (index && keep_alive) {
        auto request = run->make_request(*index);
        beast::get_lowest_layer(stream).expires_after(kOperationTimeout);
        const auto started = Clock::now();
        co_await http::async_write(stream, request, asio::use_awaitable);
        http::response<http::string_body> response;
        co_await http::async_read(stream, buffer, response, asio::use_awaitable);
        mine.latencies_ms.push_back(
            std::chrono::duration<double, std::milli>(Clock::now() - started).count());
        ++mine.statuses[response.result_int()];
        keep_alive = response.keep_alive();
        if (run->answers != nullptr && response.result() == http::status::ok) {
          (*run->answers)[*index] = std::move(response.body());
        }
        index = run->take();
      }
    }
  } catch (const std::exception&) {
    ++mine.errors;
  }
  run->merge(mine);
}

// Runs `run` to its end over settings.connections connections and returns
// the elapsed seconds (connection set-up included, as for every target).
double run_closed_loop(const Settings& settings, std::chrono::seconds duration, Run& run) {
  ssl::context tls(ssl::context::tls_client);
  tls.set_verify_mode(ssl::verify_none);  // benchmarks run against self-signed loopback servers

  std::vector<std::unique_ptr<asio::io_context>> contexts;
  for (int t = 0; t < settings.threads; ++t) {
    contexts.push_back(std::make_unique<asio::io_context>(1));
  }
  const auto started = Clock::now();
  run.deadline = started + duration;
  for (int c = 0; c < settings.connections; ++c) {
    asio::co_spawn(*contexts[static_cast<std::size_t>(c % settings.threads)],
                   run_connection(&tls, &run), asio::detached);
  }
  std::vector<std::thread> threads;
  for (auto& context : contexts) threads.emplace_back([&context] { context->run(); });
  for (auto& thread : threads) thread.join();
  return std::chrono::duration<double>(Clock::now() - started).count();
}

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto index = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1));
  return sorted[index];
}

std::uint64_t count_statuses(const Tally& tally, unsigned low, unsigned high) {
  std::uint64_t count = 0;
  for (const auto& [status, n] : tally.statuses) {
    if (status >= low && status <= high) count += n;
  }
  return count;
}

// The machine-readable line every mode prints, then the line for people:
// `label: rate unit, p50, p99, connections, ok, failed`, where only answers
// with a status in [ok_low, ok_high] count toward the rate.
void print_results(const Settings& settings, Tally& tally, double elapsed, const std::string& label,
                   const std::string& unit, unsigned ok_low, unsigned ok_high) {
  auto& latencies = tally.latencies_ms;
  std::sort(latencies.begin(), latencies.end());
  std::printf(
      "requests=%zu seconds=%.2f rate=%.0f/s p50_ms=%.2f p99_ms=%.2f max_ms=%.2f "
      "connection_errors=%llu",
      latencies.size(), elapsed, static_cast<double>(latencies.size()) / elapsed,
      percentile(latencies, 0.50), percentile(latencies, 0.99),
      latencies.empty() ? 0.0 : latencies.back(), static_cast<unsigned long long>(tally.errors));
  for (const auto& [status, count] : tally.statuses) {
    std::printf(" status_%u=%llu", status, static_cast<unsigned long long>(count));
  }
  std::printf("\n");
  const std::uint64_t ok = count_statuses(tally, ok_low, ok_high);
  // A connection error loses the request it was carrying, so it counts as
  // one failure.
  const std::uint64_t failed = latencies.size() - ok + tally.errors;
  std::printf("%s: %.1f %s, p50 %.1f ms, p99 %.1f ms, %d connections, %llu ok, %llu failed\n",
              label.c_str(), static_cast<double>(ok) / elapsed, unit.c_str(),
              percentile(latencies, 0.50), percentile(latencies, 0.99), settings.connections,
              static_cast<unsigned long long>(ok), static_cast<unsigned long long>(failed));
  std::fflush(stdout);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  return {std::istreambuf_iterator<char>(in), {}};
}

std::vector<std::string> read_length_prefixed(const std::string& path) {
  const std::string data = read_file(path);
  std::vector<std::string> items;
  std::size_t offset = 0;
  while (offset + 4 <= data.size()) {
    std::uint32_t length = 0;
    for (std::size_t i = 0; i < 4; ++i) {
      length = (length << 8) | static_cast<unsigned char>(data[offset + i]);
    }
    offset += 4;
    if (offset + length > data.size()) throw std::runtime_error("truncated bodies file " + path);
    items.emplace_back(data.substr(offset, length));
    offset += length;
  }
  return items;
}

// ---- Submit mode: route answers, envelopes ----

// One envelope per route: a random reply key, a random (so unique) receipt
// lookup hash, the route's challenge solved at its difficulty. The reply key
// is 32 random bytes rather than generate_box_key_pair(): nobody will reply,
// the server cannot tell the difference, and the key pair's secure-memory
// allocation (mmap, mprotect, mlock) doubled the build time.
std::string build_envelope(const Route& route, const Settings& settings,
                           const std::array<std::byte, crypto::kSiteTokenBytes>& site_token) {
  crypto::EnvelopeHeader header;
  header.site_token = site_token;
  header.category = settings.category;
  header.accused_level = settings.accused_level;
  crypto::random_bytes(header.reply_public_key.bytes);
  crypto::random_bytes(header.receipt_lookup_hash);
  header.pow_challenge = route.challenge;
  header.pow_nonce = crypto::solve_pow(route.challenge, route.difficulty);
  auto envelope = crypto::seal_envelope(header, route.keys, kReportBody);
  if (!envelope) {
    throw std::runtime_error("seal_envelope: " + envelope.error().message());
  }
  return {reinterpret_cast<const char*>(envelope->data()), envelope->size()};
}

unsigned worker_count(unsigned requested) {
  if (requested != 0) return requested;
  return std::max(1u, std::thread::hardware_concurrency());
}

// Builds envelopes[i] from routes[i] on several threads (sealing and proof of
// work cost tens of microseconds each; a run needs a few hundred thousand).
std::vector<std::string> build_envelopes(const std::vector<Route>& routes,
                                         const Settings& settings) {
  const auto raw = decode(settings.site_token, "--site-token");
  if (raw.size() != crypto::kSiteTokenBytes) {
    throw std::runtime_error("--site-token is not a site token (86 bytes of base64url)");
  }
  std::array<std::byte, crypto::kSiteTokenBytes> site_token{};
  std::copy(raw.begin(), raw.end(), site_token.begin());

  std::vector<std::string> envelopes(routes.size());
  std::atomic<std::size_t> next{0};
  std::mutex mutex;
  std::string first_error;
  const auto work = [&] {
    try {
      for (std::size_t i = next.fetch_add(1); i < routes.size(); i = next.fetch_add(1)) {
        envelopes[i] = build_envelope(routes[i], settings, site_token);
      }
    } catch (const std::exception& e) {
      std::lock_guard lock(mutex);
      if (first_error.empty()) first_error = e.what();
      next = routes.size();  // stop the other workers too
    }
  };
  std::vector<std::thread> workers;
  for (unsigned t = 0; t < worker_count(settings.build_threads); ++t) workers.emplace_back(work);
  for (auto& worker : workers) worker.join();
  if (!first_error.empty()) throw std::runtime_error(first_error);
  return envelopes;
}

// Checks what the server will check structurally, plus that the body opens
// for the unit it was sealed to: proof that the builder makes real envelopes.
void verify_envelopes(const std::vector<std::string>& envelopes, const std::vector<Route>& routes,
                      const crypto::BoxKeyPair& unit, const Settings& settings) {
  std::set<std::array<std::byte, 32>> lookup_hashes;
  for (std::size_t i = 0; i < envelopes.size(); ++i) {
    const auto bytes = crypto::as_bytes(envelopes[i]);
    const auto parsed = crypto::parse_envelope(bytes);
    const std::string where = "envelope " + std::to_string(i) + ": ";
    if (!parsed) throw std::runtime_error(where + "parse_envelope: " + parsed.error().message());
    const auto& header = parsed->header;
    if (header.category != settings.category || header.accused_level != settings.accused_level ||
        header.pow_challenge != routes[i].challenge) {
      throw std::runtime_error(where + "header fields differ from what was sealed");
    }
    if (!crypto::verify_pow(header.pow_challenge, header.pow_nonce, routes[i].difficulty)) {
      throw std::runtime_error(where + "proof of work does not verify");
    }
    if (!lookup_hashes.insert(header.receipt_lookup_hash).second) {
      throw std::runtime_error(where + "receipt lookup hash repeated");
    }
    const auto body = crypto::open_envelope(bytes, unit);
    if (!body) throw std::runtime_error(where + "open_envelope: " + body.error().message());
    const std::string_view text(reinterpret_cast<const char*>(body->data()), body->size());
    if (text != kReportBody) throw std::runtime_error(where + "opened body differs");
  }
}

int dry_run(Settings settings) {
  const crypto::BoxKeyPair unit = crypto::generate_box_key_pair();
  if (settings.site_token.empty()) {
    const auto signing = crypto::generate_signing_key_pair();
    settings.site_token = crypto::sign_site_token({.site_id = 1, .token_version = 1}, signing);
  }
  std::vector<Route> routes(settings.count);
  for (auto& route : routes) {
    route.keys = {unit.public_key};
    crypto::random_bytes(route.challenge);
    route.difficulty = settings.dry_run_difficulty;
  }
  const auto started = Clock::now();
  const auto envelopes = build_envelopes(routes, settings);
  const double build_seconds = std::chrono::duration<double>(Clock::now() - started).count();
  verify_envelopes(envelopes, routes, unit, settings);
  std::printf(
      "clueline dry run: %zu envelopes (%zu bytes each) built in %.2f s (%.0f/s, %u threads, "
      "difficulty %u), all parse, verify and open\n",
      envelopes.size(), envelopes.empty() ? std::size_t{0} : envelopes.front().size(),
      build_seconds, static_cast<double>(envelopes.size()) / build_seconds,
      worker_count(settings.build_threads), settings.dry_run_difficulty);
  return 0;
}

std::vector<Route> fetch_routes(const Settings& settings) {
  Run run;
  run.host = settings.host;
  run.port = settings.port;
  run.path = "/api/v1/route?site=" + settings.site_token + "&category=" + settings.category;
  if (!settings.accused_level.empty()) run.path += "&accused_level=" + settings.accused_level;
  run.method = http::verb::get;
  run.limit = settings.count;
  std::vector<std::string> answers(settings.count);
  run.answers = &answers;
  const double elapsed = run_closed_loop(settings, std::chrono::hours(1), run);

  std::vector<Route> routes;
  routes.reserve(answers.size());
  for (const auto& answer : answers) {
    if (!answer.empty()) routes.push_back(parse_route(answer));
  }
  std::fprintf(stderr,
               "clueline_loadgen: phase 1: %zu route answers in %.1f s, connection_errors=%llu",
               routes.size(), elapsed, static_cast<unsigned long long>(run.tally.errors));
  for (const auto& [status, count] : run.tally.statuses) {
    std::fprintf(stderr, " status_%u=%llu", status, static_cast<unsigned long long>(count));
  }
  std::fprintf(stderr, "\n");
  if (routes.size() != settings.count) {
    throw std::runtime_error("phase 1 got " + std::to_string(routes.size()) + " of " +
                             std::to_string(settings.count) + " route answers");
  }
  return routes;
}

int submit(const Settings& settings) {
  const auto routes = fetch_routes(settings);
  std::map<unsigned, std::size_t> difficulties;
  for (const auto& route : routes) ++difficulties[route.difficulty];
  const auto build_started = Clock::now();
  Run run;
  run.bodies = build_envelopes(routes, settings);
  std::fprintf(stderr, "clueline_loadgen: phase 1: %zu envelopes of %zu bytes built in %.1f s",
               run.bodies.size(), run.bodies.front().size(),
               std::chrono::duration<double>(Clock::now() - build_started).count());
  for (const auto& [difficulty, count] : difficulties) {
    std::fprintf(stderr, " difficulty_%u=%zu", difficulty, count);
  }
  std::fprintf(stderr, "\n");

  run.host = settings.host;
  run.port = settings.port;
  run.path = "/api/v1/reports";
  run.method = http::verb::post;
  run.content_type = "application/octet-stream";
  run.limit = run.bodies.size();
  const double elapsed =
      run_closed_loop(settings, std::chrono::seconds(settings.duration_seconds.value_or(120)), run);
  const std::size_t sent = std::min(run.next.load(), run.limit);
  if (sent < run.limit) {
    std::fprintf(stderr, "clueline_loadgen: the duration ended the run: %zu envelopes not sent\n",
                 run.limit - sent);
  }
  print_results(settings, run.tally, elapsed, "clueline submit", "durable submissions/s", 201, 201);
  const std::uint64_t ok = count_statuses(run.tally, 201, 201);
  return ok == run.tally.latencies_ms.size() && run.tally.errors == 0 ? 0 : 1;
}

int plain(const Settings& settings, std::vector<std::string> bodies, bool reuse_body) {
  Run run;
  run.host = settings.host;
  run.port = settings.port;
  run.path = settings.path;
  run.method = settings.method;
  run.content_type = settings.content_type;
  run.bodies = std::move(bodies);
  run.reuse_body = reuse_body;
  if (!reuse_body && !run.bodies.empty()) run.limit = run.bodies.size();
  const double elapsed =
      run_closed_loop(settings, std::chrono::seconds(settings.duration_seconds.value_or(10)), run);
  print_results(settings, run.tally, elapsed, settings.label, "requests/s", 200, 299);
  return run.tally.errors == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Settings settings;
  std::vector<std::string> bodies;
  bool reuse_body = false;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string name = argv[i];
      if (name == "--submit") {
        settings.submit = true;
        continue;
      }
      if (name == "--dry-run") {
        settings.dry_run = true;
        continue;
      }
      if (i + 1 >= argc) throw std::runtime_error(name + " needs a value");
      const std::string value = argv[++i];
      if (name == "--host") {
        settings.host = value;
      } else if (name == "--port") {
        settings.port = value;
      } else if (name == "--path") {
        settings.path = value;
      } else if (name == "--method") {
        settings.method = http::string_to_verb(value);
        if (settings.method == http::verb::unknown) {
          throw std::runtime_error("unknown method " + value);
        }
      } else if (name == "--content-type") {
        settings.content_type = value;
      } else if (name == "--label") {
        settings.label = value;
      } else if (name == "--connections") {
        settings.connections = std::stoi(value);
      } else if (name == "--threads") {
        settings.threads = std::stoi(value);
      } else if (name == "--duration") {
        settings.duration_seconds = std::stoi(value);
      } else if (name == "--body-bytes") {
        bodies = {std::string(std::stoul(value), 'x')};
        reuse_body = true;
      } else if (name == "--body-file") {
        bodies = {read_file(value)};
        reuse_body = true;
      } else if (name == "--bodies") {
        bodies = read_length_prefixed(value);
        reuse_body = false;
      } else if (name == "--site-token") {
        settings.site_token = value;
      } else if (name == "--category") {
        settings.category = value;
      } else if (name == "--accused-level") {
        settings.accused_level = value;
      } else if (name == "--count") {
        settings.count = std::stoul(value);
      } else if (name == "--difficulty") {
        settings.dry_run_difficulty = static_cast<unsigned>(std::stoul(value));
      } else if (name == "--build-threads") {
        settings.build_threads = static_cast<unsigned>(std::stoul(value));
      } else {
        throw std::runtime_error("unknown option " + name);
      }
    }
    if (settings.connections < 1 || settings.threads < 1) {
      throw std::runtime_error("--connections and --threads must be at least 1");
    }
    if (settings.submit) {
      if (settings.category.empty() || settings.count == 0) {
        throw std::runtime_error("--submit needs --category and --count");
      }
      if (settings.site_token.empty() && !settings.dry_run) {
        throw std::runtime_error("--submit needs --site-token");
      }
      if (!crypto::is_routing_field(settings.category, 1) ||
          !crypto::is_routing_field(settings.accused_level, 0)) {
        throw std::runtime_error("--category and --accused-level are 1..32 (0..32) of [a-z0-9_]");
      }
      if (settings.dry_run_difficulty > crypto::kMaxPowDifficulty) {
        throw std::runtime_error("--difficulty is at most 32");
      }
    }
    if (settings.dry_run && !settings.submit) throw std::runtime_error("--dry-run needs --submit");
  } catch (const std::exception& e) {
    std::cerr << "clueline_loadgen: " << e.what() << '\n';
    return 2;
  }

  try {
    if (settings.submit) {
      crypto::initialize();
      return settings.dry_run ? dry_run(settings) : submit(settings);
    }
    return plain(settings, std::move(bodies), reuse_body);
  } catch (const std::exception& e) {
    std::cerr << "clueline_loadgen: " << e.what() << '\n';
    return 1;
  }
}
