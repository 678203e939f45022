// RFC 6238 time-based one-time codes (HMAC-SHA1, 30 s steps, 6 digits),
// through Debian's liboath rather than by hand. Thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

namespace clueline::services {

// True if `code` is the code of `secret` (raw bytes) for the step of `now`
// or the step just before or after it (clock drift of up to 30 s).
bool totp_matches(std::string_view secret, std::string_view code,
                  std::chrono::system_clock::time_point now);

// The code of `secret` at `now` (for enrolment checks and tests).
std::string totp_code(std::string_view secret, std::chrono::system_clock::time_point now);

// The RFC 4648 base32 text of `secret` (what authenticator apps take) and
// the otpauth:// URI of the account (Key Uri Format), issuer "clueline".
std::string totp_base32(std::string_view secret);
std::string totp_uri(std::string_view login_name, std::string_view secret);

}  // namespace clueline::services
