// Sealed payloads (docs/crypto-spec.md §4): the container of a report body,
// a reporter's follow-up message and a unit's reply. A random data key
// encrypts the padded plaintext with XChaCha20-Poly1305; the data key is
// sealed (crypto_box_seal) to each recipient's X25519 key; the whole header
// (recipients and nonce) is in the associated data.
//
// Thread-safe; starts libsodium itself. Functions returning a result report
// a failure to start libsodium or to get secure memory as errc::internal;
// those returning a plain value throw boost::system::system_error for it.
#pragma once

#include <array>
#include <cstddef>
#include <span>
#include <vector>

#include "clueline/common/error.hpp"
#include "clueline/crypto/encoding.hpp"
#include "clueline/crypto/keys.hpp"
#include "clueline/crypto/secure_buffer.hpp"

namespace clueline::crypto {

// Which construction a payload belongs to; selects the domain string D.
enum class PayloadDomain {
  kEnvelope,  // "clueline/envelope/v1", context = envelope bytes before the payload
  kMessage,   // "clueline/message/v1", context = clue id (16 bytes)
  kReply,     // "clueline/reply/v1", context = clue id (16 bytes); exactly one recipient
};

inline constexpr std::size_t kMaxRecipients = 16;
inline constexpr std::size_t kClueIdBytes = 16;
inline constexpr std::size_t kDataKeyBytes = 32;
inline constexpr std::size_t kPayloadNonceBytes = 24;
inline constexpr std::size_t kSealedKeyBytes = 80;  // crypto_box_seal of 32 bytes
inline constexpr std::size_t kRecipientEntryBytes = kKeyIdBytes + kSealedKeyBytes;  // 96
// Smallest and largest well-formed payloads (1 recipient and 1 KiB bucket;
// 16 recipients and the 256 KiB bucket).
inline constexpr std::size_t kMinPayloadBytes =
    1 + kRecipientEntryBytes + kPayloadNonceBytes + 4 + 1024 + 16;
inline constexpr std::size_t kMaxPayloadBytes =
    1 + kMaxRecipients * kRecipientEntryBytes + kPayloadNonceBytes + 4 + 262144 + 16;

// One recipient entry: key_id[16] ‖ crypto_box_seal(data_key, pk)[80].
struct PayloadRecipient {
  KeyId key_id;
  std::array<std::byte, kSealedKeyBytes> sealed_key;
  friend bool operator==(const PayloadRecipient&, const PayloadRecipient&) = default;
};

// A structurally valid payload. `header` and `ciphertext` point into the
// buffer given to parse_payload and are valid only while it is.
struct ParsedPayload {
  std::vector<PayloadRecipient> recipients;  // 1..16, distinct key ids
  std::array<std::byte, kPayloadNonceBytes> nonce;
  std::span<const std::byte> header;      // u8 n ‖ entries ‖ nonce (in the AD)
  std::span<const std::byte> ciphertext;  // bucket + 16 bytes
};

// Structure only, no keys: u8 n with 1 ≤ n ≤ 16, n entries with distinct key
// ids, the nonce, u32be length equal to a bucket + 16, that many bytes and
// nothing after. errc::invalid_argument for anything else.
result<ParsedPayload> parse_payload(std::span<const std::byte> payload);

// Seals `plaintext` (at most kMaxPayloadPlaintext bytes) for `recipients`
// with fresh random data key and nonce. errc::invalid_argument for: 0 or more
// than 16 recipients, two recipients with the same key id, a plaintext too
// large, a context that is not 16 bytes for kMessage/kReply, more than one
// recipient for kReply, or a recipient key that crypto_box_seal refuses (a
// low-order point). errc::internal if secure memory runs out.
result<Bytes> seal_payload(PayloadDomain domain, std::span<const std::byte> context,
                           std::span<const BoxPublicKey> recipients,
                           std::span<const std::byte> plaintext);

// Opens a payload with the key pair of one of its recipients and returns the
// unpadded plaintext. errc::invalid_argument if the payload is malformed (as
// parse_payload), the context is not 16 bytes for kMessage/kReply, a kReply
// payload has more than one recipient, or `key_pair` has no 32-byte secret
// key; errc::authentication_failed for every other failure (no entry for the
// key, seal, AEAD tag, padding), without saying which.
result<SecureBuffer> open_payload(PayloadDomain domain, std::span<const std::byte> context,
                                  std::span<const std::byte> payload, const BoxKeyPair& key_pair);

// The same, also trying `transferred` entries (reseal_data_key, spec §9) when
// the key pair's id is not among the payload's own recipients. The AEAD
// still binds the original header, so a transferred entry only yields the
// plaintext if it seals the payload's real data key.
result<SecureBuffer> open_payload(PayloadDomain domain, std::span<const std::byte> context,
                                  std::span<const std::byte> payload, const BoxKeyPair& key_pair,
                                  std::span<const PayloadRecipient> transferred);

// The 32-byte data key sealed to `key_pair` in `payload` (or in one of
// `transferred`, when the key is not among the payload's recipients), for a
// transfer. Only the seal is checked, not the ciphertext: open the payload
// first. Errors as open_payload.
result<SecureBuffer> open_data_key(std::span<const std::byte> payload, const BoxKeyPair& key_pair,
                                   std::span<const PayloadRecipient> transferred = {});

// The entry giving `new_recipient` access to a payload whose data key is
// `data_key`: key_id(new_recipient) ‖ crypto_box_seal(data_key,
// new_recipient). Throws std::invalid_argument if data_key is not 32 bytes or
// crypto_box_seal refuses the public key.
PayloadRecipient reseal_data_key(const SecureBuffer& data_key, const BoxPublicKey& new_recipient);

}  // namespace clueline::crypto
