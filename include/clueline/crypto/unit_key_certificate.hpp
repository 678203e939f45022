// Unit key certificates (docs/crypto-spec.md §3.1): the deployment signing
// key vouches that an X25519 public key belongs to one unit at one place in
// the jurisdiction for a period. Clients seal only to certified keys; the
// server checks a certificate when an administrator adds a key.
//
// Thread-safe; starts libsodium itself (a failure to start is errc::internal,
// or boost::system::system_error where no result is returned).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "clueline/common/error.hpp"
#include "clueline/crypto/encoding.hpp"
#include "clueline/crypto/keys.hpp"

namespace clueline::crypto {

inline constexpr std::size_t kMaxCertificateLevelBytes = 32;
inline constexpr std::size_t kMinUnitKeyCertificateBytes = 138;  // level of 1 byte
inline constexpr std::size_t kMaxUnitKeyCertificateBytes = 169;  // level of 32 bytes
inline constexpr std::uint64_t kDefaultCertificateValiditySeconds = 730ull * 86400;
// The latest time a certificate may name: 2^53 - 1, exact in a JavaScript number.
inline constexpr std::uint64_t kMaxCertificateTime = (std::uint64_t{1} << 53) - 1;

struct UnitKeyCertificate {
  std::uint32_t unit_id = 0;
  std::uint32_t parent_id = 0;  // 0 for the root unit
  std::string level;            // 1..32 bytes of [a-z0-9_]
  KeyId key_id{};               // BLAKE2b-16(public_key)
  BoxPublicKey public_key{};
  std::uint64_t not_before = 0;  // Unix seconds
  std::uint64_t not_after = 0;   // Unix seconds, > not_before, <= kMaxCertificateTime
  friend bool operator==(const UnitKeyCertificate&, const UnitKeyCertificate&) = default;
};

// The certificate bytes (fields ‖ Ed25519 signature) for `fields`, whose
// key_id is ignored and computed from public_key. Deterministic. Throws
// std::invalid_argument for a malformed level, not_before >= not_after, a
// time after kMaxCertificateTime, or a secret key that is not 64 bytes.
Bytes sign_unit_key_certificate(const UnitKeyCertificate& fields, const SigningKeyPair& key);

// The fields of a certificate that verifies under `deployment_key` and whose
// key_id is that of its public key. errc::invalid_argument for malformed
// bytes (length, level, trailing bytes, not_before >= not_after, a time
// after kMaxCertificateTime);
// errc::authentication_failed for a signature or key id that does not check
// out. Validity in time and the match with a unit are the caller's checks
// (certificate_mismatch).
result<UnitKeyCertificate> verify_unit_key_certificate(std::span<const std::byte> certificate,
                                                       const SigningPublicKey& deployment_key);

// What a verified certificate must say to be used for `public_key` of the unit
// (unit_id, level, and parent_id when the caller knows it) at `now` (Unix
// seconds): checks 3 and 4 of crypto-spec §3.1. An empty string when it fits,
// else what does not, in words for an error message.
struct CertifiedUnit {
  std::uint32_t unit_id = 0;
  std::string level;
  std::optional<std::uint32_t> parent_id;  // clients are not told the parent
};
std::string certificate_mismatch(const UnitKeyCertificate& certificate, const CertifiedUnit& unit,
                                 const BoxPublicKey& public_key, std::uint64_t now);

}  // namespace clueline::crypto
