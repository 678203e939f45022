// Supervisor reads at scale: a page of 50 of a unit's queue with 10^6 clues
// in the database, and a unit's statistics with 10^5 clues of its own, each
// timed as the server runs it (the service call, its hop to the blocking
// pool and its RocksDB reads; not TLS or HTTP parsing). The baseline of the
// same run is a bare RocksDB scan of 50 queue-index keys.
//
//   clueline_queue_bench [--clues N] [--unit-clues M] [--rounds R] [--dir DIR]
//
// Prints one line per measurement: p50, p99 and the ratio of p50 to the
// baseline's p50. See bench/README.md.
#include <unistd.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "clueline/routing/deadlines.hpp"
#include "clueline/services/clue_stats.hpp"
#include "clueline/services/clue_work.hpp"
#include "clueline/services/config.hpp"
#include "clueline/services/registry.hpp"
#include "clueline/storage/claims.hpp"
#include "clueline/storage/group_commit.hpp"
#include "clueline/storage/records.hpp"
#include "clueline/storage/stats.hpp"

namespace {

namespace fs = std::filesystem;
using namespace clueline;
using Clock = std::chrono::steady_clock;

template <typename T>
T run(boost::asio::awaitable<T> use_case) {
  boost::asio::io_context io;
  auto future = boost::asio::co_spawn(io, std::move(use_case), boost::asio::use_future);
  io.run();
  return future.get();
}

struct Timing {
  double p50_ms = 0;
  double p99_ms = 0;
};
Timing timing(std::vector<double> samples) {
  std::sort(samples.begin(), samples.end());
  const auto at = [&](double q) {
    return samples[static_cast<std::size_t>(q * (samples.size() - 1))];
  };
  return {at(0.50), at(0.99)};
}

double since_ms(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

std::size_t option(int argc, char** argv, std::string_view name, std::size_t fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (argv[i] == name) return std::stoull(argv[i + 1]);
  }
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t total_clues = option(argc, argv, "--clues", 1'000'000);
  const std::size_t unit_clues = option(argc, argv, "--unit-clues", 100'000);
  const std::size_t rounds = option(argc, argv, "--rounds", 2000);
  fs::path directory =
      fs::temp_directory_path() / ("clueline-queue-bench-" + std::to_string(::getpid()));
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::string_view(argv[i]) == "--dir") directory = argv[i + 1];
  }
  fs::remove_all(directory);
  auto store = storage::Store::open({.directory = directory}).value();

  // province > city > county > 40 townships; the measured unit is township 1.
  const routing::Policy policy = services::load_routing_policy({});
  std::vector<std::uint32_t> townships;
  std::uint32_t parent = 0;
  for (const std::string level : {"province", "city", "county"}) {
    parent =
        storage::add_unit(*store, {.name = level, .level = level, .parent_id = parent}).value();
  }
  for (int i = 0; i < 40; ++i) {
    townships.push_back(storage::add_unit(*store, {.name = "township " + std::to_string(i),
                                                   .level = "township",
                                                   .parent_id = parent})
                            .value());
  }
  const std::uint32_t measured = townships.front();

