// The clue counters (stats.hpp): the deltas a change of a clue writes, and
// reading them back through a real store, whose merge operator adds them.
#include "clueline/storage/stats.hpp"

#include <gtest/gtest.h>

#include <map>

#include "temp_directory.hpp"

namespace clueline::storage {
namespace {

constexpr UnixSeconds kDecember = 1'796'083'200;  // 2026-12-01T00:00:00Z

Clue clue_at(std::uint8_t tag, std::uint32_t unit, UnixSeconds received,
             std::string category = "bribery", std::uint32_t site = 7) {
  Clue clue;
  clue.id[0] = std::byte{tag};
  clue.unit_id = unit;
  clue.received_at = received;
  clue.category = std::move(category);
  clue.site_id = site;
  return clue;
}

std::map<std::string, std::int64_t> deltas(const std::vector<Mutation>& mutations) {
  std::map<std::string, std::int64_t> out;
  for (const Mutation& mutation : mutations) {
    EXPECT_EQ(mutation.family, Family::kStats);
    out[mutation.key] = decode_count(mutation.value.value()).value();
  }
  return out;
}

TEST(StatsMonth, IsTheUtcYearAndMonth) {
  EXPECT_EQ(stats_month(kDecember), 202612u);
  EXPECT_EQ(stats_month(kDecember - 1), 202611u);
  EXPECT_EQ(stats_month(0), 197001u);
  EXPECT_EQ(months_between(202611, 202602).size(), 0u);
  EXPECT_EQ(months_between(202611, 202702),
            (std::vector<std::uint32_t>{202611, 202612, 202701, 202702}));
  EXPECT_TRUE(months_between(202613, 202701).empty());
}

TEST(StatsMutations, CountANewClueOnceInEveryDimensionAndMoveWithIt) {
  const Clue clue = clue_at(1, 4, kDecember);
  const auto added = deltas(stats_mutations(nullptr, clue));
  EXPECT_EQ(added.size(), 5u) << "all, status, category, level, site; clues only";
  for (const auto& [key, delta] : added) EXPECT_EQ(delta, 1);
  EXPECT_TRUE(stats_mutations(&clue, clue).empty()) << "nothing changed, nothing written";

  Clue escalated = clue;
  escalated.escalations.push_back({.unit_id = 3, .reason = "acknowledge_overdue"});
  EXPECT_EQ(deltas(stats_mutations(&clue, escalated)).size(), 10u)
      << "escalated and overdue, in each of the five dimensions";
  Clue closed = escalated;
  closed.status = ClueStatus::kClosed;
  // Status received -> closed (-1, +1 for each of clues and escalated;
  // overdue -1 for received), and overdue -1 in the four other dimensions.
  EXPECT_EQ(deltas(stats_mutations(&escalated, closed)).size(), 2u + 2u + 1u + 4u);
  Clue moved = closed;
  moved.unit_id = 3;
  const auto moving = deltas(stats_mutations(&closed, moved));
  std::int64_t sum = 0;
  for (const auto& [key, delta] : moving) sum += delta;
  EXPECT_EQ(sum, 0) << "what leaves unit 4 arrives at unit 3";
  EXPECT_EQ(moving.size(), 20u);
}

TEST(ReadUnitStats, AddsTheDeltasAndGroupsByDimensionAndMonth) {
  testing::TempDirectory directory;
  auto store = Store::open({.directory = directory.path()}).value();
  const auto write = [&](const Clue* before, const Clue& after) {
    const auto mutations = stats_mutations(before, after);
    ASSERT_TRUE(store->write(mutations));
  };
  const Clue a = clue_at(1, 4, kDecember, "bribery", 7);
  const Clue b = clue_at(2, 4, kDecember + 86'400, "bribery", 8);
  const Clue c = clue_at(3, 4, kDecember - 86'400, "embezzlement", 7);  // November
  write(nullptr, a);
  write(nullptr, b);
  write(nullptr, c);
  Clue escalated = b;
  escalated.escalations.push_back({.unit_id = 3, .reason = "acknowledge_overdue"});
  write(&b, escalated);
  write(nullptr, clue_at(4, 5, kDecember));  // another unit's

  const auto by_site = read_unit_stats(*store, 4, 202611, 202612, StatsDimension::kSite).value();
  ASSERT_EQ(by_site.size(), 2u);
  EXPECT_EQ(by_site[0].value, "7");
  EXPECT_EQ(by_site[0].count, (StatsCount{.clues = 2, .escalated = 0, .overdue = 0}));
  EXPECT_EQ(by_site[1].value, "8");
  EXPECT_EQ(by_site[1].count, (StatsCount{.clues = 1, .escalated = 1, .overdue = 1}));

  const auto december =
      read_unit_stats(*store, 4, 202612, 202612, StatsDimension::kCategory).value();
  ASSERT_EQ(december.size(), 1u);
  EXPECT_EQ(december[0].value, "bribery");
  EXPECT_EQ(december[0].count.clues, 2u);

  const auto by_month = read_unit_stats(*store, 4, 202610, 202612, StatsDimension::kMonth).value();
  ASSERT_EQ(by_month.size(), 2u);
  EXPECT_EQ(by_month[0].value, "2026-11");
  EXPECT_EQ(by_month[0].count.clues, 1u);
  EXPECT_EQ(by_month[1].value, "2026-12");
  EXPECT_EQ(by_month[1].count.clues, 2u);

  // The clue moves to unit 3: gone from 4's counts, in 3's.
  Clue moved = escalated;
  moved.unit_id = 3;
  write(&escalated, moved);
  const auto after = read_unit_stats(*store, 4, 202612, 202612, StatsDimension::kAll).value();
  ASSERT_EQ(after.size(), 1u);
  EXPECT_EQ(after[0].count, (StatsCount{.clues = 1, .escalated = 0, .overdue = 0}));
  const auto county = read_unit_stats(*store, 3, 202612, 202612, StatsDimension::kStatus).value();
  ASSERT_EQ(county.size(), 1u);
  EXPECT_EQ(county[0].value, "received");
  EXPECT_EQ(county[0].count, (StatsCount{.clues = 1, .escalated = 1, .overdue = 1}));

  EXPECT_EQ(read_unit_stats(*store, 4, 202612, 202611, StatsDimension::kAll).error(),
            errc::invalid_argument);
  EXPECT_EQ(read_unit_stats(*store, 4, 200001, 202612, StatsDimension::kAll).error(),
            errc::invalid_argument)
      << "more than 120 months";
}

TEST(RebuildStats, CountsTheCluesOfADatabaseWrittenBeforeCountersOnce) {
  testing::TempDirectory directory;
  auto store = Store::open({.directory = directory.path()}).value();
  // Two clue records, with an envelope and a stray counter beside them, as
  // an older version (or an interrupted rebuild) leaves them.
  Clue a = clue_at(1, 4, kDecember, "bribery", 7);
  a.attachments = {{.index = 0, .bytes = 1000, .parts = 1, .complete = true},
                   {.index = 1, .bytes = 500, .parts = 1, .complete = false}};
  Clue b = clue_at(2, 4, kDecember, "embezzlement", 8);
  b.escalations.push_back({.unit_id = 3, .reason = "acknowledge_overdue"});
  b.attachments = {{.index = 0, .bytes = 20, .parts = 1, .complete = true}};
  const std::vector<Mutation> old{{Family::kClues, clue_key(a.id), encode(a)},
                                  {Family::kClues, envelope_key(a.id), std::string(2000, 'e')},
                                  {Family::kClues, clue_key(b.id), encode(b)},
                                  {Family::kStats, "stray", encode_count(5)}};
  ASSERT_TRUE(store->write(old));
  const auto counted = rebuild_stats_if_needed(*store);
  ASSERT_TRUE(counted) << counted.error().message();
  EXPECT_EQ(*counted, std::optional<std::size_t>(2));
  const auto all = read_unit_stats(*store, 4, 202612, 202612, StatsDimension::kAll).value();
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].count, (StatsCount{.clues = 2, .escalated = 1, .overdue = 1}));
  EXPECT_FALSE(store->get(Family::kStats, "stray"));
  EXPECT_EQ(read_attachment_bytes(*store).value(), 1520u);
  // Once counted, never again: later changes keep the counters themselves.
  EXPECT_EQ(rebuild_stats_if_needed(*store).value(), std::nullopt);
  ASSERT_TRUE(store->write(std::vector<Mutation>{attachment_bytes_delta(80)}));
  EXPECT_EQ(read_attachment_bytes(*store).value(), 1600u);
  // A database counted before the attachment total (marker "1") is counted again.
  ASSERT_TRUE(
      store->write(std::vector<Mutation>{{Family::kMeta, std::string(kStatsCountedKey), "1"}}));
  EXPECT_EQ(rebuild_stats_if_needed(*store).value(), std::optional<std::size_t>(2));
  EXPECT_EQ(read_attachment_bytes(*store).value(), 1520u);
  EXPECT_EQ(read_unit_stats(*store, 4, 202612, 202612, StatsDimension::kAll).value()[0].count.clues,
            2u);
}

}  // namespace
}  // namespace clueline::storage
