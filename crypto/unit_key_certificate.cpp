#include "clueline/crypto/unit_key_certificate.hpp"

#include <stdexcept>
#include <string_view>

#include "clueline/crypto/bytes.hpp"
#include "clueline/crypto/envelope.hpp"
#include "internal.hpp"

namespace clueline::crypto {
namespace {

constexpr std::string_view kDomain = "clueline/unit-key-certificate/v1";
constexpr std::size_t kFixedFieldBytes = 4 + 4 + 1 + kKeyIdBytes + kBoxPublicKeyBytes + 8 + 8;

static_assert(kMinUnitKeyCertificateBytes == kFixedFieldBytes + 1 + kSignatureBytes);
static_assert(kMaxUnitKeyCertificateBytes ==
              kFixedFieldBytes + kMaxCertificateLevelBytes + kSignatureBytes);

void append_u64be(Bytes& out, std::uint64_t value) {
  detail::append_u32be(out, static_cast<std::uint32_t>(value >> 32));
  detail::append_u32be(out, static_cast<std::uint32_t>(value));
}

std::uint64_t read_u64be(const std::byte* p) noexcept {
  return (std::uint64_t{detail::read_u32be(p)} << 32) | detail::read_u32be(p + 4);
}

Bytes fields_of(const UnitKeyCertificate& certificate, const KeyId& key_id) {
  Bytes fields;
  detail::append_u32be(fields, certificate.unit_id);
  detail::append_u32be(fields, certificate.parent_id);
  detail::append_u8(fields, static_cast<std::uint8_t>(certificate.level.size()));
  detail::append(fields, detail::ascii(certificate.level));
  detail::append(fields, key_id);
  detail::append(fields, certificate.public_key.bytes);
  append_u64be(fields, certificate.not_before);
  append_u64be(fields, certificate.not_after);
  return fields;
}

Bytes signed_message(std::span<const std::byte> fields) {
  Bytes message;
  message.reserve(kDomain.size() + fields.size());
  detail::append(message, detail::ascii(kDomain));
  detail::append(message, fields);
  return message;
}

}  // namespace

Bytes sign_unit_key_certificate(const UnitKeyCertificate& fields, const SigningKeyPair& key) {
  if (!is_routing_field(fields.level, 1)) {
    throw std::invalid_argument("unit key certificate: the level must be 1..32 of [a-z0-9_]");
  }
  if (fields.not_before >= fields.not_after || fields.not_after > kMaxCertificateTime) {
    throw std::invalid_argument(
        "unit key certificate: not_before must be before not_after, which is at most 2^53 - 1");
  }
  Bytes certificate = fields_of(fields, key_id(fields.public_key));
  const Signature signature = sign_detached(signed_message(certificate), key);
  detail::append(certificate, signature);
  return certificate;
}

result<UnitKeyCertificate> verify_unit_key_certificate(std::span<const std::byte> certificate,
                                                       const SigningPublicKey& deployment_key) {
  if (certificate.size() < kMinUnitKeyCertificateBytes ||
      certificate.size() > kMaxUnitKeyCertificateBytes) {
    return errc::invalid_argument;
  }
  const std::size_t level_size = std::to_integer<std::size_t>(certificate[8]);
  if (certificate.size() != kFixedFieldBytes + level_size + kSignatureBytes) {
    return errc::invalid_argument;
  }
  UnitKeyCertificate fields;
  const std::byte* p = certificate.data();
  fields.unit_id = detail::read_u32be(p);
  fields.parent_id = detail::read_u32be(p + 4);
  fields.level.assign(reinterpret_cast<const char*>(p + 9), level_size);
  if (!is_routing_field(fields.level, 1)) {
    return errc::invalid_argument;
  }
  p += 9 + level_size;
  fields.key_id = detail::to_array<kKeyIdBytes>({p, kKeyIdBytes});
  fields.public_key.bytes = detail::to_array<kBoxPublicKeyBytes>({p + kKeyIdBytes, 32});
  fields.not_before = read_u64be(p + kKeyIdBytes + 32);
  fields.not_after = read_u64be(p + kKeyIdBytes + 40);
  if (fields.not_before >= fields.not_after || fields.not_after > kMaxCertificateTime) {
    return errc::invalid_argument;
  }
  const auto signed_fields = certificate.first(certificate.size() - kSignatureBytes);
  if (!verify_detached(certificate.last(kSignatureBytes), signed_message(signed_fields),
                       deployment_key)) {
    return errc::authentication_failed;
  }
  if (!constant_time_equal(fields.key_id, key_id(fields.public_key))) {
    return errc::authentication_failed;
  }
  return fields;
}

std::string certificate_mismatch(const UnitKeyCertificate& certificate, const CertifiedUnit& unit,
                                 const BoxPublicKey& public_key, std::uint64_t now) {
  if (certificate.public_key != public_key) return "the certificate is for another key";
  if (certificate.unit_id != unit.unit_id) {
    return "the certificate is for unit " + std::to_string(certificate.unit_id) + ", not unit " +
           std::to_string(unit.unit_id);
  }
  if (certificate.level != unit.level) {
    return "the certificate is for a " + certificate.level + " unit, not a " + unit.level + " one";
  }
  if (unit.parent_id && certificate.parent_id != *unit.parent_id) {
    return "the certificate places the unit under unit " + std::to_string(certificate.parent_id) +
           ", not unit " + std::to_string(*unit.parent_id);
  }
  if (now < certificate.not_before) return "the certificate is not valid yet";
  if (now > certificate.not_after) return "the certificate has expired";
  return {};
}

}  // namespace clueline::crypto
