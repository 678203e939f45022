// How a use case says no: the project error (which the server maps to one
// HTTP status, the command line to one exit code) plus a sentence for the
// person who asked, saying what was wrong and what would be accepted.
#pragma once

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>
#include <string>
#include <utility>

#include "clueline/common/error.hpp"

namespace clueline::services {

struct Refusal {
  errc code = errc::internal;
  // Safe to show to anyone: never a secret, an internal detail or raw input.
  std::string message;
  // For errc::rate_limited: when trying again can succeed.
  unsigned retry_after_seconds = 0;
};

inline Refusal refuse(errc code, std::string message, unsigned retry_after_seconds = 0) {
  return {code, std::move(message), retry_after_seconds};
}

// A use case's answer: a value, or a Refusal. Calling value() on a refusal
// throws std::runtime_error with the message (start-up and tools only).
template <typename T>
using Outcome = boost::system::result<T, Refusal>;

[[noreturn]] void throw_exception_from_error(const Refusal& refusal,
                                             const boost::source_location& location);

}  // namespace clueline::services
