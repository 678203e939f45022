#include "metrics.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

namespace clueline::server {
namespace {

using std::chrono::microseconds;
using std::chrono::milliseconds;

bool contains(const std::string& text, const std::string& needle) {
  return text.find(needle) != std::string::npos;
}

TEST(Metrics, GaugesAndCountersCarryTheirTypes) {
  std::string out;
  render_gauge(out, "clueline_example_seconds", "An example gauge.", 1.5);
  render_counter(out, "clueline_example_total", "An example counter.", 42);
  EXPECT_EQ(out,
            "# HELP clueline_example_seconds An example gauge.\n"
            "# TYPE clueline_example_seconds gauge\n"
            "clueline_example_seconds 1.5\n"
            "# HELP clueline_example_total An example counter.\n"
            "# TYPE clueline_example_total counter\n"
            "clueline_example_total 42\n");
}

TEST(Metrics, CountsByRouteAndStatus) {
  Metrics metrics("public", {"unmatched", "index"});
  metrics.record_request(1, 200, milliseconds(1));
  metrics.record_request(1, 200, milliseconds(1));
  metrics.record_request(0, 404, milliseconds(1));
  std::string text;
  metrics.render(text);
  EXPECT_TRUE(contains(
      text, "clueline_http_requests_total{listener=\"public\",route=\"index\",status=\"200\"} 2\n"))
      << text;
  EXPECT_TRUE(contains(
      text,
      "clueline_http_requests_total{listener=\"public\",route=\"unmatched\",status=\"404\"} 1\n"));
  EXPECT_FALSE(contains(text, "status=\"500\""));
}

TEST(Metrics, HistogramIsCumulativeAndCountMatchesInf) {
  Metrics metrics("public", {"unmatched", "index"});
  metrics.record_request(1, 200, microseconds(300));        // <= 0.0005
  metrics.record_request(1, 200, milliseconds(20));         // <= 0.025
  metrics.record_request(1, 200, std::chrono::seconds(9));  // > 5: +Inf only
  std::string text;
  metrics.render(text);
  const std::string prefix =
      "clueline_http_request_duration_seconds_bucket{listener=\"public\",route=\"index\",";
  EXPECT_TRUE(contains(text, prefix + "le=\"0.0005\"} 1\n")) << text;
  EXPECT_TRUE(contains(text, prefix + "le=\"0.01\"} 1\n"));
  EXPECT_TRUE(contains(text, prefix + "le=\"0.025\"} 2\n"));
  EXPECT_TRUE(contains(text, prefix + "le=\"5\"} 2\n"));
  EXPECT_TRUE(contains(text, prefix + "le=\"+Inf\"} 3\n"));
  EXPECT_TRUE(contains(
      text,
      "clueline_http_request_duration_seconds_count{listener=\"public\",route=\"index\"} 3\n"));
  EXPECT_TRUE(contains(
      text,
      "clueline_http_request_duration_seconds_sum{listener=\"public\",route=\"index\"} 9.0203\n"));
}

TEST(Metrics, EachFamilyOfSeveralListenersIsDeclaredOnceWithItsSamplesTogether) {
  Metrics public_set("public", {"unmatched", "index"});
  Metrics ops_set("ops", {"unmatched", "metrics"});
  public_set.record_request(1, 200, milliseconds(1));
  ops_set.record_request(1, 200, milliseconds(1));
  public_set.connection_opened();
  ops_set.connection_opened();
  const Metrics* sets[] = {&public_set, &ops_set};
  std::string text;
  Metrics::render(text, sets);
  // Walk the lines: a family, once it has ended, never comes back.
  std::vector<std::string> families_seen;
  std::size_t type_lines = 0;
  for (std::size_t start = 0; start < text.size();) {
    const std::size_t end = text.find('\n', start);
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    if (line.starts_with("# TYPE ")) ++type_lines;
    if (line.starts_with("#")) continue;
    std::string family = line.substr(0, line.find_first_of("{ "));
    for (const char* suffix : {"_bucket", "_sum", "_count"}) {
      if (family.starts_with("clueline_http_request_duration_seconds") &&
          family.ends_with(suffix)) {
        family = "clueline_http_request_duration_seconds";
      }
    }
    if (families_seen.empty() || families_seen.back() != family) {
      EXPECT_EQ(std::count(families_seen.begin(), families_seen.end(), family), 0)
          << family << " is split:\n"
          << text;
      families_seen.push_back(family);
    }
  }
  EXPECT_EQ(type_lines, families_seen.size()) << text;
  EXPECT_TRUE(contains(text, "clueline_open_connections{listener=\"public\"} 1\n"));
  EXPECT_TRUE(contains(text, "clueline_open_connections{listener=\"ops\"} 1\n"));
}

TEST(Metrics, ConnectionGaugeFollowsOpenAndClose) {
  Metrics metrics("public", {"unmatched"});
  metrics.connection_opened();
  metrics.connection_opened();
  metrics.connection_closed();
  metrics.connection_rejected();
  EXPECT_EQ(metrics.open_connections(), 1);
  std::string text;
  metrics.render(text);
  EXPECT_TRUE(contains(text, "clueline_open_connections{listener=\"public\"} 1\n"));
  EXPECT_TRUE(contains(text, "clueline_connections_accepted_total{listener=\"public\"} 2\n"));
  EXPECT_TRUE(contains(text, "clueline_connections_rejected_total{listener=\"public\"} 1\n"));
}

TEST(Metrics, OutOfRangeIndexAndStatusAreCountedNotLost) {
  Metrics metrics("public", {"unmatched", "index"});
  metrics.record_request(99, 200, milliseconds(1));
  metrics.record_request(1, 999, milliseconds(1));
  std::string text;
  metrics.render(text);
  EXPECT_TRUE(contains(text, "route=\"unmatched\",status=\"200\"} 1\n")) << text;
  EXPECT_TRUE(contains(text, "route=\"index\",status=\"0\"} 1\n"));
}

TEST(Metrics, ConcurrentRecordingLosesNothing) {
  Metrics metrics("public", {"unmatched", "index"});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&metrics] {
      for (int i = 0; i < 10000; ++i) metrics.record_request(1, 200, microseconds(100));
    });
  }
  for (auto& thread : threads) thread.join();
  std::string text;
  metrics.render(text);
  EXPECT_TRUE(contains(text, "route=\"index\",status=\"200\"} 40000\n")) << text;
}

}  // namespace
}  // namespace clueline::server
