// Site tokens (docs/crypto-spec.md §3, version 2): a site id, token version
// and the fingerprint of the deployment's Ed25519 signing key, signed with
// that key, carried in a poster's QR URL as 115 base64url characters.
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
#include "clueline/crypto/keys.hpp"

namespace clueline::crypto {

// u32 ‖ u16 ‖ fingerprint[16] ‖ signature[64]
inline constexpr std::size_t kSiteTokenBytes = 86;
inline constexpr std::size_t kSiteTokenChars = 115;  // base64url of 86 bytes
inline constexpr std::size_t kDeploymentFingerprintBytes = 16;

using DeploymentFingerprint = std::array<std::byte, kDeploymentFingerprintBytes>;

// BLAKE2b-16 of the deployment's signing public key: what a token names it by.
DeploymentFingerprint deployment_fingerprint(const SigningPublicKey& key);

struct SiteToken {
  std::uint32_t site_id;
  std::uint16_t token_version;
  friend bool operator==(const SiteToken&, const SiteToken&) = default;
};

// The raw 86 token bytes: site_id:u32be ‖ token_version:u16be ‖
// deployment_fingerprint(key.public_key) ‖ Ed25519 signature over
// "clueline/site-token/v2" ‖ those 22 bytes. Deterministic (Ed25519). Throws
// std::invalid_argument if `key`'s secret key is not 64 bytes.
std::array<std::byte, kSiteTokenBytes> sign_site_token_raw(const SiteToken& token,
                                                           const SigningKeyPair& key);

// base64url of sign_site_token_raw: the 115-character TOKEN of the poster URL.
std::string sign_site_token(const SiteToken& token, const SigningKeyPair& key);

// Decodes and verifies a poster token. errc::invalid_argument unless `token`
// is 115 base64url characters; errc::authentication_failed if its fingerprint
// is not that of `key` or the signature does not verify under `key`. Revocation (a token_version
// that is not the site's current one) is the caller's check.
result<SiteToken> verify_site_token(std::string_view token, const SigningPublicKey& key);

// The same for the raw 86 bytes (as carried inside an envelope).
// errc::invalid_argument unless `raw` is 86 bytes.
result<SiteToken> verify_site_token_bytes(std::span<const std::byte> raw,
                                          const SigningPublicKey& key);

// The fingerprint a token carries, read without verifying anything (a client
// compares it with the deployment key a server presents, then verifies).
// errc::invalid_argument unless `token` is 115 base64url characters.
result<DeploymentFingerprint> site_token_fingerprint(std::string_view token);

// The poster code (crypto-spec §3.2): 8 characters of Crockford base32 in two
// groups, e.g. "K7QX-M2PD", printed on the poster and shown by the citizen
// page, so that a reader can see that the page belongs to the poster in
// front of them. 40 bits of BLAKE2b-16("clueline/poster-code/v1" ‖ token).
// A check for people, not a security boundary: the token's signature is.
// errc::invalid_argument unless `token` is 115 base64url characters.
result<std::string> poster_code(std::string_view token);

}  // namespace clueline::crypto
