// Site tokens (docs/crypto-spec.md §3): a site id and token version signed
// with the deployment's Ed25519 site-signing key, carried in a poster's QR
// URL as 94 base64url characters.
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

inline constexpr std::size_t kSiteTokenBytes = 70;  // u32 ‖ u16 ‖ signature[64]
inline constexpr std::size_t kSiteTokenChars = 94;  // base64url of 70 bytes

struct SiteToken {
  std::uint32_t site_id;
  std::uint16_t token_version;
  friend bool operator==(const SiteToken&, const SiteToken&) = default;
};

// The raw 70 token bytes: site_id:u32be ‖ token_version:u16be ‖
// Ed25519 signature over "clueline/site-token/v1" ‖ those 6 bytes.
// Deterministic (Ed25519). Throws std::invalid_argument if `key`'s secret key
// is not 64 bytes.
std::array<std::byte, kSiteTokenBytes> sign_site_token_raw(const SiteToken& token,
                                                           const SigningKeyPair& key);

// base64url of sign_site_token_raw: the 94-character TOKEN of the poster URL.
std::string sign_site_token(const SiteToken& token, const SigningKeyPair& key);

// Decodes and verifies a poster token. errc::invalid_argument unless `token`
// is 94 base64url characters; errc::authentication_failed if the signature
// does not verify under `key`. Revocation (a token_version that is not the
// site's current one) is the caller's check.
result<SiteToken> verify_site_token(std::string_view token, const SigningPublicKey& key);

// The same for the raw 70 bytes (as carried inside an envelope).
// errc::invalid_argument unless `raw70` is 70 bytes.
result<SiteToken> verify_site_token_bytes(std::span<const std::byte> raw70,
                                          const SigningPublicKey& key);

}  // namespace clueline::crypto
