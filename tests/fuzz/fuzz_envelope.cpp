// libFuzzer target: envelopes and sealed payloads from untrusted bytes.
// Every input must be refused or accepted without a crash, an out-of-bounds
// access or undefined behaviour, and accepted inputs must be consistent. The
// unit key is the test vectors' "unit A", so the seed corpus (envelopes
// sealed to it) reaches the seal and AEAD code.
#include <cstddef>
#include <cstdint>
#include <span>

#include "clueline/crypto/crypto.hpp"
#include "vector_support.hpp"

namespace {

using namespace clueline::crypto;

void require(bool condition) {
  if (!condition) {
    __builtin_trap();
  }
}

const BoxKeyPair& unit() {
  static const BoxKeyPair pair = test::box_pair("unit A");
  return pair;
}

const AccountKeys& account() {
  static const AccountKeys keys = [] {
    const auto salt = test::bytes_of<16>("account salt K1");
    return test::must(derive_account_keys("correct horse battery staple", salt, {1, 65536}),
                      "derive");
  }();
  return keys;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::byte> input(reinterpret_cast<const std::byte*>(data), size);

  const auto parsed = parse_envelope(input);
  if (parsed) {
    require(parsed->context.data() == input.data());
    require(parsed->context.size() + parsed->payload.header.size() + 4 +
                parsed->payload.ciphertext.size() ==
            size);
    require(is_routing_field(parsed->header.category, 1));
    require(is_routing_field(parsed->header.accused_level, 0));
    require(!parsed->payload.recipients.empty() &&
            parsed->payload.recipients.size() <= kMaxRecipients);
    require(size <= kMaxEnvelopeBytes && size >= kMinEnvelopeBytes);
  }
  const auto body = open_envelope(input, unit());
  if (body) {
    require(parsed.has_value());
    require(is_utf8(body->bytes()));
  }

  // The same bytes as a bare payload of each kind.
  const auto payload = parse_payload(input);
  if (payload) {
    require(payload->header.size() + 4 + payload->ciphertext.size() == size);
    require(is_payload_bucket(payload->ciphertext.size() - 16));
  }
  const auto clue_id = test::bytes_of<16>("clue id");
  for (const auto domain :
       {PayloadDomain::kEnvelope, PayloadDomain::kMessage, PayloadDomain::kReply}) {
    const auto opened = open_payload(domain, clue_id, input, unit());
    if (opened) {
      require(payload.has_value());
      require(opened->size() <= kMaxPayloadPlaintext);
    }
  }
  if (payload) {
    (void)open_data_key(input, unit());
  }

  // And as a wrapped-key blob (the account keys are derived once).
  if (size == kWrappedKeyBytes) {
    const auto info = parse_wrapped_key(input);
    const auto key = unwrap_unit_secret_key(input, account());
    if (key) {
      require(info.has_value());
      require(key_id(key->public_key) == info->key_id);
    }
  }
  return 0;
}
