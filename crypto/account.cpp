#include "clueline/crypto/account.hpp"

#include <algorithm>
#include <stdexcept>

#include "clueline/crypto/hash.hpp"
#include "clueline/crypto/testing.hpp"
#include "internal.hpp"

namespace clueline::crypto {
namespace {

constexpr std::string_view kMagic = "CLK1";
constexpr std::string_view kWrapDomain = "clueline/unit-key/v1";
constexpr std::string_view kLoginDomain = "clueline/login/v1";
constexpr char kKdfContext[] = "CLacct01";
constexpr std::uint64_t kAuthSubkeyId = 1;
constexpr std::uint64_t kWrapSubkeyId = 2;
constexpr std::uint64_t kBoxSubkeyId = 3;
constexpr std::string_view kActivateDomain = "clueline/activate/v1";
constexpr std::string_view kFingerprintDomain = "clueline/account-fingerprint/v1";
static_assert(kUnitKeyGrantBytes == kBoxSecretKeyBytes + crypto_box_SEALBYTES);
static_assert(kLoginProofBytes == kSignatureBytes && kActivationProofBytes == kSignatureBytes);

constexpr std::size_t kNonceBytes = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
constexpr std::size_t kTagBytes = crypto_aead_xchacha20poly1305_ietf_ABYTES;
// "CLK1" ‖ u32 opslimit ‖ u32 memlimit_kib ‖ salt ‖ key id ‖ nonce.
constexpr std::size_t kBlobHeadBytes = 4 + 4 + 4 + kAccountSaltBytes + kKeyIdBytes + kNonceBytes;
static_assert(kBlobHeadBytes == 68);
static_assert(kWrappedKeyBytes == kBlobHeadBytes + kBoxSecretKeyBytes + kTagBytes);
static_assert(sizeof kKdfContext - 1 == crypto_kdf_CONTEXTBYTES);
static_assert(kAccountSaltBytes == crypto_pwhash_SALTBYTES);
static_assert(kMinKdfOpslimit >= crypto_pwhash_argon2id_OPSLIMIT_MIN);
static_assert(kMinKdfMemlimit >= crypto_pwhash_argon2id_MEMLIMIT_MIN);

Bytes with_domain(std::string_view domain, std::span<const std::byte> rest) {
  Bytes out;
  out.reserve(domain.size() + rest.size());
  detail::append(out, detail::ascii(domain));
  detail::append(out, rest);
  return out;
}

// True if `pair` has a 32-byte secret key whose public key is pair.public_key.
bool consistent(const BoxKeyPair& pair) {
  if (pair.secret_key.size() != kBoxSecretKeyBytes) {
    return false;
  }
  std::array<std::byte, kBoxPublicKeyBytes> derived{};
  return crypto_scalarmult_base(detail::uc(std::span(derived)),
                                detail::uc(pair.secret_key.bytes())) == 0 &&
         derived == pair.public_key.bytes;
}

result<Bytes> wrap_with_nonce(const BoxKeyPair& unit, const AccountKeys& account,
                              std::span<const std::byte> salt16, const KdfParams& params,
                              std::span<const std::byte> nonce) {
  if (salt16.size() != kAccountSaltBytes || nonce.size() != kNonceBytes ||
      account.wrap_key.size() != crypto_aead_xchacha20poly1305_ietf_KEYBYTES || !validate(params)) {
    return errc::invalid_argument;
  }
  if (auto started = detail::ensure_started(); !started) {
    return started.error();
  }
  if (!consistent(unit)) {
    return errc::invalid_argument;
  }
  Bytes blob;
  blob.reserve(kWrappedKeyBytes);
  detail::append(blob, detail::ascii(kMagic));
  detail::append_u32be(blob, params.opslimit);
  detail::append_u32be(blob, static_cast<std::uint32_t>(params.memlimit / 1024));
  detail::append(blob, salt16);
  detail::append(blob, key_id(unit.public_key));
  detail::append(blob, nonce);
  const Bytes ad = with_domain(kWrapDomain, blob);
  blob.resize(kWrappedKeyBytes);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(
      detail::uc(std::span(blob).subspan(kBlobHeadBytes)), &written,
      detail::uc(unit.secret_key.bytes()), unit.secret_key.size(), detail::uc(ad), ad.size(),
      nullptr, detail::uc(nonce), detail::uc(account.wrap_key.bytes()));
  if (written != kBoxSecretKeyBytes + kTagBytes) {
    return errc::internal;
  }
  return blob;
}

}  // namespace

result<void> validate(const KdfParams& params) {
  if (params.opslimit < kMinKdfOpslimit || params.opslimit > kMaxKdfOpslimit ||
      params.memlimit < kMinKdfMemlimit || params.memlimit > kMaxKdfMemlimit ||
      params.memlimit % 1024 != 0) {
    return errc::invalid_argument;
  }
  return {};
}

result<AccountKeys> derive_account_keys(std::string_view passphrase,
                                        std::span<const std::byte> salt16,
                                        const KdfParams& params) {
  if (salt16.size() != kAccountSaltBytes || !validate(params)) {
    return errc::invalid_argument;
  }
  if (auto started = detail::ensure_started(); !started) {
    return started.error();
  }
  auto master = SecureBuffer::allocate(crypto_kdf_KEYBYTES);
  auto auth_seed = SecureBuffer::allocate(kSigningSeedBytes);
  auto wrap_key = SecureBuffer::allocate(crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
  auto box_secret = SecureBuffer::allocate(kBoxSecretKeyBytes);
  if (!master || !auth_seed || !wrap_key || !box_secret) {
    return errc::internal;
  }
  if (crypto_pwhash(detail::uc(master->bytes()), master->size(), passphrase.data(),
                    passphrase.size(), detail::uc(salt16), params.opslimit,
                    static_cast<std::size_t>(params.memlimit), crypto_pwhash_ALG_ARGON2ID13) != 0) {
    // The parameters were validated, so only memory can be missing.
    return errc::internal;
  }
  crypto_kdf_derive_from_key(detail::uc(auth_seed->bytes()), auth_seed->size(), kAuthSubkeyId,
                             kKdfContext, detail::uc(master->bytes()));
  crypto_kdf_derive_from_key(detail::uc(wrap_key->bytes()), wrap_key->size(), kWrapSubkeyId,
                             kKdfContext, detail::uc(master->bytes()));
  crypto_kdf_derive_from_key(detail::uc(box_secret->bytes()), box_secret->size(), kBoxSubkeyId,
                             kKdfContext, detail::uc(master->bytes()));
  auto auth = signing_key_pair_from_seed(auth_seed->bytes());
  if (!auth) {
    return auth.error();
  }
  auto box = box_key_pair_from_secret(box_secret->bytes());
  if (!box) {
    return box.error();
  }
  return AccountKeys{std::move(*auth), std::move(*wrap_key), std::move(*box)};
}

result<Bytes> wrap_unit_secret_key(const BoxKeyPair& unit, const AccountKeys& account,
                                   std::span<const std::byte> salt16, const KdfParams& params) {
  if (auto started = detail::ensure_started(); !started) {
    return started.error();
  }
  std::array<std::byte, kNonceBytes> nonce{};
  randombytes_buf(nonce.data(), nonce.size());
  return wrap_with_nonce(unit, account, salt16, params, nonce);
}

result<Bytes> wrap_unit_secret_key_deterministic(const BoxKeyPair& unit, const AccountKeys& account,
                                                 std::span<const std::byte> salt16,
                                                 const KdfParams& params,
                                                 std::span<const std::byte> nonce) {
  return wrap_with_nonce(unit, account, salt16, params, nonce);
}

result<WrappedKeyInfo> parse_wrapped_key(std::span<const std::byte> blob) {
  if (blob.size() != kWrappedKeyBytes ||
      !std::equal(kMagic.begin(), kMagic.end(), blob.begin(),
                  [](char c, std::byte b) { return static_cast<std::byte>(c) == b; })) {
    return errc::invalid_argument;
  }
  WrappedKeyInfo info{};
  info.params.opslimit = detail::read_u32be(blob.data() + 4);
  info.params.memlimit = std::uint64_t{detail::read_u32be(blob.data() + 8)} * 1024;
  if (!validate(info.params)) {
    return errc::invalid_argument;
  }
  info.salt = detail::to_array<kAccountSaltBytes>(blob.subspan(12, kAccountSaltBytes));
  info.key_id = detail::to_array<kKeyIdBytes>(blob.subspan(12 + kAccountSaltBytes, kKeyIdBytes));
  return info;
}

result<BoxKeyPair> unwrap_unit_secret_key(std::span<const std::byte> blob,
                                          const AccountKeys& account) {
  auto info = parse_wrapped_key(blob);
  if (!info) {
    return info.error();
  }
  if (account.wrap_key.size() != crypto_aead_xchacha20poly1305_ietf_KEYBYTES) {
    return errc::invalid_argument;
  }
  if (auto started = detail::ensure_started(); !started) {
    return started.error();
  }
  auto secret = SecureBuffer::allocate(kBoxSecretKeyBytes);
  if (!secret) {
    return secret.error();
  }
  const Bytes ad = with_domain(kWrapDomain, blob.first(kBlobHeadBytes));
  const auto nonce = blob.subspan(kBlobHeadBytes - kNonceBytes, kNonceBytes);
  const auto ciphertext = blob.subspan(kBlobHeadBytes);
  unsigned long long written = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(detail::uc(secret->bytes()), &written, nullptr,
                                                 detail::uc(ciphertext), ciphertext.size(),
                                                 detail::uc(ad), ad.size(), detail::uc(nonce),
                                                 detail::uc(account.wrap_key.bytes())) != 0 ||
      written != kBoxSecretKeyBytes) {
    return errc::authentication_failed;
  }
  auto pair = box_key_pair_from_secret(secret->bytes());
  if (!pair) {
    return errc::authentication_failed;
  }
  // The key id is authenticated already; checking it against the unwrapped
  // key catches a blob wrapped (by a buggy client) around the wrong key.
  if (key_id(pair->public_key) != info->key_id) {
    return errc::authentication_failed;
  }
  return pair;
}

result<BoxKeyPair> unwrap_unit_secret_key(std::span<const std::byte> blob,
                                          std::string_view passphrase) {
  auto info = parse_wrapped_key(blob);
  if (!info) {
    return info.error();
  }
  auto account = derive_account_keys(passphrase, info->salt, info->params);
  if (!account) {
    return account.error();
  }
  return unwrap_unit_secret_key(blob, *account);
}

Bytes sign_login_challenge(std::span<const std::byte> challenge32, const SigningKeyPair& auth) {
  if (challenge32.size() != kLoginChallengeBytes ||
      auth.secret_key.size() != kSigningSecretKeyBytes) {
    throw std::invalid_argument(
        "sign_login_challenge: the challenge must be 32 bytes and the secret key 64");
  }
  const Signature signature = sign_detached(with_domain(kLoginDomain, challenge32), auth);
  return Bytes(signature.begin(), signature.end());
}

bool verify_login_proof(std::span<const std::byte> challenge32,
                        std::span<const std::byte> signature, const SigningPublicKey& auth) {
  if (challenge32.size() != kLoginChallengeBytes) {
    return false;
  }
  return verify_detached(signature, with_domain(kLoginDomain, challenge32), auth);
}

namespace {

Bytes activation_message(std::span<const std::byte> code32, const BoxPublicKey& box_public_key) {
  Bytes message = with_domain(kActivateDomain, code32);
  detail::append(message, box_public_key.bytes);
  return message;
}

}  // namespace

Bytes sign_activation(std::span<const std::byte> code32, const BoxPublicKey& box_public_key,
                      const SigningKeyPair& auth) {
  if (code32.size() != kInvitationCodeBytes || auth.secret_key.size() != kSigningSecretKeyBytes) {
    throw std::invalid_argument("sign_activation: the code must be 32 bytes and the secret key 64");
  }
  const Signature signature = sign_detached(activation_message(code32, box_public_key), auth);
  return Bytes(signature.begin(), signature.end());
}

bool verify_activation(std::span<const std::byte> code32, const BoxPublicKey& box_public_key,
                       std::span<const std::byte> signature, const SigningPublicKey& auth) {
  if (code32.size() != kInvitationCodeBytes) {
    return false;
  }
  return verify_detached(signature, activation_message(code32, box_public_key), auth);
}

std::string account_fingerprint(const SigningPublicKey& auth, const BoxPublicKey& box) {
  const auto digest =
      blake2b<32>({detail::ascii(kFingerprintDomain), std::span<const std::byte>(auth.bytes),
                   std::span<const std::byte>(box.bytes)});
  constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  for (std::size_t i = 0; i < 10; ++i) {
    if (i > 0 && i % 2 == 0) text += '-';
    const auto byte = std::to_integer<unsigned>(digest[i]);
    text += kHex[byte >> 4];
    text += kHex[byte & 15];
  }
  return text;
}

result<Bytes> seal_unit_key_grant(const BoxKeyPair& unit, const BoxPublicKey& recipient) {
  if (auto started = detail::ensure_started(); !started) {
    return started.error();
  }
  if (!consistent(unit)) {
    return errc::invalid_argument;
  }
  Bytes grant(kUnitKeyGrantBytes);
  if (crypto_box_seal(detail::uc(std::span(grant)), detail::uc(unit.secret_key.bytes()),
                      unit.secret_key.size(), detail::uc(std::span(recipient.bytes))) != 0) {
    return errc::invalid_argument;
  }
  return grant;
}

result<BoxKeyPair> open_unit_key_grant(std::span<const std::byte> grant,
                                       const BoxKeyPair& recipient, const KeyId& expected) {
  if (grant.size() != kUnitKeyGrantBytes || recipient.secret_key.size() != kBoxSecretKeyBytes) {
    return errc::invalid_argument;
  }
  if (auto started = detail::ensure_started(); !started) {
    return started.error();
  }
  auto secret = SecureBuffer::allocate(kBoxSecretKeyBytes);
  if (!secret) {
    return secret.error();
  }
  if (crypto_box_seal_open(detail::uc(secret->bytes()), detail::uc(grant), grant.size(),
                           detail::uc(std::span(recipient.public_key.bytes)),
                           detail::uc(recipient.secret_key.bytes())) != 0) {
    return errc::authentication_failed;
  }
  auto pair = box_key_pair_from_secret(secret->bytes());
  if (!pair || key_id(pair->public_key) != expected) {
    return errc::authentication_failed;
  }
  return pair;
}

}  // namespace clueline::crypto
