// The project-wide error enum and its boost::system category.
//
// Every module boundary reports failure as a boost::system::error_code (or a
// boost::system::result<T>) whose category is clueline's. The server maps each
// value to one HTTP status in a single table (server/error_status.cpp); other
// modules never speak HTTP.
#pragma once

#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>
#include <string_view>
#include <type_traits>

namespace clueline {

// Values are stable: they appear in logs and metrics by name, never by number.
enum class errc {
  // 0 is success in boost::system; the enum starts at 1.
  invalid_argument = 1,   // a field is missing, malformed or out of range
  malformed_json,         // the body is not the JSON the route expects
  not_found,              // the addressed object or route does not exist
  method_not_allowed,     // the route exists, the method does not
  conflict,               // the request contradicts current state
  gone,                   // the object existed and was revoked
  authentication_failed,  // a signature, MAC, seal or login proof did not verify
  payload_too_large,      // body over the route's limit
  header_too_large,       // request head over the header limit
  unsupported_media_type,
  rate_limited,
  request_timeout,
  storage_io,          // the database could not read or write
  storage_corruption,  // a checksum or decode failure in stored data
  storage_no_space,    // the disk is full
  unavailable,         // shutting down or a dependency is down
  internal,            // a bug: logged, never detailed to the client
  unauthenticated,     // no valid session: sign in first
  forbidden,           // signed in, but the role may not do this here
};

const boost::system::error_category& error_category() noexcept;

// The stable snake_case name of `e`, e.g. "not_found"; used as the JSON
// error code and as a metrics label.
std::string_view error_name(errc e) noexcept;
// A short phrase for people: "malformed or out of range", "no such object".
std::string_view error_description(errc e) noexcept;

inline boost::system::error_code make_error_code(errc e) noexcept {
  return {static_cast<int>(e), error_category()};
}

// The errc of `ec`; errc::internal for a code of another category, which
// no module boundary should let through.
inline errc errc_of(const boost::system::error_code& ec) noexcept {
  return ec.category() == error_category() ? static_cast<errc>(ec.value()) : errc::internal;
}

template <typename T>
using result = boost::system::result<T>;

}  // namespace clueline

template <>
struct boost::system::is_error_code_enum<clueline::errc> : std::true_type {};
