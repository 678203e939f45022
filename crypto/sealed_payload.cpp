#include "clueline/crypto/sealed_payload.hpp"

#include <algorithm>
#include <stdexcept>
#include <string_view>

#include "clueline/crypto/padding.hpp"
#include "clueline/crypto/testing.hpp"
#include "internal.hpp"

namespace clueline::crypto {
namespace {

static_assert(kSealedKeyBytes == crypto_box_SEALBYTES + kDataKeyBytes);
static_assert(kPayloadNonceBytes == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
static_assert(kDataKeyBytes == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
constexpr std::size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;

std::string_view domain_string(PayloadDomain domain) noexcept {
  switch (domain) {
    case PayloadDomain::kEnvelope:
      return "clueline/envelope/v1";
    case PayloadDomain::kMessage:
      return "clueline/message/v1";
    case PayloadDomain::kReply:
      return "clueline/reply/v1";
  }
  return {};
}

bool known_domain(PayloadDomain domain) noexcept { return !domain_string(domain).empty(); }

// The context rule of spec §4: messages and replies are bound to a clue id.
bool context_fits(PayloadDomain domain, std::span<const std::byte> context) noexcept {
  return domain == PayloadDomain::kEnvelope || context.size() == kClueIdBytes;
}

// ad = D ‖ C ‖ header.
Bytes associated_data(PayloadDomain domain, std::span<const std::byte> context,
                      std::span<const std::byte> header) {
  const auto d = detail::ascii(domain_string(domain));
  Bytes ad;
  ad.reserve(d.size() + context.size() + header.size());
  detail::append(ad, d);
  detail::append(ad, context);
  detail::append(ad, header);
  return ad;
}

std::size_t header_size(std::size_t recipients) noexcept {
  return 1 + recipients * kRecipientEntryBytes + kPayloadNonceBytes;
}

// Seals the 32-byte data key for one recipient; false if libsodium refuses
// the public key (crypto_box_beforenm fails for a low-order point).
bool seal_key(std::span<const std::byte> data_key, const BoxPublicKey& recipient,
              std::span<std::byte, kSealedKeyBytes> out) noexcept {
  return crypto_box_seal(detail::uc(out), detail::uc(data_key), data_key.size(),
                         detail::uc(recipient.bytes)) == 0;
}

result<Bytes> seal_with(PayloadDomain domain, std::span<const std::byte> context,
                        std::span<const BoxPublicKey> recipients,
                        std::span<const std::byte> plaintext, std::span<const std::byte> data_key,
                        std::span<const std::byte> nonce) {
  if (!known_domain(domain) || !context_fits(domain, context) || recipients.empty() ||
      recipients.size() > kMaxRecipients ||
      (domain == PayloadDomain::kReply && recipients.size() != 1) ||
      plaintext.size() > kMaxPayloadPlaintext || data_key.size() != kDataKeyBytes ||
      nonce.size() != kPayloadNonceBytes) {
    return errc::invalid_argument;
  }
  if (auto started = detail::ensure_started(); !started) {
    return started.error();
  }
  std::vector<KeyId> ids;
  ids.reserve(recipients.size());
  for (const auto& recipient : recipients) {
    const KeyId id = key_id(recipient);
    if (std::find(ids.begin(), ids.end(), id) != ids.end()) {
      return errc::invalid_argument;
    }
    ids.push_back(id);
  }

  // The padded plaintext is as secret as the plaintext, so it is built in
  // secure memory rather than in a vector.
  const auto bucket = *std::find_if(kPayloadBuckets.begin(), kPayloadBuckets.end(),
                                    [&](std::size_t b) { return b > plaintext.size(); });
  auto padded = SecureBuffer::allocate(bucket);
  if (!padded) {
    return padded.error();
  }
  std::copy(plaintext.begin(), plaintext.end(), padded->data());
  std::size_t padded_length = 0;
  if (sodium_pad(&padded_length, detail::uc(padded->bytes()), plaintext.size(), bucket, bucket) !=
          0 ||
      padded_length != bucket) {
    return errc::internal;
  }

  const std::size_t ciphertext_size = bucket + kTagBytes;
  Bytes payload;
  payload.reserve(header_size(recipients.size()) + 4 + ciphertext_size);
  detail::append_u8(payload, static_cast<std::uint8_t>(recipients.size()));
  for (std::size_t i = 0; i < recipients.size(); ++i) {
    detail::append(payload, ids[i]);
    std::array<std::byte, kSealedKeyBytes> sealed{};
    if (!seal_key(data_key, recipients[i], sealed)) {
      return errc::invalid_argument;
    }
    detail::append(payload, sealed);
  }
  detail::append(payload, nonce);
  const Bytes ad = associated_data(domain, context, payload);
  detail::append_u32be(payload, static_cast<std::uint32_t>(ciphertext_size));
  const std::size_t offset = payload.size();
  payload.resize(offset + ciphertext_size);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      detail::uc(std::span(payload).subspan(offset)), &written, detail::uc(padded->bytes()),
      padded->size(), detail::uc(ad), ad.size(), nullptr, detail::uc(nonce), detail::uc(data_key));
  if (written != ciphertext_size) {
    return errc::internal;
  }
  return payload;
}

// The data key from the entry of `key_pair` among the payload's recipients
// or, failing that, among `transferred`.
result<SecureBuffer> unseal_data_key(const ParsedPayload& parsed, const BoxKeyPair& key_pair,
                                     std::span<const PayloadRecipient> transferred) {
  const KeyId id = key_id(key_pair.public_key);
  const auto has_id = [&id](const PayloadRecipient& r) { return r.key_id == id; };
  const PayloadRecipient* entry = nullptr;
  if (auto it = std::find_if(parsed.recipients.begin(), parsed.recipients.end(), has_id);
      it != parsed.recipients.end()) {
    entry = &*it;
  } else if (auto t = std::find_if(transferred.begin(), transferred.end(), has_id);
             t != transferred.end()) {
    entry = &*t;
  } else {
    return errc::authentication_failed;
  }
  auto data_key = SecureBuffer::allocate(kDataKeyBytes);
  if (!data_key) {
    return data_key.error();
  }
  if (crypto_box_seal_open(detail::uc(data_key->bytes()), detail::uc(entry->sealed_key),
                           entry->sealed_key.size(), detail::uc(key_pair.public_key.bytes),
                           detail::uc(key_pair.secret_key.bytes())) != 0) {
    return errc::authentication_failed;
  }
  return data_key;
}

result<SecureBuffer> open_parsed(PayloadDomain domain, std::span<const std::byte> context,
                                 const ParsedPayload& parsed, const BoxKeyPair& key_pair,
                                 std::span<const PayloadRecipient> transferred) {
  auto data_key = unseal_data_key(parsed, key_pair, transferred);
  if (!data_key) {
    return data_key.error();
  }
  const std::size_t bucket = parsed.ciphertext.size() - kTagBytes;
  auto padded = SecureBuffer::allocate(bucket);
  if (!padded) {
    return padded.error();
  }
  const Bytes ad = associated_data(domain, context, parsed.header);
  unsigned long long written = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          detail::uc(padded->bytes()), &written, nullptr, detail::uc(parsed.ciphertext),
          parsed.ciphertext.size(), detail::uc(ad), ad.size(), detail::uc(parsed.nonce),
          detail::uc(data_key->bytes())) != 0 ||
      written != bucket) {
    return errc::authentication_failed;
  }
  auto length = unpadded_size(padded->bytes(), bucket);
  if (!length) {
    return errc::authentication_failed;
  }
  return detail::secure_copy(padded->bytes().first(*length));
}

result<ParsedPayload> parse_for(PayloadDomain domain, std::span<const std::byte> context,
                                std::span<const std::byte> payload, const BoxKeyPair& key_pair) {
  if (!known_domain(domain) || !context_fits(domain, context) ||
      key_pair.secret_key.size() != kBoxSecretKeyBytes) {
    return errc::invalid_argument;
  }
  if (auto started = detail::ensure_started(); !started) {
    return started.error();
  }
  auto parsed = parse_payload(payload);
  if (!parsed) {
    return parsed.error();
  }
  if (domain == PayloadDomain::kReply && parsed->recipients.size() != 1) {
    return errc::invalid_argument;
  }
  return parsed;
}

}  // namespace

