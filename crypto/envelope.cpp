#include "clueline/crypto/envelope.hpp"

#include <algorithm>

#include "internal.hpp"

namespace clueline::crypto {
namespace {

constexpr std::string_view kMagic = "CLE2";

bool routing_char(unsigned char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

// The envelope bytes before the payload, which are also the payload's
// context (C) in the associated data.
Bytes envelope_head(const EnvelopeHeader& header) {
  Bytes head;
  head.reserve(kEnvelopeFixedBytes + header.category.size() + header.accused_level.size());
  detail::append(head, detail::ascii(kMagic));
  detail::append(head, header.site_token);
  detail::append_u8(head, static_cast<std::uint8_t>(header.category.size()));
  detail::append(head, detail::ascii(header.category));
  detail::append_u8(head, static_cast<std::uint8_t>(header.accused_level.size()));
  detail::append(head, detail::ascii(header.accused_level));
  detail::append(head, header.reply_public_key.bytes);
  detail::append(head, header.receipt_lookup_hash);
  detail::append(head, header.pow_challenge);
  detail::append(head, header.pow_nonce);
  return head;
}

// A bounds-checked reader over untrusted bytes: every take() checks the
// remaining length first and fails, leaving nothing read, when it is short.
class Reader {
 public:
  explicit Reader(std::span<const std::byte> bytes) noexcept : bytes_(bytes) {}

  bool take(std::size_t n, std::span<const std::byte>& out) noexcept {
    if (bytes_.size() - offset_ < n) {
      return false;
    }
    out = bytes_.subspan(offset_, n);
    offset_ += n;
    return true;
  }

  template <std::size_t N>
  bool take(std::array<std::byte, N>& out) noexcept {
    std::span<const std::byte> s;
    if (!take(N, s)) {
      return false;
    }
    std::copy(s.begin(), s.end(), out.begin());
    return true;
  }

  // u8 length, then that many bytes of [a-z0-9_], length in min..32.
  bool take_routing_field(std::size_t min_size, std::string& out) {
    std::span<const std::byte> length;
    if (!take(1, length)) {
      return false;
    }
    const auto n = std::to_integer<std::size_t>(length[0]);
    std::span<const std::byte> text;
    if (n < min_size || n > kMaxRoutingFieldBytes || !take(n, text)) {
      return false;
    }
    out.assign(reinterpret_cast<const char*>(text.data()), text.size());
    return is_routing_field(out, min_size);
  }

  std::size_t offset() const noexcept { return offset_; }

 private:
  std::span<const std::byte> bytes_;
  std::size_t offset_ = 0;
};

}  // namespace

bool is_routing_field(std::string_view field, std::size_t min_size) noexcept {
  return field.size() >= min_size && field.size() <= kMaxRoutingFieldBytes &&
         std::all_of(field.begin(), field.end(),
                     [](char c) { return routing_char(static_cast<unsigned char>(c)); });
}

result<Bytes> seal_envelope(const EnvelopeHeader& header, std::span<const BoxPublicKey> recipients,
                            std::string_view body_json) {
  const auto body = detail::ascii(body_json);
  if (!is_routing_field(header.category, 1) || !is_routing_field(header.accused_level, 0) ||
      !is_utf8(body)) {
    return errc::invalid_argument;
  }
  Bytes envelope = envelope_head(header);
  auto payload = seal_payload(PayloadDomain::kEnvelope, envelope, recipients, body);
  if (!payload) {
    return payload.error();
  }
  detail::append(envelope, *payload);
  return envelope;
}

result<ParsedEnvelope> parse_envelope(std::span<const std::byte> envelope) {
  if (envelope.size() > kMaxEnvelopeBytes) {
    return errc::invalid_argument;
  }
  Reader reader(envelope);
  ParsedEnvelope parsed{};
  std::span<const std::byte> magic;
  if (!reader.take(kMagic.size(), magic) ||
      !std::equal(magic.begin(), magic.end(), detail::ascii(kMagic).begin()) ||
      !reader.take(parsed.header.site_token) ||
      !reader.take_routing_field(1, parsed.header.category) ||
      !reader.take_routing_field(0, parsed.header.accused_level) ||
      !reader.take(parsed.header.reply_public_key.bytes) ||
      !reader.take(parsed.header.receipt_lookup_hash) ||
      !reader.take(parsed.header.pow_challenge) || !reader.take(parsed.header.pow_nonce)) {
    return errc::invalid_argument;
  }
  parsed.context = envelope.first(reader.offset());
  auto payload = parse_payload(envelope.subspan(reader.offset()));
  if (!payload) {
    return payload.error();
  }
  parsed.payload = std::move(*payload);
  return parsed;
}

result<SecureBuffer> open_envelope(std::span<const std::byte> envelope, const BoxKeyPair& unit) {
  return open_envelope(envelope, unit, {});
}

result<SecureBuffer> open_envelope(std::span<const std::byte> envelope, const BoxKeyPair& unit,
                                   std::span<const PayloadRecipient> transferred) {
  auto parsed = parse_envelope(envelope);
  if (!parsed) {
    return parsed.error();
  }
  // The payload region is re-parsed inside open_payload; it is the
  // envelope's tail, so it is the same bytes.
  auto body = open_payload(PayloadDomain::kEnvelope, parsed->context,
                           envelope.subspan(parsed->context.size()), unit, transferred);
  if (!body) {
    return body.error();
  }
  if (!is_utf8(body->bytes())) {
    return errc::invalid_argument;
  }
  return body;
}

}  // namespace clueline::crypto
