// Deadlines on a working-day calendar, and when an overdue clue is made
// visible to the unit above.
//
// Pure functions over values: the caller passes the current time (so tests
// use a fake clock), nothing here reads a clock, a file or the database.
// Thread safety: every type is an immutable value after construction and
// safe for concurrent reads.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "clueline/common/error.hpp"

namespace clueline::routing {

// Seconds since the Unix epoch, UTC (the same as storage::UnixSeconds).
using UnixSeconds = std::int64_t;

// A civil date in the deployment's time zone.
using Date = std::chrono::year_month_day;

// "YYYY-MM-DD" (exactly ten characters, a real date between 1970 and 9999);
// errc::invalid_argument otherwise.
result<Date> parse_date(std::string_view text);
std::string format_date(const Date& date);  // "YYYY-MM-DD"

// Which days are working days: Monday to Friday, except configured public
// holidays, plus configured extra working days (weekend days worked in
// exchange for a bridged holiday). Days begin at local midnight at a fixed
// offset from UTC (default UTC+8; no daylight saving where clueline is
// deployed).
class Calendar {
 public:
  Calendar() = default;
  // invalid_argument if a date is in both sets or the offset is outside
  // [-14 h, +14 h] (in minutes).
  static result<Calendar> make(std::set<Date> holidays, std::set<Date> extra_working_days,
                               int utc_offset_minutes);

  bool is_working_day(const Date& date) const;
  // The local date of an instant.
  Date local_date(UnixSeconds at) const;
  // The instant local `date` begins (local midnight).
  UnixSeconds start_of(const Date& date) const;
  int utc_offset_minutes() const noexcept { return utc_offset_minutes_; }

  // The end (the following local midnight) of the `count`-th working day
  // after the local day of `from`; the day of `from` itself never counts,
  // whether or not it is a working day. count >= 1. E.g. with no holidays,
  // from a Friday 15:00, 5 working days end at the next Friday's 24:00 local.
  UnixSeconds add_working_days(UnixSeconds from, int count) const;

 private:
  std::set<Date> holidays_;
  std::set<Date> extra_working_days_;
  int utc_offset_minutes_ = 8 * 60;
};

// The configured periods. Defaults: acknowledge within 15 calendar days,
// transfer within 5 working days once a unit finds a clue belongs
// elsewhere, handle (close) within 90 calendar days; an overdue clue becomes
// visible to the next receiving unit up every 5 working days
// (routing/escalation.hpp).
struct DeadlinePolicy {
  int acknowledge_days = 15;        // calendar days, >= 1
  int transfer_working_days = 5;    // working days, >= 1
  int handle_days = 90;             // calendar days, >= acknowledge_days
  int escalation_working_days = 5;  // working days between escalation levels, >= 1
  Calendar calendar;
};

struct ClueDeadlines {
  UnixSeconds acknowledge_by = 0;
  UnixSeconds handle_by = 0;
  friend bool operator==(const ClueDeadlines&, const ClueDeadlines&) = default;
};

// Deadlines of a clue received at `received_at`: received_at plus the
// calendar days (exact multiples of 86,400 s); a deadline whose local date is
// not a working day moves to the end of the next working day (the usual rule
// for periods that end on a rest day or a public holiday).
ClueDeadlines deadlines_for(const DeadlinePolicy& policy, UnixSeconds received_at);

// The transfer deadline for a unit that decided at `decided_at` that a clue
// belongs elsewhere: the end of the transfer_working_days-th working day.
UnixSeconds transfer_deadline(const DeadlinePolicy& policy, UnixSeconds decided_at);

}  // namespace clueline::routing
