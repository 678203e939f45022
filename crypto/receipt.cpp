#include "clueline/crypto/receipt.hpp"

#include <stdexcept>

#include "clueline/crypto/hash.hpp"
#include "internal.hpp"

namespace clueline::crypto {

static_assert(kReceiptMemlimit == crypto_pwhash_argon2id_MEMLIMIT_INTERACTIVE);
static_assert(kReceiptOpslimit == crypto_pwhash_argon2id_OPSLIMIT_INTERACTIVE);

std::string generate_receipt() {
  detail::ensure_started().value();
  std::string digits(kReceiptDigits, '0');
  for (char& c : digits) {
    // randombytes_uniform is unbiased (rejection sampling), so every digit
    // carries log2(10) bits.
    c = static_cast<char>('0' + randombytes_uniform(10));
  }
  return digits;
}

result<std::string> normalize_receipt(std::string_view typed) {
  std::string digits;
  digits.reserve(kReceiptDigits);
  for (const char c : typed) {
    if (c == ' ' || c == '-') {
      continue;
    }
    if (c < '0' || c > '9' || digits.size() == kReceiptDigits) {
      return errc::invalid_argument;
    }
    digits.push_back(c);
  }
  if (digits.size() != kReceiptDigits) {
    return errc::invalid_argument;
  }
  return digits;
}

std::string format_receipt(std::string_view digits) {
  auto normal = normalize_receipt(digits);
  if (!normal) {
    throw std::invalid_argument("format_receipt: not a 25-digit receipt");
  }
  std::string shown;
  for (std::size_t i = 0; i < kReceiptDigits; i += 5) {
    if (i != 0) {
      shown.push_back('-');
    }
    shown.append(*normal, i, 5);
  }
  return shown;
}

result<ReceiptKeys> derive_receipt_keys(std::string_view digits,
                                        std::span<const std::byte> deployment_salt) {
  auto normal = normalize_receipt(digits);
  if (!normal || deployment_salt.size() != kDeploymentSaltBytes) {
    return errc::invalid_argument;
  }
  if (auto started = detail::ensure_started(); !started) {
    return started.error();
  }
  static_assert(kDeploymentSaltBytes == crypto_pwhash_SALTBYTES);
  auto out = SecureBuffer::allocate(64);
  auto lookup_key = SecureBuffer::allocate(kLookupKeyBytes);
  auto reply_secret = SecureBuffer::allocate(kBoxSecretKeyBytes);
  if (!out || !lookup_key || !reply_secret) {
    return errc::internal;
  }
  if (crypto_pwhash(detail::uc(out->bytes()), out->size(), normal->data(), normal->size(),
                    detail::uc(deployment_salt), kReceiptOpslimit, kReceiptMemlimit,
                    crypto_pwhash_ALG_ARGON2ID13) != 0) {
    // Parameters are fixed and valid, so only memory can be missing.
    return errc::internal;
  }
  const auto derived = out->bytes();
  std::copy(derived.begin(), derived.begin() + kLookupKeyBytes, lookup_key->data());
  ReceiptKeys keys{std::move(*lookup_key), {}, BoxKeyPair{{}, std::move(*reply_secret)}};
  crypto_box_seed_keypair(detail::uc(std::span(keys.reply_key_pair.public_key.bytes)),
                          detail::uc(keys.reply_key_pair.secret_key.bytes()),
                          detail::uc(derived.subspan(kLookupKeyBytes, crypto_box_SEEDBYTES)));
  keys.lookup_hash = receipt_lookup_hash(keys.lookup_key.bytes());
  return keys;
}

std::array<std::byte, 32> receipt_lookup_hash(std::span<const std::byte> lookup_key) {
  std::array<std::byte, 32> hash{};
  blake2b(hash, {lookup_key});
  return hash;
}

}  // namespace clueline::crypto
