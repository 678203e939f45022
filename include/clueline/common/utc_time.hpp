// Times as every interface of clueline writes them: RFC 3339 in UTC with
// whole seconds, "2026-11-23T10:00:00Z". Records store Unix seconds; the
// API, the command line and new audit details show this text.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace clueline {

// `unix_seconds` as "YYYY-MM-DDTHH:MM:SSZ". Pure; thread-safe.
std::string utc_text(std::int64_t unix_seconds);

// The Unix seconds of exactly the form utc_text writes (20 characters, a
// literal 'T' and 'Z'); nullopt for anything else, including out-of-range
// fields ("2026-02-30T00:00:00Z"). Pure; thread-safe.
std::optional<std::int64_t> parse_utc_text(std::string_view text);

}  // namespace clueline
