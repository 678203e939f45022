#include "clueline/common/error.hpp"

#include <string>

namespace clueline {
namespace {

class ErrorCategory final : public boost::system::error_category {
 public:
  // A fixed id keeps equality across shared objects that each hold a copy.
  constexpr ErrorCategory() : boost::system::error_category(0x636c75656c696e65ULL) {}
  const char* name() const noexcept override { return "clueline"; }
  std::string message(int value) const override {
    return std::string(error_name(static_cast<errc>(value)));
  }
};

}  // namespace

const boost::system::error_category& error_category() noexcept {
  static const ErrorCategory category;
  return category;
}

std::string_view error_name(errc e) noexcept {
  switch (e) {
    case errc::invalid_argument:
      return "invalid_argument";
    case errc::malformed_json:
      return "malformed_json";
    case errc::not_found:
      return "not_found";
    case errc::method_not_allowed:
      return "method_not_allowed";
    case errc::conflict:
      return "conflict";
    case errc::gone:
      return "gone";
    case errc::authentication_failed:
      return "authentication_failed";
    case errc::payload_too_large:
      return "payload_too_large";
    case errc::header_too_large:
      return "header_too_large";
    case errc::unsupported_media_type:
      return "unsupported_media_type";
    case errc::rate_limited:
      return "rate_limited";
    case errc::request_timeout:
      return "request_timeout";
    case errc::storage_io:
      return "storage_io";
    case errc::storage_corruption:
      return "storage_corruption";
    case errc::storage_no_space:
      return "storage_no_space";
    case errc::unavailable:
      return "unavailable";
    case errc::internal:
      return "internal";
    case errc::unauthenticated:
      return "unauthenticated";
    case errc::forbidden:
      return "forbidden";
  }
  return "unknown";
}

std::string_view error_description(errc e) noexcept {
  switch (e) {
    case errc::invalid_argument:
      return "missing, malformed or out of range";
    case errc::malformed_json:
      return "not the JSON expected";
    case errc::not_found:
      return "no such object";
    case errc::method_not_allowed:
      return "not allowed with this method";
    case errc::conflict:
      return "contradicts the current state";
    case errc::gone:
      return "revoked";
    case errc::authentication_failed:
      return "a signature, seal, tag or proof did not verify";
    case errc::payload_too_large:
      return "too large";
    case errc::header_too_large:
      return "request headers too large";
    case errc::unsupported_media_type:
      return "wrong content type";
    case errc::rate_limited:
      return "too many requests; wait and try again";
    case errc::request_timeout:
      return "timed out";
    case errc::storage_io:
      return "the database could not be read or written";
    case errc::storage_corruption:
      return "stored data is damaged";
    case errc::storage_no_space:
      return "the disk is full";
    case errc::unavailable:
      return "unavailable for now; try again";
    case errc::internal:
      return "an internal error";
    case errc::unauthenticated:
      return "not signed in";
    case errc::forbidden:
      return "not allowed for this account";
  }
  return "unknown error";
}

}  // namespace clueline
