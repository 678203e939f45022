// Helpers shared by the crypto unit tests.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "clueline/crypto/crypto.hpp"

namespace clueline::crypto::test {

// Fast Argon2id parameters for tests that only need the construction right.
inline const KdfParams kFastKdf{1, 65536};

inline Bytes random_vector(std::size_t n) {
  Bytes out(n);
  random_bytes(out);
  return out;
}

template <std::size_t N>
std::array<std::byte, N> random_array() {
  std::array<std::byte, N> out{};
  random_bytes(out);
  return out;
}

inline SecureBuffer secure_from(std::span<const std::byte> bytes) {
  auto buffer = SecureBuffer::allocate(bytes.size()).value();
  std::copy(bytes.begin(), bytes.end(), buffer.data());
  return buffer;
}

inline Bytes to_vector(std::span<const std::byte> s) { return Bytes(s.begin(), s.end()); }

// A copy of `b` with bit `bit` flipped (bit 0 = least significant bit of byte 0).
inline Bytes flip_bit(std::span<const std::byte> b, std::size_t bit) {
  Bytes out = to_vector(b);
  out.at(bit / 8) ^= static_cast<std::byte>(1u << (bit % 8));
  return out;
}

// Bit positions to test in a `size`-byte input: all of them up to `all_up_to`
// bytes; otherwise every bit of the first and last 64 bytes plus `samples`
// pseudo-random ones (fixed seed, so failures reproduce).
inline std::vector<std::size_t> bit_positions(std::size_t size, std::size_t all_up_to = 2048,
                                              std::size_t samples = 512) {
  std::vector<std::size_t> bits;
  const std::size_t total = size * 8;
  if (size <= all_up_to) {
    for (std::size_t i = 0; i < total; ++i) bits.push_back(i);
    return bits;
  }
  for (std::size_t i = 0; i < 512; ++i) {
    bits.push_back(i);
    bits.push_back(total - 1 - i);
  }
  std::mt19937_64 rng(42);
  for (std::size_t i = 0; i < samples; ++i) bits.push_back(rng() % total);
  return bits;
}

template <typename T>
::testing::AssertionResult fails_with(const result<T>& r, errc expected) {
  if (r.has_value()) {
    return ::testing::AssertionFailure() << "succeeded, expected " << error_name(expected);
  }
  if (r.error() != make_error_code(expected)) {
    return ::testing::AssertionFailure()
           << "failed with " << r.error().message() << ", expected " << error_name(expected);
  }
  return ::testing::AssertionSuccess();
}

// Either error of spec §11 (which one depends on where a flipped bit lands).
template <typename T>
::testing::AssertionResult refused(const result<T>& r) {
  if (r.has_value()) {
    return ::testing::AssertionFailure() << "succeeded";
  }
  if (r.error() != make_error_code(errc::invalid_argument) &&
      r.error() != make_error_code(errc::authentication_failed)) {
    return ::testing::AssertionFailure() << "unexpected error " << r.error().message();
  }
  return ::testing::AssertionSuccess();
}

template <typename T>
T must(result<T> value, std::string_view what) {
  if (!value) {
    throw std::runtime_error(std::string(what) + ": " + value.error().message());
  }
  return std::move(*value);
}

inline bool same_bytes(std::span<const std::byte> a, std::span<const std::byte> b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin());
}

}  // namespace clueline::crypto::test
