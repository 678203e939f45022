#include "clueline/services/clue_stats.hpp"

#include <array>
#include <charconv>
#include <functional>
#include <utility>

#include "blocking_read.hpp"
#include "clueline/services/blocking.hpp"

namespace clueline::services {
namespace {

using storage::StatsDimension;

constexpr std::array<std::pair<std::string_view, StatsDimension>, 5> kDimensions = {{
    {"site", StatsDimension::kSite},
    {"category", StatsDimension::kCategory},
    {"status", StatsDimension::kStatus},
    {"accused_level", StatsDimension::kAccusedLevel},
    {"month", StatsDimension::kMonth},
}};

struct StatsRead {
  Read<std::vector<storage::StatsGroup>> groups;
  Read<std::vector<storage::StatsGroup>> total;
};

StatsRead read_counters(const storage::Store* store, std::uint32_t unit, std::uint32_t first,
                        std::uint32_t last, StatsDimension by) {
  return {
      .groups = read_of(storage::read_unit_stats(*store, unit, first, last, by)),
      .total = read_of(storage::read_unit_stats(*store, unit, first, last, StatsDimension::kAll))};
}

std::uint32_t months_before(std::uint32_t month, std::uint32_t count) {
  std::uint32_t index = (month / 100) * 12 + (month % 100 - 1);
  index = index >= count ? index - count : 0;
  return (index / 12) * 100 + index % 12 + 1;
}

}  // namespace

std::optional<StatsDimension> parse_stats_dimension(std::string_view name) noexcept {
  for (const auto& [text, dimension] : kDimensions) {
    if (text == name) return dimension;
  }
  return std::nullopt;
}

std::string_view stats_dimension_name(StatsDimension dimension) noexcept {
  for (const auto& [text, known] : kDimensions) {
    if (known == dimension) return text;
  }
  return "all";
}

std::optional<std::uint32_t> parse_stats_month(std::string_view text) noexcept {
  if (text.size() != 7 || text[4] != '-') return std::nullopt;
  unsigned year = 0;
  unsigned month = 0;
  const auto digits = [](std::string_view part, unsigned& out) {
    const auto [end, ec] = std::from_chars(part.data(), part.data() + part.size(), out);
    return ec == std::errc{} && end == part.data() + part.size() && part.front() != '+';
  };
  if (!digits(text.substr(0, 4), year) || !digits(text.substr(5), month)) return std::nullopt;
  if (year < 1970 || month < 1 || month > 12) return std::nullopt;
  return year * 100 + month;
}

std::string stats_month_text(std::uint32_t month) {
  const std::uint32_t m = month % 100;
  return std::to_string(month / 100) + (m < 10 ? "-0" : "-") + std::to_string(m);
}

boost::asio::awaitable<Outcome<StatsReport>> read_stats(ClueWorkContext context, Actor actor,
                                                        StatsQuery query) {
  const auto registry = context.auth->registry->current();
  const std::uint32_t unit = query.unit_id == 0 ? actor.unit_id : query.unit_id;
  if (authorize(actor, Action::kReadStats, {.unit_id = unit}, registry->tree) != Verdict::kAllow) {
    co_return refuse(errc::forbidden,
                     "handlers, unit admins and auditors read the statistics of their own unit "
                     "and the units below it");
  }
  const std::uint32_t to =
      query.to_month != 0 ? query.to_month : storage::stats_month(now_seconds(*context.auth));
  const std::uint32_t from = query.from_month != 0 ? query.from_month : months_before(to, 11);
  const std::size_t months = storage::months_between(from, to).size();
  if (months == 0 || months > storage::kMaxStatsMonths) {
    co_return refuse(errc::invalid_argument,
                     "from and to: months as YYYY-MM, from not after to, at most 120 months");
  }
  auto read = co_await run_blocking(
      *context.auth->blocking_pool,
      std::bind_front(&read_counters, context.auth->store, unit, from, to, query.by));
  if (!read.groups.value || !read.total.value) {
    co_return refuse(errc::unavailable, "the statistics could not be read; try again", 1);
  }
  StatsReport report{.unit_id = unit, .from_month = from, .to_month = to, .by = query.by};
  for (const storage::StatsGroup& group : *read.total.value) report.total = group.count;
  for (storage::StatsGroup& group : *read.groups.value) {
    StatsRow row{.value = std::move(group.value), .label = {}, .count = group.count};
    row.label = row.value;
    if (query.by == StatsDimension::kSite) {
      std::uint32_t site_id = 0;
      std::from_chars(row.value.data(), row.value.data() + row.value.size(), site_id);
      if (const storage::Site* site = registry->site(site_id)) row.label = site->name;
    }
    report.rows.push_back(std::move(row));
  }
  co_return report;
}

}  // namespace clueline::services
