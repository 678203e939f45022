// Receipts (docs/crypto-spec.md §6): 25 random digits shown to the reporter,
// from which Argon2id derives the lookup key (the server stores only its
// hash) and the reply key pair (units seal replies to its public key).
//
// Thread-safe; starts libsodium itself. Functions returning a result report
// a failure to start libsodium or to get secure memory as errc::internal;
// those returning a plain value throw boost::system::system_error for it.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "clueline/common/error.hpp"
#include "clueline/crypto/keys.hpp"
#include "clueline/crypto/secure_buffer.hpp"

namespace clueline::crypto {

inline constexpr std::size_t kReceiptDigits = 25;
inline constexpr std::size_t kDeploymentSaltBytes = 16;
inline constexpr std::size_t kLookupKeyBytes = 32;
// Argon2id parameters of the receipt derivation, fixed by the spec.
inline constexpr unsigned long long kReceiptOpslimit = 2;
inline constexpr std::size_t kReceiptMemlimit = 67108864;  // 64 MiB

// 25 ASCII digits, each from randombytes_uniform(10) (83 bits). Throws
// boost::system::system_error only if libsodium cannot start.
std::string generate_receipt();

// A receipt as typed back: removes ASCII spaces and hyphens (U+0020,
// U+002D), then requires exactly 25 ASCII digits. errc::invalid_argument
// otherwise.
result<std::string> normalize_receipt(std::string_view typed);

// "12345-67890-12345-67890-12345": the receipt for display. Accepts what
// normalize_receipt accepts; throws std::invalid_argument otherwise.
std::string format_receipt(std::string_view digits);

struct ReceiptKeys {
  SecureBuffer lookup_key;                // 32 bytes, presented to follow up
  std::array<std::byte, 32> lookup_hash;  // BLAKE2b-32(lookup_key), in the envelope
  BoxKeyPair reply_key_pair;              // opens the units' replies
};

// Argon2id13(digits, deployment_salt, opslimit 2, memlimit 64 MiB) → 64
// bytes; lookup_key = [0, 32), reply key pair = crypto_box_seed_keypair([32,
// 64)). `digits` may be in typed form (it is normalised first).
// errc::invalid_argument for a malformed receipt or a salt that is not 16
// bytes; errc::internal if Argon2id cannot get its 64 MiB. Slow on purpose
// (tens to hundreds of milliseconds).
result<ReceiptKeys> derive_receipt_keys(std::string_view digits,
                                        std::span<const std::byte> deployment_salt);

// BLAKE2b-32 of `lookup_key`, as the server computes it to find a clue. Hashes
// whatever it is given: checking that a presented key is 32 bytes is the
// caller's job.
std::array<std::byte, 32> receipt_lookup_hash(std::span<const std::byte> lookup_key);

}  // namespace clueline::crypto
