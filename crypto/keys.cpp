#include "clueline/crypto/keys.hpp"

#include <algorithm>
#include <stdexcept>

#include "clueline/crypto/hash.hpp"
#include "internal.hpp"

namespace clueline::crypto {

static_assert(kBoxPublicKeyBytes == crypto_box_PUBLICKEYBYTES);
static_assert(kBoxSecretKeyBytes == crypto_box_SECRETKEYBYTES);
static_assert(kBoxSecretKeyBytes == crypto_scalarmult_BYTES);
static_assert(kSigningPublicKeyBytes == crypto_sign_PUBLICKEYBYTES);
static_assert(kSigningSecretKeyBytes == crypto_sign_SECRETKEYBYTES);
static_assert(kSigningSeedBytes == crypto_sign_SEEDBYTES);

BoxKeyPair generate_box_key_pair() {
  detail::ensure_started().value();
  BoxKeyPair pair{{}, detail::allocate_or_throw(kBoxSecretKeyBytes)};
  crypto_box_keypair(detail::uc(std::span(pair.public_key.bytes)),
                     detail::uc(pair.secret_key.bytes()));
  return pair;
}

result<BoxKeyPair> box_key_pair_from_secret(std::span<const std::byte> secret) {
  if (secret.size() != kBoxSecretKeyBytes) {
    return errc::invalid_argument;
  }
  auto copy = detail::secure_copy(secret);
  if (!copy) {
    return copy.error();
  }
  BoxKeyPair pair{{}, std::move(*copy)};
  // crypto_box_keypair derives its public key the same way, so a secret key
  // from there round-trips. The call fails only for a zero result, which a
  // clamped scalar times the base point cannot give; checked anyway.
  if (crypto_scalarmult_base(detail::uc(std::span(pair.public_key.bytes)),
                             detail::uc(pair.secret_key.bytes())) != 0) {
    return errc::invalid_argument;
  }
  return pair;
}

KeyId key_id(const BoxPublicKey& public_key) {
  KeyId id;
  blake2b(id, {public_key.bytes});
  return id;
}

result<BoxPublicKey> box_public_key_from(std::span<const std::byte> bytes) {
  if (bytes.size() != kBoxPublicKeyBytes) {
    return errc::invalid_argument;
  }
  return BoxPublicKey{detail::to_array<kBoxPublicKeyBytes>(bytes)};
}

SigningKeyPair generate_signing_key_pair() {
  detail::ensure_started().value();
  SigningKeyPair pair{{}, detail::allocate_or_throw(kSigningSecretKeyBytes)};
  crypto_sign_keypair(detail::uc(std::span(pair.public_key.bytes)),
                      detail::uc(pair.secret_key.bytes()));
  return pair;
}

result<SigningKeyPair> signing_key_pair_from_seed(std::span<const std::byte> seed32) {
  if (seed32.size() != kSigningSeedBytes) {
    return errc::invalid_argument;
  }
  if (auto started = detail::ensure_started(); !started) {
    return started.error();
  }
  auto secret = SecureBuffer::allocate(kSigningSecretKeyBytes);
  if (!secret) {
    return secret.error();
  }
  SigningKeyPair pair{{}, std::move(*secret)};
  crypto_sign_seed_keypair(detail::uc(std::span(pair.public_key.bytes)),
                           detail::uc(pair.secret_key.bytes()), detail::uc(seed32));
  return pair;
}

result<SigningKeyPair> signing_key_pair_from_secret(std::span<const std::byte> secret64) {
  if (secret64.size() != kSigningSecretKeyBytes) {
    return errc::invalid_argument;
  }
  // Rebuilding from the seed rather than trusting the stored public half
  // catches a corrupted or spliced key file: a mismatched half would make
  // every signature fail to verify far from the cause.
  auto pair = signing_key_pair_from_seed(secret64.first(kSigningSeedBytes));
  if (!pair) {
    return pair.error();
  }
  if (!std::equal(pair->public_key.bytes.begin(), pair->public_key.bytes.end(),
                  secret64.begin() + kSigningSeedBytes)) {
    return errc::invalid_argument;
  }
  return pair;
}

result<SigningPublicKey> signing_public_key_from(std::span<const std::byte> bytes) {
  if (bytes.size() != kSigningPublicKeyBytes) {
    return errc::invalid_argument;
  }
  return SigningPublicKey{detail::to_array<kSigningPublicKeyBytes>(bytes)};
}

Signature sign_detached(std::span<const std::byte> message, const SigningKeyPair& key) {
  if (key.secret_key.size() != kSigningSecretKeyBytes) {
    throw std::invalid_argument("sign_detached: the secret key must be 64 bytes");
  }
  detail::ensure_started().value();
  Signature signature;
  crypto_sign_detached(detail::uc(std::span(signature)), nullptr, detail::uc(message),
                       message.size(), detail::uc(key.secret_key.bytes()));
  return signature;
}

bool verify_detached(std::span<const std::byte> signature, std::span<const std::byte> message,
                     const SigningPublicKey& key) {
  if (signature.size() != kSignatureBytes || !detail::ensure_started()) return false;
  return crypto_sign_verify_detached(detail::uc(signature), detail::uc(message), message.size(),
                                     detail::uc(key.bytes)) == 0;
}

}  // namespace clueline::crypto
