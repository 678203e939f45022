// Length hiding (docs/crypto-spec.md §1, §4): ISO/IEC 7816-4 padding
// (sodium_pad) up to fixed buckets, so a payload's size shows only its bucket.
//
// Thread-safe; no libsodium start needed.
#pragma once

#include <array>
#include <cstddef>
#include <span>

#include "clueline/common/error.hpp"
#include "clueline/crypto/encoding.hpp"

namespace clueline::crypto {

// Allowed padded sizes of a sealed payload's plaintext, ascending.
inline constexpr std::array<std::size_t, 5> kPayloadBuckets{1024, 4096, 16384, 65536, 262144};
// The largest plaintext a payload carries; 262144 bytes or more are refused.
inline constexpr std::size_t kMaxPayloadPlaintext = kPayloadBuckets.back() - 1;

// True if `size` is one of kPayloadBuckets.
bool is_payload_bucket(std::size_t size) noexcept;

// sodium_pad(m, B) with B the smallest bucket strictly larger than len(m);
// the result is exactly B bytes (m, 0x80, zeros). errc::invalid_argument if
// len(m) > kMaxPayloadPlaintext.
result<Bytes> pad_to_bucket(std::span<const std::byte> m);

// sodium_unpad with `block_size`: the bytes before the final 0x80 of the
// last block. errc::invalid_argument unless block_size > 0 and len(padded) is
// a non-zero multiple of it; errc::authentication_failed if the last block
// is not 0x80 followed by zeros (after at most block_size − 1 data bytes).
// Constant time in the position of the 0x80.
result<Bytes> unpad(std::span<const std::byte> padded, std::size_t block_size);

// The unpadded length, for callers that keep the plaintext in place (e.g. in
// a SecureBuffer). Same checks and errors as unpad.
result<std::size_t> unpadded_size(std::span<const std::byte> padded, std::size_t block_size);

}  // namespace clueline::crypto
