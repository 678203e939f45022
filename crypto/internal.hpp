// Private to the crypto module: small helpers shared by the constructions.
// Nothing here is part of the public API.
#pragma once

#include <sodium.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <type_traits>
#include <vector>

#include "clueline/common/error.hpp"
#include "clueline/crypto/secure_buffer.hpp"

namespace clueline::crypto::detail {

// The unsigned char pointer libsodium wants for a contiguous range of
// std::byte (array, vector, span), keeping its constness.
template <typename Range>
auto uc(Range&& bytes) noexcept {
  auto s = std::span(bytes);
  using Element = typename decltype(s)::element_type;
  static_assert(std::is_same_v<std::remove_const_t<Element>, std::byte>);
  if constexpr (std::is_const_v<Element>) {
    return reinterpret_cast<const unsigned char*>(s.data());
  } else {
    return reinterpret_cast<unsigned char*>(s.data());
  }
}

inline std::span<const std::byte> ascii(std::string_view s) noexcept {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

inline void append(std::vector<std::byte>& out, std::span<const std::byte> s) {
  out.insert(out.end(), s.begin(), s.end());
}

inline void append_u8(std::vector<std::byte>& out, std::uint8_t v) {
  out.push_back(static_cast<std::byte>(v));
}

inline void append_u16be(std::vector<std::byte>& out, std::uint16_t v) {
  out.push_back(static_cast<std::byte>(v >> 8));
  out.push_back(static_cast<std::byte>(v));
}

inline void append_u32be(std::vector<std::byte>& out, std::uint32_t v) {
  out.push_back(static_cast<std::byte>(v >> 24));
  out.push_back(static_cast<std::byte>(v >> 16));
  out.push_back(static_cast<std::byte>(v >> 8));
  out.push_back(static_cast<std::byte>(v));
}

// Callers check that 2 (resp. 4) bytes are readable at `p`.
inline std::uint16_t read_u16be(const std::byte* p) noexcept {
  return static_cast<std::uint16_t>((std::to_integer<unsigned>(p[0]) << 8) |
                                    std::to_integer<unsigned>(p[1]));
}
inline std::uint32_t read_u32be(const std::byte* p) noexcept {
  return (std::to_integer<std::uint32_t>(p[0]) << 24) |
         (std::to_integer<std::uint32_t>(p[1]) << 16) |
         (std::to_integer<std::uint32_t>(p[2]) << 8) | std::to_integer<std::uint32_t>(p[3]);
}

template <std::size_t N>
std::array<std::byte, N> to_array(std::span<const std::byte> s) noexcept {
  std::array<std::byte, N> out{};
  // Callers have checked s.size() == N; the min() only keeps a mistake from
  // turning into an overread.
  const std::size_t n = s.size() < N ? s.size() : N;
  for (std::size_t i = 0; i < n; ++i) {
    out[i] = s[i];
  }
  return out;
}

// libsodium started, or errc::internal.
result<void> ensure_started() noexcept;

// Allocates secure memory for functions that cannot return a result; throws
// boost::system::system_error (errc::internal) when that fails.
SecureBuffer allocate_or_throw(std::size_t size);

// A SecureBuffer holding a copy of `bytes`, or errc::internal.
result<SecureBuffer> secure_copy(std::span<const std::byte> bytes);

}  // namespace clueline::crypto::detail
