#include "clueline/storage/stats.hpp"

#include <boost/endian/conversion.hpp>
#include <chrono>
#include <map>

#include "json_record.hpp"

namespace clueline::storage {
namespace {

constexpr char kClues = 'n';
constexpr char kEscalated = 'e';
constexpr char kOverdue = 'o';

std::string month_prefix(std::uint32_t unit, std::uint32_t month, StatsDimension dimension) {
  std::string key;
  json_record::append_u32be(key, unit);
  json_record::append_u32be(key, month);
  key.push_back(static_cast<char>(dimension));
  return key;
}

// Every counter key of `clue`.
std::vector<std::string> counter_keys(const Clue& clue) {
  const std::uint32_t month = stats_month(clue.received_at);
  std::vector<char> measures{kClues};
  if (!clue.escalations.empty()) {
    measures.push_back(kEscalated);
    if (clue.status != ClueStatus::kClosed) measures.push_back(kOverdue);
  }
  const std::pair<StatsDimension, std::string> values[] = {
      {StatsDimension::kAll, ""},
      {StatsDimension::kStatus, std::string(status_name(clue.status))},
      {StatsDimension::kCategory, clue.category},
      {StatsDimension::kAccusedLevel, clue.accused_level.empty() ? "unknown" : clue.accused_level},
      {StatsDimension::kSite, std::to_string(clue.site_id)}};
  std::vector<std::string> keys;
  for (const auto& [dimension, value] : values) {
    for (const char measure : measures) {
      std::string key = month_prefix(clue.unit_id, month, dimension);
      key += value;
      key.push_back('\0');
      key.push_back(measure);
      keys.push_back(std::move(key));
    }
  }
  return keys;
}

std::string month_text(std::uint32_t month) {
  const std::uint32_t m = month % 100;
  return std::to_string(month / 100) + (m < 10 ? "-0" : "-") + std::to_string(m);
}

}  // namespace

std::uint32_t stats_month(UnixSeconds at) {
  const auto day =
      std::chrono::floor<std::chrono::days>(std::chrono::sys_seconds(std::chrono::seconds(at)));
  const std::chrono::year_month_day date(day);
  return static_cast<std::uint32_t>(static_cast<int>(date.year()) * 100 +
                                    static_cast<int>(static_cast<unsigned>(date.month())));
}

std::string encode_count(std::int64_t value) {
  std::string out(8, '\0');
  boost::endian::store_little_s64(reinterpret_cast<unsigned char*>(out.data()), value);
  return out;
}

std::optional<std::int64_t> decode_count(std::string_view bytes) {
  if (bytes.size() != 8) return std::nullopt;
  return boost::endian::load_little_s64(reinterpret_cast<const unsigned char*>(bytes.data()));
}

std::vector<Mutation> stats_mutations(const Clue* before, const Clue& after) {
  std::map<std::string, std::int64_t> deltas;
  if (before != nullptr) {
    for (std::string& key : counter_keys(*before)) deltas[std::move(key)] -= 1;
  }
  for (std::string& key : counter_keys(after)) deltas[std::move(key)] += 1;
  std::vector<Mutation> mutations;
  for (auto& [key, delta] : deltas) {
    if (delta != 0) mutations.push_back({Family::kStats, key, encode_count(delta)});
  }
  return mutations;
}

std::vector<std::uint32_t> months_between(std::uint32_t first, std::uint32_t last) {
  const auto valid = [](std::uint32_t month) {
    return month % 100 >= 1 && month % 100 <= 12 && month / 100 >= 1970 && month / 100 <= 9999;
  };
  std::vector<std::uint32_t> months;
  if (!valid(first) || !valid(last) || last < first) return months;
  for (std::uint32_t month = first; month <= last;) {
    months.push_back(month);
    month = month % 100 == 12 ? (month / 100 + 1) * 100 + 1 : month + 1;
  }
  return months;
}

result<std::vector<StatsGroup>> read_unit_stats(const Store& store, std::uint32_t unit,
                                                std::uint32_t first_month, std::uint32_t last_month,
                                                StatsDimension dimension) {
  const std::vector<std::uint32_t> months = months_between(first_month, last_month);
  if (months.empty() || months.size() > kMaxStatsMonths) return errc::invalid_argument;
  const bool by_month = dimension == StatsDimension::kMonth;
  std::map<std::string, StatsCount> groups;
  for (const std::uint32_t month : months) {
    const std::string prefix =
        month_prefix(unit, month, by_month ? StatsDimension::kAll : dimension);
    auto entries = store.scan(Family::kStats, prefix, 3 * kMaxStatsGroups + 1);
    if (!entries) return entries.error();
    if (entries->size() > 3 * kMaxStatsGroups) return errc::storage_corruption;
    for (const auto& [key, stored] : *entries) {
      const std::string_view rest = std::string_view(key).substr(prefix.size());
      const auto count = decode_count(stored);
      if (rest.size() < 2 || rest[rest.size() - 2] != '\0' || !count) {
        return errc::storage_corruption;
      }
      if (*count <= 0) continue;
      const std::string value =
          by_month ? month_text(month) : std::string(rest.substr(0, rest.size() - 2));
      StatsCount& group = groups[value];
      const auto n = static_cast<std::uint64_t>(*count);
      switch (rest.back()) {
        case kClues:
          group.clues += n;
          break;
        case kEscalated:
          group.escalated += n;
          break;
        case kOverdue:
          group.overdue += n;
          break;
        default:
          return errc::storage_corruption;
      }
    }
  }
  std::vector<StatsGroup> out;
  for (auto& [value, count] : groups) {
    if (count.clues > 0) out.push_back({value, count});
  }
  return out;
}

std::string attachment_bytes_key() { return std::string(4, '\xff') + "attachment_bytes"; }

Mutation attachment_bytes_delta(std::int64_t delta) {
  return {Family::kStats, attachment_bytes_key(), encode_count(delta)};
}

result<std::uint64_t> read_attachment_bytes(const Store& store) {
  auto stored = store.get(Family::kStats, attachment_bytes_key());
  if (!stored && stored.error() == errc::not_found) return std::uint64_t{0};
  if (!stored) return stored.error();
  const auto count = decode_count(*stored);
  if (!count || *count < 0) return errc::storage_corruption;
  return static_cast<std::uint64_t>(*count);
}

result<std::optional<std::size_t>> rebuild_stats_if_needed(Store& store) {
  auto marker = store.get(Family::kMeta, kStatsCountedKey);
  if (marker && *marker == kStatsCountedVersion) return std::optional<std::size_t>();
  if (!marker && marker.error() != errc::not_found) return marker.error();
  constexpr std::size_t kPage = 64;
  // Whatever an interrupted rebuild or an older version left goes first.
  for (;;) {
    auto stale = store.scan(Family::kStats, "", 1000);
    if (!stale) return stale.error();
    if (stale->empty()) break;
    std::vector<Mutation> deletes;
    for (auto& [key, value] : *stale) deletes.push_back({Family::kStats, std::move(key), {}});
    if (auto written = store.write(deletes, Durability::kBuffered); !written) {
      return written.error();
    }
  }
  std::size_t counted = 0;
  std::string start;
  for (;;) {
    // Envelopes and attachment parts share the family: a small page bounds
    // the memory a page of them takes.
    auto entries = store.scan_from(Family::kClues, "", start, kPage);
    if (!entries) return entries.error();
    std::vector<Mutation> batch;
    for (const auto& [key, value] : *entries) {
      // The record of a clue: id[16] ‖ 'm' (records.hpp clue_key).
      if (key.size() != 17 || key.back() != 'm') continue;
      auto clue = decode_clue(value);
      if (!clue) return clue.error();
      for (Mutation& m : stats_mutations(nullptr, *clue)) batch.push_back(std::move(m));
      std::int64_t attachment_bytes = 0;
      for (const AttachmentState& attachment : clue->attachments) {
        attachment_bytes += static_cast<std::int64_t>(attachment.bytes);
      }
      if (attachment_bytes != 0) batch.push_back(attachment_bytes_delta(attachment_bytes));
      ++counted;
    }
    if (auto written = store.write(batch, Durability::kBuffered); !written) return written.error();
    if (entries->size() < kPage) break;
    start = entries->back().first;
    start.push_back('\0');
  }
  const std::vector<Mutation> done{
      {Family::kMeta, std::string(kStatsCountedKey), std::string(kStatsCountedVersion)}};
  if (auto written = store.write(done); !written) return written.error();
  return std::optional<std::size_t>(counted);
}

}  // namespace clueline::storage