result<ParsedPayload> parse_payload(std::span<const std::byte> payload) {
  if (payload.empty()) {
    return errc::invalid_argument;
  }
  const std::size_t n = std::to_integer<std::size_t>(payload[0]);
  if (n < 1 || n > kMaxRecipients) {
    return errc::invalid_argument;
  }
  const std::size_t header_bytes = header_size(n);
  if (payload.size() < header_bytes + 4) {
    return errc::invalid_argument;
  }
  const std::size_t ciphertext_size = detail::read_u32be(payload.data() + header_bytes);
  // The length must name a bucket before it is compared with what is there,
  // so no arithmetic on an attacker's u32 can wrap.
  if (ciphertext_size < kTagBytes || !is_payload_bucket(ciphertext_size - kTagBytes) ||
      payload.size() - header_bytes - 4 != ciphertext_size) {
    return errc::invalid_argument;
  }
  ParsedPayload parsed;
  parsed.recipients.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const auto entry = payload.subspan(1 + i * kRecipientEntryBytes, kRecipientEntryBytes);
    PayloadRecipient recipient{detail::to_array<kKeyIdBytes>(entry.first(kKeyIdBytes)),
                               detail::to_array<kSealedKeyBytes>(entry.subspan(kKeyIdBytes))};
    for (const auto& earlier : parsed.recipients) {
      if (earlier.key_id == recipient.key_id) {
        return errc::invalid_argument;
      }
    }
    parsed.recipients.push_back(recipient);
  }
  parsed.nonce = detail::to_array<kPayloadNonceBytes>(
      payload.subspan(header_bytes - kPayloadNonceBytes, kPayloadNonceBytes));
  parsed.header = payload.first(header_bytes);
  parsed.ciphertext = payload.subspan(header_bytes + 4);
  return parsed;
}

