// Supervisor accounts (docs/crypto-spec.md §9): Argon2id turns the passphrase
// into an Ed25519 login key (the server stores its public key) and a wrap
// key that encrypts the unit secret key for storage on the server, and an
// X25519 box key to which members of the unit grant the unit key when the
// account is new (§9.4). Neither the passphrase, the wrap key nor the box
// secret key ever leaves the supervisor's device.
//
// Passphrases are used as the exact bytes given. The spec requires UTF-8 in
// Unicode Normalization Form C; this module does not normalise, so callers
// must pass NFC text (the browser module normalises itself).
//
// Thread-safe; starts libsodium itself. Functions returning a result report
// a failure to start libsodium or to get secure memory as errc::internal;
// those returning a plain value throw boost::system::system_error for it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "clueline/common/error.hpp"
#include "clueline/crypto/encoding.hpp"
#include "clueline/crypto/keys.hpp"
#include "clueline/crypto/secure_buffer.hpp"

namespace clueline::crypto {

inline constexpr std::size_t kAccountSaltBytes = 16;
inline constexpr std::size_t kLoginChallengeBytes = 32;
inline constexpr std::size_t kLoginProofBytes = 64;
inline constexpr std::size_t kWrappedKeyBytes = 116;
inline constexpr std::uint32_t kMinKdfOpslimit = 1;
inline constexpr std::uint32_t kMaxKdfOpslimit = 10;
inline constexpr std::uint64_t kMinKdfMemlimit = 8192;        // 8 KiB
inline constexpr std::uint64_t kMaxKdfMemlimit = 1073741824;  // 1 GiB

// Argon2id parameters. The defaults are libsodium's MODERATE limits.
struct KdfParams {
  std::uint32_t opslimit = 3;
  std::uint64_t memlimit = 268435456;  // bytes
  friend bool operator==(const KdfParams&, const KdfParams&) = default;
};

// errc::invalid_argument unless opslimit is 1..10 and memlimit is a multiple
// of 1024 in 8 KiB..1 GiB (the blob stores memlimit / 1024).
result<void> validate(const KdfParams& params);

struct AccountKeys {
  SigningKeyPair auth;    // login key pair, from auth_seed
  SecureBuffer wrap_key;  // 32 bytes
  BoxKeyPair box;         // receives unit-key grants (spec §9.4)
};

// master = Argon2id13(passphrase, salt16, params) (32 bytes);
// auth = crypto_sign_seed_keypair(kdf(1, "CLacct01", master));
// wrap_key = kdf(2, "CLacct01", master);
// box = the X25519 pair of secret kdf(3, "CLacct01", master),
// kdf = crypto_kdf_derive_from_key.
// errc::invalid_argument for a salt that is not 16 bytes or invalid params;
// errc::internal if Argon2id cannot get its memory. Slow on purpose.
result<AccountKeys> derive_account_keys(std::string_view passphrase,
                                        std::span<const std::byte> salt16, const KdfParams& params);

// The 116-byte blob of spec §9 wrapping `unit`'s secret key under
// `account.wrap_key`, with a random nonce. `salt16` and `params` are written
// into the blob and must be those `account` was derived with, or the blob
// will not unwrap with the passphrase. errc::invalid_argument for a wrong
// salt size, invalid params, a wrap key that is not 32 bytes, or a unit pair
// whose public key is not that of its secret key.
result<Bytes> wrap_unit_secret_key(const BoxKeyPair& unit, const AccountKeys& account,
                                   std::span<const std::byte> salt16, const KdfParams& params);

// The clear fields of a wrapped-key blob.
struct WrappedKeyInfo {
  KdfParams params;  // memlimit in bytes (memlimit_kib · 1024)
  std::array<std::byte, kAccountSaltBytes> salt;
  KeyId key_id;
};

// Structure only: 116 bytes, magic "CLK1", parameters within the accepted
// range. errc::invalid_argument otherwise.
result<WrappedKeyInfo> parse_wrapped_key(std::span<const std::byte> blob);

// Unwraps with already derived account keys. errc::invalid_argument for a
// malformed blob (parse_wrapped_key) or a wrap key that is not 32 bytes;
// errc::authentication_failed if the AEAD fails (wrong passphrase, changed
// blob) or the unwrapped key's id is not the blob's.
result<BoxKeyPair> unwrap_unit_secret_key(std::span<const std::byte> blob,
                                          const AccountKeys& account);

// Unwraps with the passphrase, deriving the account keys with the blob's own
// salt and parameters (bounded by the accepted range). Errors as above, plus
// errc::internal if Argon2id cannot get its memory.
result<BoxKeyPair> unwrap_unit_secret_key(std::span<const std::byte> blob,
                                          std::string_view passphrase);

// The login proof: crypto_sign_detached("clueline/login/v1" ‖ challenge,
// auth secret key), 64 bytes. Throws std::invalid_argument unless the
// challenge is 32 bytes and the secret key 64.
Bytes sign_login_challenge(std::span<const std::byte> challenge32, const SigningKeyPair& auth);

// True iff `signature` is a valid proof for `challenge32` under `auth`;
// false for wrong lengths too.
bool verify_login_proof(std::span<const std::byte> challenge32,
                        std::span<const std::byte> signature, const SigningPublicKey& auth);

// ---- onboarding (spec §9.4) ----------------------------------------------------

inline constexpr std::size_t kInvitationCodeBytes = 32;
inline constexpr std::size_t kActivationProofBytes = 64;
inline constexpr std::size_t kUnitKeyGrantBytes = 80;  // crypto_box_seal of a 32-byte key

// The activation proof: crypto_sign_detached("clueline/activate/v1" ‖ code32 ‖
// box_public_key, auth secret key). It shows that whoever holds the
// invitation code also holds the login key and chose the box key. Throws
// std::invalid_argument unless the code is 32 bytes and the secret key 64.
Bytes sign_activation(std::span<const std::byte> code32, const BoxPublicKey& box_public_key,
                      const SigningKeyPair& auth);
bool verify_activation(std::span<const std::byte> code32, const BoxPublicKey& box_public_key,
                       std::span<const std::byte> signature, const SigningPublicKey& auth);

// What a person compares out of band before granting a unit key to a new
// account: the first 10 bytes of BLAKE2b-32("clueline/account-fingerprint/v1"
// ‖ auth public key ‖ box public key) as five groups of four lower-case hex
// digits, e.g. "3f2a-09bc-77d1-e0a4-5b6c". A server that swapped either key
// changes it.
std::string account_fingerprint(const SigningPublicKey& auth, const BoxPublicKey& box);

// A unit secret key sealed to an account's box key:
// crypto_box_seal(unit secret key, box public key), 80 bytes. Anyone may
// make one for any key; what makes it a grant is that a member of the unit
// compared the fingerprint first. errc::invalid_argument for an
// inconsistent unit pair.
result<Bytes> seal_unit_key_grant(const BoxKeyPair& unit, const BoxPublicKey& recipient);
// Opens a grant with the account's box pair and checks that the key inside
// has id `expected`. errc::invalid_argument for a wrong size;
// errc::authentication_failed if it does not open or holds another key.
result<BoxKeyPair> open_unit_key_grant(std::span<const std::byte> grant,
                                       const BoxKeyPair& recipient, const KeyId& expected);

}  // namespace clueline::crypto
