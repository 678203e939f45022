// Fixed inputs shared by the test-vector generator, the vector test and the
// fuzz targets: every seed, salt and nonce in docs/crypto-test-vectors.json is
// BLAKE2b-32("clueline/test-vector/" ‖ label), truncated where shorter.
#pragma once

#include <sodium.h>

#include <array>
#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include "clueline/crypto/crypto.hpp"

namespace clueline::crypto::test {

inline std::array<std::byte, 32> seed_of(std::string_view label) {
  const std::string input = "clueline/test-vector/" + std::string(label);
  std::array<std::byte, 32> seed{};
  crypto_generichash(reinterpret_cast<unsigned char*>(seed.data()), seed.size(),
                     reinterpret_cast<const unsigned char*>(input.data()), input.size(), nullptr,
                     0);
  return seed;
}

template <std::size_t N>
std::array<std::byte, N> bytes_of(std::string_view label) {
  static_assert(N <= 32);
  const auto seed = seed_of(label);
  std::array<std::byte, N> out{};
  std::copy(seed.begin(), seed.begin() + N, out.begin());
  return out;
}

template <typename T>
T must(result<T> value, std::string_view what) {
  if (!value) {
    throw std::runtime_error(std::string(what) + ": " + value.error().message());
  }
  return std::move(*value);
}

// crypto_box_seed_keypair(seed_of(label)).
inline BoxKeyPair box_pair(std::string_view label) {
  const auto seed = seed_of(label);
  std::array<unsigned char, crypto_box_PUBLICKEYBYTES> pk{};
  std::array<std::byte, crypto_box_SECRETKEYBYTES> sk{};
  crypto_box_seed_keypair(pk.data(), reinterpret_cast<unsigned char*>(sk.data()),
                          reinterpret_cast<const unsigned char*>(seed.data()));
  auto pair = must(box_key_pair_from_secret(sk), "box_pair");
  sodium_memzero(sk.data(), sk.size());
  return pair;
}

// crypto_sign_seed_keypair(seed_of(label)).
inline SigningKeyPair signing_pair(std::string_view label) {
  return must(signing_key_pair_from_seed(seed_of(label)), "signing_pair");
}

inline std::span<const std::byte> text_bytes(std::string_view s) { return as_bytes(s); }

}  // namespace clueline::crypto::test
