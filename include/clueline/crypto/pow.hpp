// Proof of work (docs/crypto-spec.md §7): find a nonce such that
// BLAKE2b-32(challenge ‖ nonce) starts with N zero bits.
//
// Thread-safe; starts libsodium itself. Functions returning a result report
// a failure to start libsodium or to get secure memory as errc::internal;
// those returning a plain value throw boost::system::system_error for it.
#pragma once

#include <array>
#include <cstddef>
#include <span>

namespace clueline::crypto {

using PowChallenge = std::array<std::byte, 32>;
using PowNonce = std::array<std::byte, 8>;

inline constexpr unsigned kDefaultPowDifficulty = 16;
inline constexpr unsigned kMaxPowDifficulty = 32;

// Number of leading zero bits of `bytes`, counted from the most significant
// bit of byte 0; 8 * size for all-zero input (0 for empty input).
unsigned leading_zero_bits(std::span<const std::byte> bytes) noexcept;

// True iff BLAKE2b-32(challenge ‖ nonce) has at least `difficulty` leading
// zero bits. Exactly one BLAKE2b call over 40 bytes (about a microsecond),
// whatever the input. A difficulty above kMaxPowDifficulty is never met
// (false). Difficulty 0 accepts every nonce. Returns false if libsodium
// cannot start.
bool verify_pow(const PowChallenge& challenge, const PowNonce& nonce, unsigned difficulty) noexcept;

// The first nonce = u64be(counter), counter = 0, 1, 2, …, that verify_pow
// accepts: deterministic, so test vectors and the JavaScript solver agree.
// Expected cost 2^difficulty hashes. Throws std::invalid_argument if
// difficulty > kMaxPowDifficulty.
PowNonce solve_pow(const PowChallenge& challenge, unsigned difficulty);

}  // namespace clueline::crypto
