// Key pairs of the protocol (docs/crypto-spec.md §2): X25519 box keys for
// units and reply keys, Ed25519 signing keys for site tokens and logins, and
// the key id that names a box public key inside envelopes.
//
// Secret keys live in SecureBuffer. Every function here is thread-safe and
// starts libsodium itself.
#pragma once

#include <array>
#include <cstddef>
#include <span>

#include "clueline/common/error.hpp"
#include "clueline/crypto/secure_buffer.hpp"

namespace clueline::crypto {

inline constexpr std::size_t kBoxPublicKeyBytes = 32;
inline constexpr std::size_t kBoxSecretKeyBytes = 32;
inline constexpr std::size_t kSigningPublicKeyBytes = 32;
inline constexpr std::size_t kSigningSecretKeyBytes = 64;
inline constexpr std::size_t kSigningSeedBytes = 32;
inline constexpr std::size_t kKeyIdBytes = 16;

// BLAKE2b-16 of a box public key.
using KeyId = std::array<std::byte, kKeyIdBytes>;

// An X25519 public key (any 32 bytes; whether it is a usable point shows
// when something is sealed to it).
struct BoxPublicKey {
  std::array<std::byte, kBoxPublicKeyBytes> bytes;
  friend bool operator==(const BoxPublicKey&, const BoxPublicKey&) = default;
};

// An X25519 key pair as crypto_box_keypair makes it. Move-only because of the
// secret. A well-formed pair has a 32-byte secret_key whose public key is
// public_key; functions taking a pair check the size and refuse (or throw,
// see each) otherwise.
struct BoxKeyPair {
  BoxPublicKey public_key;
  SecureBuffer secret_key;  // 32 bytes
};

// A fresh random pair (crypto_box_keypair). Throws boost::system::system_error
// (errc::internal) only if libsodium cannot start or secure memory runs out.
BoxKeyPair generate_box_key_pair();

// The pair of a 32-byte X25519 secret key; the public key is
// crypto_scalarmult_base(secret). errc::invalid_argument unless `secret` is
// 32 bytes; errc::internal if secure memory runs out.
result<BoxKeyPair> box_key_pair_from_secret(std::span<const std::byte> secret);

// BLAKE2b-16(public key), the key's name in payload headers and wrapped-key
// blobs.
KeyId key_id(const BoxPublicKey& public_key);

// errc::invalid_argument unless `bytes` is 32 bytes long.
result<BoxPublicKey> box_public_key_from(std::span<const std::byte> bytes);

// An Ed25519 public key.
struct SigningPublicKey {
  std::array<std::byte, kSigningPublicKeyBytes> bytes;
  friend bool operator==(const SigningPublicKey&, const SigningPublicKey&) = default;
};

// An Ed25519 key pair as crypto_sign_keypair makes it: the 64-byte secret key
// is seed[32] ‖ public key[32]. Move-only because of the secret.
struct SigningKeyPair {
  SigningPublicKey public_key;
  SecureBuffer secret_key;  // 64 bytes
};

// A fresh random pair (crypto_sign_keypair). Throws like
// generate_box_key_pair.
SigningKeyPair generate_signing_key_pair();

// crypto_sign_seed_keypair(seed). errc::invalid_argument unless `seed` is 32
// bytes; errc::internal if secure memory runs out.
result<SigningKeyPair> signing_key_pair_from_seed(std::span<const std::byte> seed32);

// The pair of a 64-byte libsodium secret key. errc::invalid_argument unless
// `secret64` is 64 bytes whose last 32 bytes are the public key of its first
// 32 (the seed), i.e. a key crypto_sign_keypair could have produced.
result<SigningKeyPair> signing_key_pair_from_secret(std::span<const std::byte> secret64);

// errc::invalid_argument unless `bytes` is 32 bytes long.
result<SigningPublicKey> signing_public_key_from(std::span<const std::byte> bytes);

inline constexpr std::size_t kSignatureBytes = 64;
using Signature = std::array<std::byte, kSignatureBytes>;

// An Ed25519 signature of `message` (crypto_sign_detached; deterministic).
// Callers put their own domain-separation prefix into `message`. Throws
// std::invalid_argument unless `key`'s secret key is 64 bytes.
Signature sign_detached(std::span<const std::byte> message, const SigningKeyPair& key);

// True iff `signature` is 64 bytes and a valid signature of `message` under
// `key` (crypto_sign_verify_detached).
bool verify_detached(std::span<const std::byte> signature, std::span<const std::byte> message,
                     const SigningPublicKey& key);

}  // namespace clueline::crypto
