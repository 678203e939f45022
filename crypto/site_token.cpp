#include "clueline/crypto/site_token.hpp"

#include <stdexcept>

#include "clueline/crypto/bytes.hpp"
#include "clueline/crypto/encoding.hpp"
#include "clueline/crypto/hash.hpp"
#include "internal.hpp"

namespace clueline::crypto {
namespace {

constexpr std::string_view kDomain = "clueline/site-token/v2";
constexpr std::string_view kPosterCodeDomain = "clueline/poster-code/v1";
constexpr std::size_t kFingerprintOffset = 6;
constexpr std::size_t kFieldBytes = kFingerprintOffset + kDeploymentFingerprintBytes;

static_assert(kSiteTokenBytes == kFieldBytes + crypto_sign_BYTES);

// The signed message: domain ‖ site_id:u32be ‖ token_version:u16be ‖
// fingerprint[16].
Bytes signed_message(std::span<const std::byte> fields) {
  Bytes message;
  message.reserve(kDomain.size() + kFieldBytes);
  detail::append(message, detail::ascii(kDomain));
  detail::append(message, fields);
  return message;
}

}  // namespace

DeploymentFingerprint deployment_fingerprint(const SigningPublicKey& key) {
  return blake2b<kDeploymentFingerprintBytes>({key.bytes});
}

std::array<std::byte, kSiteTokenBytes> sign_site_token_raw(const SiteToken& token,
                                                           const SigningKeyPair& key) {
  if (key.secret_key.size() != kSigningSecretKeyBytes) {
    throw std::invalid_argument("sign_site_token: the signing secret key must be 64 bytes");
  }
  detail::ensure_started().value();
  Bytes fields;
  detail::append_u32be(fields, token.site_id);
  detail::append_u16be(fields, token.token_version);
  detail::append(fields, deployment_fingerprint(key.public_key));
  const Bytes message = signed_message(fields);
  std::array<std::byte, kSiteTokenBytes> raw{};
  std::copy(fields.begin(), fields.end(), raw.begin());
  crypto_sign_detached(detail::uc(std::span(raw).subspan(kFieldBytes)), nullptr,
                       detail::uc(message), message.size(), detail::uc(key.secret_key.bytes()));
  return raw;
}

std::string sign_site_token(const SiteToken& token, const SigningKeyPair& key) {
  return to_base64url(sign_site_token_raw(token, key));
}

result<SiteToken> verify_site_token(std::string_view token, const SigningPublicKey& key) {
  // The length check comes first so that an over-long input costs nothing.
  if (token.size() != kSiteTokenChars) {
    return errc::invalid_argument;
  }
  auto raw = from_base64url(token);
  if (!raw) {
    return raw.error();
  }
  return verify_site_token_bytes(*raw, key);
}

result<SiteToken> verify_site_token_bytes(std::span<const std::byte> raw,
                                          const SigningPublicKey& key) {
  if (raw.size() != kSiteTokenBytes) {
    return errc::invalid_argument;
  }
  if (auto started = detail::ensure_started(); !started) {
    return started.error();
  }
  const auto fields = raw.first(kFieldBytes);
  // A token made under another deployment key fails here even if that key
  // could somehow be made to accept the signature.
  if (!constant_time_equal(fields.subspan(kFingerprintOffset), deployment_fingerprint(key))) {
    return errc::authentication_failed;
  }
  const Bytes message = signed_message(fields);
  if (crypto_sign_verify_detached(detail::uc(raw.subspan(kFieldBytes)), detail::uc(message),
                                  message.size(), detail::uc(key.bytes)) != 0) {
    return errc::authentication_failed;
  }
  return SiteToken{detail::read_u32be(fields.data()), detail::read_u16be(fields.data() + 4)};
}

result<DeploymentFingerprint> site_token_fingerprint(std::string_view token) {
  if (token.size() != kSiteTokenChars) {
    return errc::invalid_argument;
  }
  auto raw = from_base64url(token);
  if (!raw) {
    return raw.error();
  }
  if (raw->size() != kSiteTokenBytes) {
    return errc::invalid_argument;
  }
  return detail::to_array<kDeploymentFingerprintBytes>(
      std::span<const std::byte>(*raw).subspan(kFingerprintOffset, kDeploymentFingerprintBytes));
}

result<std::string> poster_code(std::string_view token) {
  if (token.size() != kSiteTokenChars) return errc::invalid_argument;
  auto raw = from_base64url(token);
  if (!raw) return raw.error();
  if (raw->size() != kSiteTokenBytes) return errc::invalid_argument;
  const auto digest = blake2b<16>({detail::ascii(kPosterCodeDomain), *raw});
  // Crockford's alphabet has no I, L, O or U: nothing a reader confuses with
  // 1, 0 or another letter.
  constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
  std::uint64_t bits = 0;
  for (std::size_t i = 0; i < 5; ++i)
    bits = (bits << 8) | std::to_integer<std::uint64_t>(digest[i]);
  std::string code;
  for (int shift = 35; shift >= 0; shift -= 5) {
    if (code.size() == 4) code += '-';
    code += kAlphabet[(bits >> shift) & 0x1F];
  }
  return code;
}

}  // namespace clueline::crypto
