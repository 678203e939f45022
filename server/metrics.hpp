// Request counters, latency histograms and connection gauges, rendered in
// the Prometheus text exposition format.
//
// Thread safety: record_* may be called from any thread concurrently (relaxed
// atomics: counts are eventually consistent, never torn); render() may run
// at the same time.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace clueline::server {

class Metrics {
 public:
  // `listener` labels this set ("public" or "ops"); `route_names` come from
  // the Router, index 0 being "unmatched".
  Metrics(std::string listener, std::vector<std::string> route_names);

  void record_request(std::size_t route_index, unsigned status,
                      std::chrono::steady_clock::duration latency) noexcept;
  void connection_opened() noexcept;
  void connection_closed() noexcept;
  void connection_rejected() noexcept;     // over max_connections, none idle to close
  void idle_connection_closed() noexcept;  // the oldest idle one, to make room
  void handshake_failed() noexcept;

  std::int64_t open_connections() const noexcept;

  // Appends the families of every set in `sets` (one per listener): each
  // family once, HELP and TYPE first, then its samples from every set, so
  // that the exposition is valid (a family's samples are contiguous).
  static void render(std::string& out, std::span<const Metrics* const> sets);
  // The same for this set alone.
  void render(std::string& out) const;

 private:
  static constexpr std::array<double, 12> kBucketsSeconds{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                          0.05,   0.1,   0.25,   0.5,   1.0,  5.0};
  static constexpr unsigned kStatusSlots = 600;

  struct RouteSeries {
    std::array<std::atomic<std::uint64_t>, kStatusSlots> by_status{};
    std::array<std::atomic<std::uint64_t>, kBucketsSeconds.size() + 1> buckets{};
    std::atomic<std::uint64_t> count{0};
    std::atomic<std::uint64_t> sum_microseconds{0};
  };

  std::string listener_;
  std::vector<std::string> route_names_;
  std::unique_ptr<RouteSeries[]> routes_;
  std::atomic<std::int64_t> open_connections_{0};
  std::atomic<std::uint64_t> accepted_{0};
  std::atomic<std::uint64_t> rejected_{0};
  std::atomic<std::uint64_t> idle_closed_{0};
  std::atomic<std::uint64_t> handshake_failures_{0};
};

// Appends one gauge sample line `name value` (with HELP/TYPE when asked).
void render_gauge(std::string& out, std::string_view name, std::string_view help, double value);
// The same for a counter (a value that only grows; `name` ends in _total).
void render_counter(std::string& out, std::string_view name, std::string_view help, double value);

}  // namespace clueline::server
