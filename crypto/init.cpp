#include "clueline/crypto/init.hpp"

#include <sodium.h>

#include <stdexcept>

#include "sodium_start.hpp"

namespace clueline::crypto {
namespace detail {

bool sodium_started() noexcept {
  // A function-local static is initialised exactly once even under
  // concurrent first calls (C++11 magic statics), which gives the
  // once-only, thread-safe start without a mutex of our own. sodium_init()
  // returns 1 when something else in the process already started it, which is
  // success too.
  static const bool started = sodium_init() >= 0;
  return started;
}

}  // namespace detail

void initialize() {
  if (!detail::sodium_started()) {
    throw std::runtime_error(
        "libsodium failed to initialise (sodium_init); no secure random source?");
  }
}

}  // namespace clueline::crypto
