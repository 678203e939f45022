// Private to the crypto module: starts libsodium without throwing, for entry
// points that report failure as a result instead of an exception.
#pragma once

namespace clueline::crypto::detail {

// Runs sodium_init() once per process (thread-safe) and returns whether
// libsodium is usable. Later calls return the remembered answer.
bool sodium_started() noexcept;

}  // namespace clueline::crypto::detail
