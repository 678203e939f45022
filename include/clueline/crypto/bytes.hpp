// Byte-level primitives: comparison of secrets and the system random source.
#pragma once

#include <cstddef>
#include <span>

namespace clueline::crypto {

// True if `a` and `b` have the same length and the same contents.
//
// For equal lengths the running time depends only on the length, never on
// where the first difference is, so it is safe for MACs, tokens and verifier
// hashes. Lengths are treated as public: different lengths return false at
// once, without looking at the contents. Two empty spans are equal.
// Thread-safe; does not need initialize().
bool constant_time_equal(std::span<const std::byte> a, std::span<const std::byte> b) noexcept;

// Fills `out` with bytes from libsodium's cryptographically secure random
// source (getrandom(2) on Linux). An empty span is left alone.
// Thread-safe. Starts libsodium if needed and throws std::runtime_error, as
// initialize() does, if it cannot start; otherwise never fails.
void random_bytes(std::span<std::byte> out);

// Overwrites `bytes` with zeros in a way the compiler may not drop
// (sodium_memzero), for secrets held outside SecureBuffer for a moment.
void wipe(std::span<std::byte> bytes) noexcept;

}  // namespace clueline::crypto