  // The clues: unit_clues of the measured township over 12 months, 100
  // sites and 9 categories; the rest spread over the other townships.
  const auto filled_at = Clock::now();
  const routing::DeadlinePolicy deadlines;
  const std::vector<std::string> categories = {
      "bribery", "embezzlement", "abuse_of_power", "favoritism", "dereliction_of_duty", "other"};
  std::mt19937_64 random(7);
  const storage::UnixSeconds start = 1'767'225'600;  // 2026-01-01
  std::vector<storage::Mutation> batch;
  for (std::size_t n = 0; n < total_clues; ++n) {
    storage::Clue clue;
    for (auto& b : clue.id) b = static_cast<std::byte>(random());
    clue.unit_id = n < unit_clues ? measured : townships[1 + n % (townships.size() - 1)];
    clue.received_at = start + static_cast<storage::UnixSeconds>(random() % (365 * 86'400));
    clue.site_id = 1 + static_cast<std::uint32_t>(random() % 100);
    clue.category = categories[random() % categories.size()];
    clue.accused_level = "village";
    clue.status = static_cast<storage::ClueStatus>(1 + random() % 4);
    const auto due = routing::deadlines_for(deadlines, clue.received_at);
    clue.acknowledge_by = due.acknowledge_by;
    clue.handle_by = due.handle_by;
    batch.push_back({storage::Family::kClues, storage::clue_key(clue.id), storage::encode(clue)});
    for (auto& m : storage::index_mutations(nullptr, clue)) batch.push_back(std::move(m));
    for (auto& m : storage::stats_mutations(nullptr, clue)) batch.push_back(std::move(m));
    if (batch.size() >= 20'000) {
      if (!store->write(batch, storage::Durability::kBuffered)) return 1;
      batch.clear();
    }
  }
  if (!store->write(batch)) return 1;
  std::cerr << "filled " << total_clues << " clues in " << since_ms(filled_at) / 1000 << " s\n";

  auto registry = std::make_unique<services::Registry>(
      services::read_registry(*store, policy, "(built-in)").value());
  auto writer = std::make_unique<storage::GroupCommitWriter>(*store);
  boost::asio::thread_pool pool(2);
  storage::ClaimSet claims;
  services::AuthContext auth;
  auth.store = store.get();
  auth.writer = writer.get();
  auth.blocking_pool = &pool;
  auth.claims = &claims;
  auth.registry = registry.get();
  auth.clock = [] { return services::AuthClock::time_point(std::chrono::seconds(1'796'083'200)); };
  const services::ClueWorkContext context{
      .auth = &auth, .deadlines = &deadlines, .policy = &policy};
  const services::Actor handler{
      .account_id = 1, .unit_id = measured, .role = storage::Role::kHandler};

  // Baseline: a bare scan of 50 index keys of the measured unit's queue.
  std::vector<double> baseline;
  const std::string prefix = storage::queue_prefix(measured);
  for (std::size_t i = 0; i < rounds; ++i) {
    const auto t = Clock::now();
    const auto keys = store->scan(storage::Family::kQueue, prefix, 50);
    baseline.push_back(since_ms(t));
    if (!keys || keys->size() != 50) return 1;
  }
  const Timing base = timing(baseline);

  // Pages of 50, walking the queue by cursor (restarting at the end), and
  // pages of one status only.
  std::vector<double> pages, by_status;
  std::string cursor;
  for (std::size_t i = 0; i < rounds; ++i) {
    services::QueueQuery query{.cursor = cursor, .limit = 50};
    const auto t = Clock::now();
    auto page = run(services::read_queue(context, handler, query));
    pages.push_back(since_ms(t));
    if (!page || page->items.size() != 50) return 1;
    cursor = page->next_cursor;
    services::QueueQuery received{.status = storage::ClueStatus::kReceived, .limit = 50};
    const auto u = Clock::now();
    auto filtered = run(services::read_queue(context, handler, received));
    by_status.push_back(since_ms(u));
    if (!filtered || filtered->items.size() != 50) return 1;
  }

  // Decoding 50 clue records already in memory: the part of a page that is
  // not RocksDB.
  std::vector<std::string> records;
  {
    const auto sample = store->scan(storage::Family::kClues, "", 50);
    if (!sample) return 1;
    for (const auto& [key, value] : *sample) records.push_back(value);
  }
  std::vector<double> decoding;
  for (std::size_t i = 0; i < rounds; ++i) {
    const auto t = Clock::now();
    for (const std::string& record : records) {
      if (!storage::decode_clue(record)) return 1;
    }
    decoding.push_back(since_ms(t));
  }

  // The fixed cost of a call: a page of one clue.
  std::vector<double> single;
  for (std::size_t i = 0; i < rounds; ++i) {
    services::QueueQuery one{.limit = 1};
    const auto t = Clock::now();
    auto page = run(services::read_queue(context, handler, one));
    single.push_back(since_ms(t));
    if (!page || page->items.size() != 1) return 1;
  }

  // Statistics of the measured unit's 10^5 clues: 12 months by site and by
  // month.
  std::vector<double> by_site, by_month;
  for (std::size_t i = 0; i < rounds / 4; ++i) {
    const services::StatsQuery sites{
        .from_month = 202601, .to_month = 202612, .by = storage::StatsDimension::kSite};
    const auto t = Clock::now();
    auto report = run(services::read_stats(context, handler, sites));
    by_site.push_back(since_ms(t));
    if (!report || report->total.clues != unit_clues) return 1;
    const services::StatsQuery months{
        .from_month = 202601, .to_month = 202612, .by = storage::StatsDimension::kMonth};
    const auto u = Clock::now();
    auto monthly = run(services::read_stats(context, handler, months));
    by_month.push_back(since_ms(u));
    if (!monthly || monthly->rows.size() != 12) return 1;
  }

  const auto line = [&](const std::string& what, const Timing& t) {
    std::printf("%-48s p50 %.3f ms, p99 %.3f ms, p50/baseline %.1f\n", what.c_str(), t.p50_ms,
                t.p99_ms, t.p50_ms / base.p50_ms);
  };
  std::printf("%zu clues, %zu of them the measured unit's; %zu rounds\n", total_clues, unit_clues,
              rounds);
  line("baseline: RocksDB scan of 50 queue keys", base);
  line("queue page of 50 (cursor walk)", timing(pages));
  line("queue page of 50, status=received", timing(by_status));
  line("queue page of 1 (the fixed cost of a call)", timing(single));
  line("decoding 50 clue records in memory", timing(decoding));
  line("stats, 12 months by site (100 sites)", timing(by_site));
  line("stats, 12 months by month", timing(by_month));
  pool.join();
  writer.reset();
  registry.reset();
  store.reset();
  fs::remove_all(directory);
  return 0;
}
