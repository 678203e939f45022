// BLAKE2b (libsodium's crypto_generichash) for the modules that must not call
// libsodium themselves: the audit chain, challenge MACs, token hashes.
//
// Thread-safe; starts libsodium itself.
#pragma once

#include <array>
#include <cstddef>
#include <initializer_list>
#include <span>

namespace clueline::crypto {

inline constexpr std::size_t kHashMinBytes = 16;
inline constexpr std::size_t kHashMaxBytes = 64;
inline constexpr std::size_t kHashKeyMinBytes = 16;
inline constexpr std::size_t kHashKeyMaxBytes = 64;

// BLAKE2b with an `out.size()`-byte output over the concatenation of
// `parts`, unkeyed when `key` is empty, keyed (a MAC) otherwise. Throws
// std::invalid_argument unless out.size() is 16..64 and the key is empty or
// 16..64 bytes: the sizes are the caller's constants, never input.
void blake2b(std::span<std::byte> out, std::initializer_list<std::span<const std::byte>> parts,
             std::span<const std::byte> key = {});

// The same into a fixed-size array.
template <std::size_t N>
std::array<std::byte, N> blake2b(std::initializer_list<std::span<const std::byte>> parts,
                                 std::span<const std::byte> key = {}) {
  static_assert(N >= kHashMinBytes && N <= kHashMaxBytes);
  std::array<std::byte, N> out;
  blake2b(std::span<std::byte>(out), parts, key);
  return out;
}

}  // namespace clueline::crypto
