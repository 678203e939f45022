#include "metrics.hpp"

#include <charconv>
#include <string_view>

namespace clueline::server {

Metrics::Metrics(std::string listener, std::vector<std::string> route_names)
    : listener_(std::move(listener)),
      route_names_(std::move(route_names)),
      routes_(std::make_unique<RouteSeries[]>(route_names_.size())) {}

void Metrics::record_request(std::size_t route_index, unsigned status,
                             std::chrono::steady_clock::duration latency) noexcept {
  if (route_index >= route_names_.size()) route_index = 0;
  RouteSeries& series = routes_[route_index];
  series.by_status[status < kStatusSlots ? status : 0].fetch_add(1, std::memory_order_relaxed);
  const double seconds = std::chrono::duration<double>(latency).count();
  std::size_t bucket = 0;
  while (bucket < kBucketsSeconds.size() && seconds > kBucketsSeconds[bucket]) ++bucket;
  series.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  series.count.fetch_add(1, std::memory_order_relaxed);
  const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(latency).count();
  series.sum_microseconds.fetch_add(static_cast<std::uint64_t>(micros), std::memory_order_relaxed);
}

void Metrics::connection_opened() noexcept {
  open_connections_.fetch_add(1, std::memory_order_relaxed);
  accepted_.fetch_add(1, std::memory_order_relaxed);
}
void Metrics::connection_closed() noexcept {
  open_connections_.fetch_sub(1, std::memory_order_relaxed);
}
void Metrics::connection_rejected() noexcept { rejected_.fetch_add(1, std::memory_order_relaxed); }
void Metrics::idle_connection_closed() noexcept {
  idle_closed_.fetch_add(1, std::memory_order_relaxed);
}
void Metrics::handshake_failed() noexcept {
  handshake_failures_.fetch_add(1, std::memory_order_relaxed);
}
std::int64_t Metrics::open_connections() const noexcept {
  return open_connections_.load(std::memory_order_relaxed);
}

namespace {

void append_number(std::string& out, double value) {
  char buffer[64];
  const auto [end, ec] =
      std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::fixed);
  out.append(buffer, ec == std::errc{} ? end : buffer);
}

void append_number(std::string& out, std::uint64_t value) { out += std::to_string(value); }
void append_number(std::string& out, std::int64_t value) { out += std::to_string(value); }

void append_header(std::string& out, std::string_view name, std::string_view type,
                   std::string_view help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

// `name{labels} value\n`
template <typename Number>
void append_sample(std::string& out, std::string_view name, std::string_view labels, Number value) {
  out.append(name);
  if (!labels.empty()) out.append("{").append(labels).append("}");
  out.append(" ");
  append_number(out, value);
  out.append("\n");
}

}  // namespace

void render_gauge(std::string& out, std::string_view name, std::string_view help, double value) {
  append_header(out, name, "gauge", help);
  append_sample(out, name, "", value);
}

void render_counter(std::string& out, std::string_view name, std::string_view help, double value) {
  append_header(out, name, "counter", help);
  append_sample(out, name, "", value);
}

void Metrics::render(std::string& out) const {
  const Metrics* self = this;
  render(out, std::span<const Metrics* const>(&self, 1));
}

void Metrics::render(std::string& out, std::span<const Metrics* const> sets) {
  const auto listener_label = [](const Metrics& set) {
    return "listener=\"" + set.listener_ + "\"";
  };
  const auto route_labels = [&](const Metrics& set, std::size_t r) {
    return listener_label(set) + ",route=\"" + set.route_names_[r] + "\"";
  };

  append_header(out, "clueline_http_requests_total", "counter",
                "HTTP requests answered, by route and status.");
  for (const Metrics* set : sets) {
    for (std::size_t r = 0; r < set->route_names_.size(); ++r) {
      for (unsigned status = 0; status < kStatusSlots; ++status) {
        const std::uint64_t n = set->routes_[r].by_status[status].load(std::memory_order_relaxed);
        if (n == 0) continue;
        append_sample(out, "clueline_http_requests_total",
                      route_labels(*set, r) + ",status=\"" + std::to_string(status) + "\"", n);
      }
    }
  }

  append_header(out, "clueline_http_request_duration_seconds", "histogram",
                "Time from the end of the request head to the end of the response write.");
  for (const Metrics* set : sets) {
    for (std::size_t r = 0; r < set->route_names_.size(); ++r) {
      const RouteSeries& series = set->routes_[r];
      if (series.count.load(std::memory_order_relaxed) == 0) continue;
      const std::string labels = route_labels(*set, r);
      std::uint64_t cumulative = 0;
      for (std::size_t b = 0; b <= kBucketsSeconds.size(); ++b) {
        cumulative += series.buckets[b].load(std::memory_order_relaxed);
        std::string le = "+Inf";
        if (b < kBucketsSeconds.size()) {
          le.clear();
          append_number(le, kBucketsSeconds[b]);
        }
        append_sample(out, "clueline_http_request_duration_seconds_bucket",
                      labels + ",le=\"" + le + "\"", cumulative);
      }
      // _count must equal the +Inf bucket, so it is taken from the bucket
      // reads rather than from the separate counter, which may have moved
      // meanwhile.
      append_sample(
          out, "clueline_http_request_duration_seconds_sum", labels,
          static_cast<double>(series.sum_microseconds.load(std::memory_order_relaxed)) / 1e6);
      append_sample(out, "clueline_http_request_duration_seconds_count", labels, cumulative);
    }
  }

  append_header(out, "clueline_open_connections", "gauge", "Connections currently open.");
  for (const Metrics* set : sets) {
    append_sample(out, "clueline_open_connections", listener_label(*set), set->open_connections());
  }
  const auto counter_family = [&](std::string_view name, std::string_view help,
                                  std::atomic<std::uint64_t> Metrics::*member) {
    append_header(out, name, "counter", help);
    for (const Metrics* set : sets) {
      append_sample(out, name, listener_label(*set),
                    (set->*member).load(std::memory_order_relaxed));
    }
  };
  counter_family("clueline_connections_accepted_total", "Connections accepted.",
                 &Metrics::accepted_);
  counter_family("clueline_connections_rejected_total",
                 "Connections closed at once: max_connections was reached and none was idle.",
                 &Metrics::rejected_);
  counter_family("clueline_connections_idle_closed_total",
                 "Idle connections closed, oldest idle first, to make room for a new one at "
                 "max_connections.",
                 &Metrics::idle_closed_);
  counter_family("clueline_tls_handshake_failures_total",
                 "TLS handshakes that failed or timed out.", &Metrics::handshake_failures_);
}

}  // namespace clueline::server