result<Bytes> seal_payload(PayloadDomain domain, std::span<const std::byte> context,
                           std::span<const BoxPublicKey> recipients,
                           std::span<const std::byte> plaintext) {
  if (auto started = detail::ensure_started(); !started) {
    return started.error();
  }
  auto data_key = SecureBuffer::allocate(kDataKeyBytes);
  if (!data_key) {
    return data_key.error();
  }
  randombytes_buf(data_key->data(), data_key->size());
  std::array<std::byte, kPayloadNonceBytes> nonce{};
  randombytes_buf(nonce.data(), nonce.size());
  return seal_with(domain, context, recipients, plaintext, data_key->bytes(), nonce);
}

result<Bytes> seal_payload_deterministic(PayloadDomain domain, std::span<const std::byte> context,
                                         std::span<const BoxPublicKey> recipients,
                                         std::span<const std::byte> plaintext,
                                         std::span<const std::byte> data_key,
                                         std::span<const std::byte> nonce) {
  return seal_with(domain, context, recipients, plaintext, data_key, nonce);
}

result<SecureBuffer> open_payload(PayloadDomain domain, std::span<const std::byte> context,
                                  std::span<const std::byte> payload, const BoxKeyPair& key_pair) {
  return open_payload(domain, context, payload, key_pair, {});
}

result<SecureBuffer> open_payload(PayloadDomain domain, std::span<const std::byte> context,
                                  std::span<const std::byte> payload, const BoxKeyPair& key_pair,
                                  std::span<const PayloadRecipient> transferred) {
  auto parsed = parse_for(domain, context, payload, key_pair);
  if (!parsed) {
    return parsed.error();
  }
  return open_parsed(domain, context, *parsed, key_pair, transferred);
}

result<SecureBuffer> open_data_key(std::span<const std::byte> payload, const BoxKeyPair& key_pair,
                                   std::span<const PayloadRecipient> transferred) {
  if (key_pair.secret_key.size() != kBoxSecretKeyBytes) {
    return errc::invalid_argument;
  }
  if (auto started = detail::ensure_started(); !started) {
    return started.error();
  }
  auto parsed = parse_payload(payload);
  if (!parsed) {
    return parsed.error();
  }
  return unseal_data_key(*parsed, key_pair, transferred);
}

PayloadRecipient reseal_data_key(const SecureBuffer& data_key, const BoxPublicKey& new_recipient) {
  if (data_key.size() != kDataKeyBytes) {
    throw std::invalid_argument("reseal_data_key: the data key must be 32 bytes");
  }
  detail::ensure_started().value();
  PayloadRecipient entry{key_id(new_recipient), {}};
  if (!seal_key(data_key.bytes(), new_recipient, entry.sealed_key)) {
    throw std::invalid_argument("reseal_data_key: unusable recipient public key");
  }
  return entry;
}

}  // namespace clueline::crypto
