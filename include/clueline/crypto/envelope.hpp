// Envelopes (docs/crypto-spec.md §5): a report as the client submits it. The
// routing hints and reporter keys travel in clear (the server routes on
// them) but are the associated data of the sealed body, so changing any of
// them makes the body unopenable.
//
// Thread-safe; starts libsodium itself. A failure to start libsodium or to
// get secure memory is reported as errc::internal.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include "clueline/common/error.hpp"
#include "clueline/crypto/encoding.hpp"
#include "clueline/crypto/keys.hpp"
#include "clueline/crypto/pow.hpp"
#include "clueline/crypto/sealed_payload.hpp"
#include "clueline/crypto/secure_buffer.hpp"
#include "clueline/crypto/site_token.hpp"

namespace clueline::crypto {

inline constexpr std::size_t kMaxRoutingFieldBytes = 32;
// The fixed part before the payload, without category and accused level:
// magic ‖ token ‖ two length bytes ‖ reply key ‖ lookup hash ‖ challenge ‖ nonce.
inline constexpr std::size_t kEnvelopeFixedBytes = 4 + kSiteTokenBytes + 1 + 1 + 32 + 32 + 32 + 8;
inline constexpr std::size_t kMinEnvelopeBytes = kEnvelopeFixedBytes + 1 + kMinPayloadBytes;
// The largest well-formed envelope (263,985 bytes): a request body limit for
// POST /api/v1/reports.
inline constexpr std::size_t kMaxEnvelopeBytes =
    kEnvelopeFixedBytes + 2 * kMaxRoutingFieldBytes + kMaxPayloadBytes;
static_assert(kMaxEnvelopeBytes == 263985);

struct EnvelopeHeader {
  std::array<std::byte, kSiteTokenBytes> site_token;  // raw token, not verified by parse
  std::string category;                               // 1..32 of [a-z0-9_]
  std::string accused_level;                          // 0..32 of [a-z0-9_]; empty = unknown
  BoxPublicKey reply_public_key;
  std::array<std::byte, 32> receipt_lookup_hash;
  PowChallenge pow_challenge;
  PowNonce pow_nonce;
  friend bool operator==(const EnvelopeHeader&, const EnvelopeHeader&) = default;
};

// True if `field` is a well-formed category (min_size 1) or accused level
// (min_size 0): min_size..32 bytes of [a-z0-9_].
bool is_routing_field(std::string_view field, std::size_t min_size) noexcept;

// Builds an envelope: the header fields, then a kEnvelope payload of
// `body_json` (UTF-8, at most kMaxPayloadPlaintext bytes; not parsed) sealed
// to `recipients` with the header as context. errc::invalid_argument for a
// malformed category or accused level, a body that is not UTF-8, and
// everything seal_payload refuses.
result<Bytes> seal_envelope(const EnvelopeHeader& header, std::span<const BoxPublicKey> recipients,
                            std::string_view body_json);

// A structurally valid envelope. `payload` and `context` point into the
// buffer given to parse_envelope and are valid only while it is.
struct ParsedEnvelope {
  EnvelopeHeader header;
  ParsedPayload payload;
  std::span<const std::byte> context;  // every byte before the payload
};

// Structural validation for the server (no keys, no token signature check,
// no proof-of-work check): magic "CLE2", category and accused level per
// spec, a well-formed payload (parse_payload), no trailing bytes.
// errc::invalid_argument for anything else.
result<ParsedEnvelope> parse_envelope(std::span<const std::byte> envelope);

// The report body (UTF-8 JSON bytes) of an envelope addressed to `unit`.
// errc::invalid_argument if the envelope is malformed or the opened body is
// not UTF-8; errc::authentication_failed if it is not addressed to `unit` or
// anything authenticated was changed.
result<SecureBuffer> open_envelope(std::span<const std::byte> envelope, const BoxKeyPair& unit);

// The same, also trying entries added by a transfer (see open_payload).
result<SecureBuffer> open_envelope(std::span<const std::byte> envelope, const BoxKeyPair& unit,
                                   std::span<const PayloadRecipient> transferred);

}  // namespace clueline::crypto
