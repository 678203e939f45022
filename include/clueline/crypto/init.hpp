// Start-up of the cryptographic library.
//
// Every other function in clueline::crypto that needs libsodium to be started
// starts it itself, so calling initialize() is not required for correctness.
// Call it once early in main() anyway: a failure then stops start-up with a
// clear message instead of surfacing later inside a request.
#pragma once

namespace clueline::crypto {

// Starts libsodium (CPU feature detection, the system random source, secure
// memory page size). Idempotent and thread-safe: the first call does the work,
// concurrent and later calls wait for it and then return at once.
//
// Throws std::runtime_error if sodium_init() reports failure. The failure is
// remembered: every later call throws again. (libsodium itself aborts the
// process when it finds no usable random source at all.)
void initialize();

}  // namespace clueline::crypto
