#include "clueline/common/utc_time.hpp"

#include <chrono>
#include <ctime>
#include <string>

namespace clueline {

std::string utc_text(std::int64_t unix_seconds) {
  const std::time_t seconds = unix_seconds;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

std::optional<std::int64_t> parse_utc_text(std::string_view text) {
  if (text.size() != 20) return std::nullopt;
  const std::string terminated(text);
  std::tm parts{};
  const char* end = strptime(terminated.c_str(), "%Y-%m-%dT%H:%M:%SZ", &parts);
  if (end == nullptr || *end != '\0') return std::nullopt;
  const std::int64_t seconds = timegm(&parts);
  // strptime accepts a day the month does not have and timegm rolls it over;
  // writing the result back shows whether the text named a real instant.
  if (utc_text(seconds) != text) return std::nullopt;
  return seconds;
}

}  // namespace clueline
