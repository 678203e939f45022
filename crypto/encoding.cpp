#include "clueline/crypto/encoding.hpp"

#include "internal.hpp"

namespace clueline::crypto {

std::string to_base64url(std::span<const std::byte> bytes) {
  constexpr int kVariant = sodium_base64_VARIANT_URLSAFE_NO_PADDING;
  // sodium_base64_ENCODED_LEN counts the terminating NUL that
  // sodium_bin2base64 always writes.
  std::string text(sodium_base64_ENCODED_LEN(bytes.size(), kVariant), '\0');
  sodium_bin2base64(text.data(), text.size(), detail::uc(bytes), bytes.size(), kVariant);
  text.pop_back();
  return text;
}

result<Bytes> from_base64url(std::string_view text) {
  if (auto started = detail::ensure_started(); !started) {
    return started.error();
  }
  // libsodium 1.0.18 maps bytes >= 0x80 to a digit value instead of refusing
  // them (its char is signed), so "\xca\xca\xca\xca" would decode. The
  // alphabet is checked here first, without branching on the characters:
  // decoded texts may be keys.
  unsigned outside = 0;
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    const unsigned inside = static_cast<unsigned>(static_cast<unsigned>(c - 'A') < 26u) |
                            static_cast<unsigned>(static_cast<unsigned>(c - 'a') < 26u) |
                            static_cast<unsigned>(static_cast<unsigned>(c - '0') < 10u) |
                            static_cast<unsigned>(c == '-') | static_cast<unsigned>(c == '_');
    outside |= inside ^ 1u;
  }
  if (outside != 0) {
    return errc::invalid_argument;
  }
  // An upper bound: 4 characters carry 3 bytes, a partial group fewer.
  Bytes out(text.size() / 4 * 3 + 2);
  std::size_t length = 0;
  // With no ignore set and b64_end == nullptr, libsodium fails unless every
  // character was consumed, and it checks the leftover bits of a partial
  // group (more than 4 bits, or non-zero bits, fail), which is the
  // canonicality rule.
  const int rc =
      sodium_base642bin(detail::uc(std::span(out)), out.size(), text.data(), text.size(), nullptr,
                        &length, nullptr, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  if (rc != 0 || length > out.size()) {
    return errc::invalid_argument;
  }
  out.resize(length);
  return out;
}

std::span<const std::byte> as_bytes(std::string_view text) noexcept { return detail::ascii(text); }

bool is_utf8(std::span<const std::byte> bytes) noexcept {
  std::size_t i = 0;
  const std::size_t n = bytes.size();
  const auto at = [&bytes](std::size_t k) { return std::to_integer<unsigned>(bytes[k]); };
  const auto continuation = [&](std::size_t k, unsigned lo = 0x80, unsigned hi = 0xBF) {
    return k < n && at(k) >= lo && at(k) <= hi;
  };
  while (i < n) {
    const unsigned c = at(i);
    if (c < 0x80) {
      i += 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
      if (!continuation(i + 1)) return false;
      i += 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      // E0 needs A0..BF (no overlong), ED needs 80..9F (no surrogates).
      const unsigned lo = c == 0xE0 ? 0xA0 : 0x80;
      const unsigned hi = c == 0xED ? 0x9F : 0xBF;
      if (!continuation(i + 1, lo, hi) || !continuation(i + 2)) return false;
      i += 3;
    } else if (c >= 0xF0 && c <= 0xF4) {
      // F0 needs 90..BF (no overlong), F4 needs 80..8F (<= U+10FFFF).
      const unsigned lo = c == 0xF0 ? 0x90 : 0x80;
      const unsigned hi = c == 0xF4 ? 0x8F : 0xBF;
      if (!continuation(i + 1, lo, hi) || !continuation(i + 2) || !continuation(i + 3))
        return false;
      i += 4;
    } else {
      return false;
    }
  }
  return true;
}

}  // namespace clueline::crypto
