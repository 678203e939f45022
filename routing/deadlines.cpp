#include "clueline/routing/deadlines.hpp"

#include <algorithm>
#include <cstdio>
#include <utility>

namespace clueline::routing {
namespace {

namespace chr = std::chrono;

constexpr std::int64_t kSecondsPerDay = 86'400;
constexpr int kMaxOffsetMinutes = 14 * 60;
// About ten years of working days. No configured period comes near this; the
// cap only keeps a corrupted count from walking the calendar for minutes.
constexpr int kMaxWorkingDays = 3'660;

// Division that rounds towards negative infinity: instants before the epoch
// (or shifted before it by a negative offset) must land on the previous day,
// where plain `/` would round them up to the next one.
constexpr std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The caller has checked that the range holds only digits.
int to_int(std::string_view digits) {
  int value = 0;
  for (const char c : digits) {
    value = value * 10 + (c - '0');
  }
  return value;
}

Date date_of_day(std::int64_t days_since_epoch) {
  return Date(chr::sys_days(chr::days(days_since_epoch)));
}

std::int64_t day_number(const Date& date) {
  return static_cast<std::int64_t>(chr::sys_days(date).time_since_epoch().count());
}

}  // namespace

result<Date> parse_date(std::string_view text) {
  // Checked by hand rather than with std::chrono::parse (missing from
  // libstdc++ 12) or sscanf, which would accept signs, spaces and short
  // fields such as "2026-2-1".
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
    return errc::invalid_argument;
  }
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (i != 4 && i != 7 && !is_digit(text[i])) {
      return errc::invalid_argument;
    }
  }
  const int year = to_int(text.substr(0, 4));
  const auto month = static_cast<unsigned>(to_int(text.substr(5, 2)));
  const auto day = static_cast<unsigned>(to_int(text.substr(8, 2)));
  if (year < 1970) {
    return errc::invalid_argument;
  }
  const Date date{chr::year(year), chr::month(month), chr::day(day)};
  if (!date.ok()) {
    return errc::invalid_argument;
  }
  return date;
}

std::string format_date(const Date& date) {
  // std::format arrives only with libstdc++ 13. Sized for any value the
  // fields can hold, so a non-ok() date is printed rather than truncated.
  char buffer[32];
  const int n =
      std::snprintf(buffer, sizeof buffer, "%04d-%02u-%02u", static_cast<int>(date.year()),
                    static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return std::string(buffer, static_cast<std::size_t>(std::max(n, 0)));
}

result<Calendar> Calendar::make(std::set<Date> holidays, std::set<Date> extra_working_days,
                                int utc_offset_minutes) {
  if (utc_offset_minutes < -kMaxOffsetMinutes || utc_offset_minutes > kMaxOffsetMinutes) {
    return errc::invalid_argument;
  }
  // A day in both sets is a configuration mistake; picking a winner silently
  // would move deadlines without anyone noticing.
  for (const Date& date : holidays) {
    if (extra_working_days.contains(date)) {
      return errc::invalid_argument;
    }
  }
  Calendar calendar;
  calendar.holidays_ = std::move(holidays);
  calendar.extra_working_days_ = std::move(extra_working_days);
  calendar.utc_offset_minutes_ = utc_offset_minutes;
  return calendar;
}

bool Calendar::is_working_day(const Date& date) const {
  if (extra_working_days_.contains(date)) {
    return true;
  }
  if (holidays_.contains(date)) {
    return false;
  }
  const chr::weekday weekday{chr::sys_days(date)};
  return weekday != chr::Saturday && weekday != chr::Sunday;
}

Date Calendar::local_date(UnixSeconds at) const {
  // Split into whole days and the second of the day before applying the
  // offset, so instants near the int64 limits cannot overflow.
  std::int64_t second_of_day = at % kSecondsPerDay;
  if (second_of_day < 0) {
    second_of_day += kSecondsPerDay;
  }
  second_of_day += static_cast<std::int64_t>(utc_offset_minutes_) * 60;
  return date_of_day(floor_div(at, kSecondsPerDay) + floor_div(second_of_day, kSecondsPerDay));
}

UnixSeconds Calendar::start_of(const Date& date) const {
  return day_number(date) * kSecondsPerDay - static_cast<std::int64_t>(utc_offset_minutes_) * 60;
}

UnixSeconds Calendar::add_working_days(UnixSeconds from, int count) const {
  // count < 1 or absurdly large is a caller bug; clamping keeps the result
  // defined and the loop bounded instead of returning `from` or spinning.
  count = std::clamp(count, 1, kMaxWorkingDays);
  std::int64_t day = day_number(local_date(from));
  // Terminates: the holidays are a finite set, so past the last of them every
  // Monday to Friday counts.
  for (int counted = 0; counted < count;) {
    ++day;
    if (is_working_day(date_of_day(day))) {
      ++counted;
    }
  }
  return start_of(date_of_day(day + 1));
}

namespace {

// A period that would end on a rest day ends with the next working day
// instead: nobody is at the office to acknowledge a clue on a Sunday.
UnixSeconds on_a_working_day(const Calendar& calendar, UnixSeconds deadline) {
  if (calendar.is_working_day(calendar.local_date(deadline))) return deadline;
  return calendar.add_working_days(deadline, 1);
}

}  // namespace

ClueDeadlines deadlines_for(const DeadlinePolicy& policy, UnixSeconds received_at) {
  // Calendar days are exact multiples of 86,400 s on purpose: the statutory
  // periods count elapsed days, not local dates, and there is no daylight
  // saving to make a day shorter or longer.
  const auto after_days = [&](int days) {
    return on_a_working_day(policy.calendar,
                            received_at + static_cast<std::int64_t>(days) * kSecondsPerDay);
  };
  return ClueDeadlines{
      .acknowledge_by = after_days(policy.acknowledge_days),
      .handle_by = after_days(policy.handle_days),
  };
}

UnixSeconds transfer_deadline(const DeadlinePolicy& policy, UnixSeconds decided_at) {
  return policy.calendar.add_working_days(decided_at, policy.transfer_working_days);
}

}  // namespace clueline::routing
