// Byte strings and their text form: base64url as the protocol uses it
// (docs/crypto-spec.md §1).
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "clueline/common/error.hpp"

namespace clueline::crypto {

// An owned byte string for public data (ciphertexts, envelopes, blobs).
// Secrets go into SecureBuffer instead.
using Bytes = std::vector<std::byte>;

// RFC 4648 §5 base64url without padding. Never fails; thread-safe.
std::string to_base64url(std::span<const std::byte> bytes);

// Strict inverse of to_base64url: refuses padding, whitespace, any character
// outside [A-Za-z0-9_-], a length of 1 modulo 4 and non-zero trailing bits
// (so every byte string has exactly one accepted text). The empty string
// decodes to no bytes. Fails with errc::invalid_argument, or errc::internal
// if libsodium cannot start. Thread-safe.
result<Bytes> from_base64url(std::string_view text);

// The bytes of `text` (no terminator, no copy). The span is valid as long as
// the characters `text` views.
std::span<const std::byte> as_bytes(std::string_view text) noexcept;

// True if `bytes` is well-formed UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF). The empty string is.
bool is_utf8(std::span<const std::byte> bytes) noexcept;

}  // namespace clueline::crypto
