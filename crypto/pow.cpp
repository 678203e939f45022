#include "clueline/crypto/pow.hpp"

#include <algorithm>
#include <bit>
#include <cstdint>
#include <stdexcept>

#include "internal.hpp"

namespace clueline::crypto {
namespace {

constexpr std::size_t kHashBytes = 32;

bool meets(const std::array<std::byte, kHashBytes>& hash, unsigned difficulty) noexcept {
  return leading_zero_bits(hash) >= difficulty;
}

}  // namespace

unsigned leading_zero_bits(std::span<const std::byte> bytes) noexcept {
  unsigned zeros = 0;
  for (const std::byte b : bytes) {
    const auto value = std::to_integer<std::uint8_t>(b);
    if (value != 0) {
      return zeros + static_cast<unsigned>(std::countl_zero(value));
    }
    zeros += 8;
  }
  return zeros;
}

bool verify_pow(const PowChallenge& challenge, const PowNonce& nonce,
                unsigned difficulty) noexcept {
  if (difficulty > kMaxPowDifficulty || !detail::ensure_started()) {
    return false;
  }
  std::array<std::byte, 40> input{};
  std::copy(challenge.begin(), challenge.end(), input.begin());
  std::copy(nonce.begin(), nonce.end(), input.begin() + challenge.size());
  std::array<std::byte, kHashBytes> hash{};
  crypto_generichash(detail::uc(std::span(hash)), hash.size(), detail::uc(input), input.size(),
                     nullptr, 0);
  return meets(hash, difficulty);
}

PowNonce solve_pow(const PowChallenge& challenge, unsigned difficulty) {
  if (difficulty > kMaxPowDifficulty) {
    throw std::invalid_argument("solve_pow: difficulty above 32");
  }
  detail::ensure_started().value();
  // One 40-byte buffer rewritten in place: the loop is the client's hot
  // path at difficulty 16+ and crypto_generichash over one block is cheap.
  std::array<std::byte, 40> input{};
  std::copy(challenge.begin(), challenge.end(), input.begin());
  std::array<std::byte, kHashBytes> hash{};
  for (std::uint64_t counter = 0;; ++counter) {
    for (int i = 0; i < 8; ++i) {
      input[32 + i] = static_cast<std::byte>(counter >> (56 - 8 * i));
    }
    crypto_generichash(detail::uc(std::span(hash)), hash.size(), detail::uc(input), input.size(),
                       nullptr, 0);
    if (meets(hash, difficulty)) {
      PowNonce nonce{};
      std::copy(input.begin() + 32, input.end(), nonce.begin());
      return nonce;
    }
    // 2^64 tries cannot be exhausted at any difficulty <= 32 in practice;
    // the counter simply wraps if it ever did.
  }
}

}  // namespace clueline::crypto
