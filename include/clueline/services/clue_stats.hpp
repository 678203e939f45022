// Counts of a unit's clues by site, category, status, accused level or
// month, for spotting hot spots without opening any clue: read from the
// counters storage/stats.hpp keeps in the same batch as every change of a
// clue, never from a scan of clues. A request reads one short prefix per
// month, so its cost depends on the months and the groups asked for, not on
// how many clues the unit has.
//
// Who may read (authorization, Action::kReadStats): handlers, unit admins
// and auditors, for their own unit and every unit below it. Counts only:
// no clue, category of one clue or anything a reporter wrote.
//
// Thread safety: may be called from any thread; the context's pointers are
// not owned and must outlive every call.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clueline/services/clue_work.hpp"
#include "clueline/services/outcome.hpp"
#include "clueline/storage/stats.hpp"

namespace clueline::services {

struct StatsQuery {
  std::uint32_t unit_id = 0;     // 0: the actor's own unit
  std::uint32_t from_month = 0;  // year * 100 + month; 0: 11 months before to_month
  std::uint32_t to_month = 0;    // 0: the current month (UTC)
  storage::StatsDimension by = storage::StatsDimension::kSite;
};

struct StatsRow {
  std::string value;  // the site id, category, status, level or "2026-12"
  std::string label;  // the site's name for by=site; otherwise the value
  storage::StatsCount count;
};

struct StatsReport {
  std::uint32_t unit_id = 0;
  std::uint32_t from_month = 0;
  std::uint32_t to_month = 0;
  storage::StatsDimension by = storage::StatsDimension::kSite;
  storage::StatsCount total;   // every clue of the range
  std::vector<StatsRow> rows;  // in value order; months in time order
};

// "site", "category", "status", "accused_level", "month".
std::optional<storage::StatsDimension> parse_stats_dimension(std::string_view name) noexcept;
std::string_view stats_dimension_name(storage::StatsDimension dimension) noexcept;

// "2026-12" <-> 202612; nothing for anything else.
std::optional<std::uint32_t> parse_stats_month(std::string_view text) noexcept;
std::string stats_month_text(std::uint32_t month);

// The counts of `query`. forbidden for a unit outside the actor's subtree
// or a role that reads no statistics; invalid_argument for a range that is
// reversed or longer than storage::kMaxStatsMonths months; unavailable
// when the counters cannot be read.
boost::asio::awaitable<Outcome<StatsReport>> read_stats(ClueWorkContext context, Actor actor,
                                                        StatsQuery query);

}  // namespace clueline::services
