// A closed-loop HTTPS load generator: N keep-alive TLS connections spread
// over T threads, each sending its next request as soon as the previous
// response arrived. Reports throughput, status counts and latency
// percentiles. Used by bench/*.sh against clueline and, in the same run,
// against nginx as the baseline.
//
//   clueline_loadgen --port 8443 --path /api/v1/reports --method POST
//       (--body-file F | --bodies F) [--connections 64] [--threads 2]
//       [--duration 10] [--content-type application/octet-stream]
//
// --bodies F: a file of u32 big-endian length-prefixed bodies; each is sent
// exactly once (clueline refuses a replayed proof of work), and the run ends
// when they are used up or the duration is over.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Settings {
  std::string host = "127.0.0.1";
  std::string port = "8443";
  std::string path = "/";
  http::verb method = http::verb::get;
  std::string content_type = "application/octet-stream";
  int connections = 64;
  int threads = 2;
  int duration_seconds = 10;
};

struct Bodies {
  std::vector<std::string> items;
  bool reuse = false;  // one constant body for every request
  std::atomic<std::size_t> next{0};

  const std::string* take() {
    if (reuse) return items.empty() ? nullptr : &items.front();
    const std::size_t index = next.fetch_add(1, std::memory_order_relaxed);
    return index < items.size() ? &items[index] : nullptr;
  }
};

struct Results {
  std::mutex mutex;
  std::vector<double> latencies_ms;
  std::map<unsigned, std::uint64_t> statuses;
  std::uint64_t errors = 0;

  void merge(std::vector<double>& latencies, std::map<unsigned, std::uint64_t>& statuses_in,
             std::uint64_t errors_in) {
    std::lock_guard lock(mutex);
    latencies_ms.insert(latencies_ms.end(), latencies.begin(), latencies.end());
    for (const auto& [status, count] : statuses_in) statuses[status] += count;
    errors += errors_in;
  }
};

struct Shared {
  Settings settings;
  Bodies bodies;
  Results results;
  Clock::time_point deadline;
};

asio::awaitable<void> run_connection(ssl::context* tls, Shared* shared) {
  auto executor = co_await asio::this_coro::executor;
  std::vector<double> latencies;
  std::map<unsigned, std::uint64_t> statuses;
  std::uint64_t errors = 0;
  try {
    tcp::resolver resolver(executor);
    beast::ssl_stream<beast::tcp_stream> stream(executor, *tls);
    const auto endpoints =
        co_await resolver.async_resolve(shared->settings.host, shared->settings.port, asio::use_awaitable);
    co_await beast::get_lowest_layer(stream).async_connect(endpoints, asio::use_awaitable);
    beast::get_lowest_layer(stream).socket().set_option(tcp::no_delay(true));
    co_await stream.async_handshake(ssl::stream_base::client, asio::use_awaitable);
    beast::flat_buffer buffer;
    while (Clock::now() < shared->deadline) {
      const std::string* body = shared->bodies.take();
      if (body == nullptr) break;
      http::request<http::string_body> request{shared->settings.method, shared->settings.path, 11};
      request.set(http::field::host, shared->settings.host);
      if (shared->settings.method != http::verb::get) {
        request.set(http::field::content_type, shared->settings.content_type);
        request.body() = *body;
      }
      request.prepare_payload();
      const auto started = Clock::now();
      co_await http::async_write(stream, request, asio::use_awaitable);
      http::response<http::string_body> response;
      co_await http::async_read(stream, buffer, response, asio::use_awaitable);
      latencies.push_back(std::chrono::duration<double, std::milli>(Clock::now() - started).count());
      ++statuses[response.result_int()];
      if (!response.keep_alive()) break;
    }
  } catch (const std::exception&) {
    ++errors;
  }
  shared->results.merge(latencies, statuses, errors);
}

double percentile(std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const auto index = static_cast<std::size_t>(p * static_cast<double>(sorted.size() - 1));
  return sorted[index];
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
    const auto byte = [&](std::size_t i) { return static_cast<std::uint32_t>(static_cast<unsigned char>(data[offset + i])); };
    const std::uint32_t length = (byte(0) << 24) | (byte(1) << 16) | (byte(2) << 8) | byte(3);
    offset += 4;
    if (offset + length > data.size()) throw std::runtime_error("truncated bodies file " + path);
    items.emplace_back(data.substr(offset, length));
    offset += length;
  }
  return items;
}

}  // namespace

int main(int argc, char** argv) {
  Shared shared;
  Settings& settings = shared.settings;
  try {
    for (int i = 1; i + 1 < argc; i += 2) {
      const std::string name = argv[i];
      const std::string value = argv[i + 1];
      if (name == "--host") settings.host = value;
      else if (name == "--port") settings.port = value;
      else if (name == "--path") settings.path = value;
      else if (name == "--method") settings.method = http::string_to_verb(value);
      else if (name == "--content-type") settings.content_type = value;
      else if (name == "--connections") settings.connections = std::stoi(value);
      else if (name == "--threads") settings.threads = std::stoi(value);
      else if (name == "--duration") settings.duration_seconds = std::stoi(value);
      else if (name == "--body-file") {
        shared.bodies.items = {read_file(value)};
        shared.bodies.reuse = true;
      } else if (name == "--bodies") {
        shared.bodies.items = read_length_prefixed(value);
      } else {
        throw std::runtime_error("unknown option " + name);
      }
    }
    if (shared.bodies.items.empty()) {
      shared.bodies.items = {std::string()};
      shared.bodies.reuse = true;
    }
  } catch (const std::exception& e) {
    std::cerr << "clueline_loadgen: " << e.what() << '\n';
    return 2;
  }

  ssl::context tls(ssl::context::tls_client);
  tls.set_verify_mode(ssl::verify_none);  // benchmarks run against self-signed loopback servers

  std::vector<std::unique_ptr<asio::io_context>> contexts;
  for (int t = 0; t < settings.threads; ++t) contexts.push_back(std::make_unique<asio::io_context>(1));
  const auto started = Clock::now();
  shared.deadline = started + std::chrono::seconds(settings.duration_seconds);
  for (int c = 0; c < settings.connections; ++c) {
    asio::co_spawn(*contexts[static_cast<std::size_t>(c % settings.threads)], run_connection(&tls, &shared),
                   asio::detached);
  }
  std::vector<std::thread> threads;
  for (auto& context : contexts) threads.emplace_back([&context] { context->run(); });
  for (auto& thread : threads) thread.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - started).count();

  auto& latencies = shared.results.latencies_ms;
  std::sort(latencies.begin(), latencies.end());
  std::printf("requests=%zu seconds=%.2f rate=%.0f/s p50_ms=%.2f p99_ms=%.2f max_ms=%.2f connection_errors=%llu",
              latencies.size(), elapsed, static_cast<double>(latencies.size()) / elapsed,
              percentile(latencies, 0.50), percentile(latencies, 0.99),
              latencies.empty() ? 0.0 : latencies.back(),
              static_cast<unsigned long long>(shared.results.errors));
  for (const auto& [status, count] : shared.results.statuses) {
    std::printf(" status_%u=%llu", status, static_cast<unsigned long long>(count));
  }
  std::printf("\n");
  return shared.results.errors == 0 ? 0 : 1;
}
