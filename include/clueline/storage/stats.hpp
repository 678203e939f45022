// Per-unit counters of clues (Family::kStats), kept in the same batch as
// every change of a clue, so that a unit's hot spots (a site or category
// with many clues) are read without opening, or even listing, any clue.
//
// The counters of a clue belong to the unit handling it and to the month
// (UTC) it was received. For each of the dimensions below there are three
// measures: the clues, those that missed a deadline and escalated, and
// those of them still open ("overdue": a deadline passed and the clue is
// not closed; as of the last escalation pass).
//
// Key: u32be unit ‖ u32be month (year * 100 + month, e.g. 202612) ‖ u8
// dimension ‖ value ‖ 0x00 ‖ u8 measure. Values never hold a 0x00 byte
// (status names, categories and levels are [a-z0-9_], sites decimal).
// Value: the count as 8 bytes little-endian, signed; written as deltas
// (store.hpp, kStats).
//
// Thread safety: stateless functions; read_unit_stats blocks on the store.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clueline/common/error.hpp"
#include "clueline/storage/records.hpp"
#include "clueline/storage/store.hpp"

namespace clueline::storage {

enum class StatsDimension : char {
  kAll = 'a',           // value "": every clue
  kStatus = 's',        // status_name()
  kCategory = 'c',      // the category
  kAccusedLevel = 'l',  // the level, or "unknown"
  kSite = 'i',          // the site id, in decimal
  kMonth = 'm',         // reads only: kAll per month, the month as "2026-12"
};

struct StatsCount {
  std::uint64_t clues = 0;
  std::uint64_t escalated = 0;
  std::uint64_t overdue = 0;
  friend bool operator==(const StatsCount&, const StatsCount&) = default;
};

// year * 100 + month of `at` (UTC).
std::uint32_t stats_month(UnixSeconds at);

// The kStats merges that move the counters of `before` (nullptr for a new
// clue) to those of `after`: -1 for each counter only `before` counts, +1
// for each only `after` counts; nothing when they count the same.
std::vector<Mutation> stats_mutations(const Clue* before, const Clue& after);

// The encoding of a count or delta, and back (nothing if not 8 bytes).
std::string encode_count(std::int64_t value);
std::optional<std::int64_t> decode_count(std::string_view bytes);

struct StatsGroup {
  std::string value;  // the dimension's value (a month as "2026-12")
  StatsCount count;
};
// The counts of `unit`'s clues received in months first_month..last_month
// (stats_month form, at most kMaxStatsMonths of them), grouped by
// `dimension`, in value order (months in time order). Groups whose clues
// all moved away (count 0) are left out. Reads one prefix per month, each
// at most kMaxStatsGroups groups (storage_corruption beyond: counters
// this module did not write).
inline constexpr std::uint32_t kMaxStatsMonths = 120;
inline constexpr std::size_t kMaxStatsGroups = 10000;
result<std::vector<StatsGroup>> read_unit_stats(const Store& store, std::uint32_t unit,
                                                std::uint32_t first_month, std::uint32_t last_month,
                                                StatsDimension dimension);

// The attachment bytes the whole deployment stores (the sum of every
// clue's AttachmentState::bytes), as one more counter of kStats under a key
// of the reserved unit 0xFFFFFFFF, which no unit is given. Written as a
// delta in the batch of each stored attachment part.
std::string attachment_bytes_key();
Mutation attachment_bytes_delta(std::int64_t delta);
// 0 when nothing was ever counted. Blocking.
result<std::uint64_t> read_attachment_bytes(const Store& store);

// The counters are derived data: a database whose kMeta holds no
// kStatsCountedKey of the current version (one written before counters
// existed or before the attachment total was counted, or whose rebuild was
// interrupted) gets them rebuilt from the clue records: every kStats
// entry is deleted, each clue counted once, then the key written. Returns
// how many clues were counted, or nothing if the counters were in place
// already. Blocking, for start-up only: nothing else may write clues
// meanwhile. Reads the clues family in pages of 64 entries.
inline constexpr std::string_view kStatsCountedKey = "stats_counted";
inline constexpr std::string_view kStatsCountedVersion = "2";
result<std::optional<std::size_t>> rebuild_stats_if_needed(Store& store);

// The months first..last (stats_month form) in order; empty if last <
// first or either is not a month.
std::vector<std::uint32_t> months_between(std::uint32_t first, std::uint32_t last);

}  // namespace clueline::storage
