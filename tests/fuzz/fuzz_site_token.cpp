// libFuzzer target: site tokens (text and raw), unit key certificates,
// base64url and the other small text parsers. The signing key is the test vectors' "site-signing"
// key, so the seed corpus (tokens it signed) reaches signature checking.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "clueline/crypto/crypto.hpp"
#include "vector_support.hpp"

namespace {

using namespace clueline::crypto;

void require(bool condition) {
  if (!condition) {
    __builtin_trap();
  }
}

const SigningKeyPair& site_pair() {
  static const SigningKeyPair pair = test::signing_pair("site-signing");
  return pair;
}

const SigningPublicKey& site_key() { return site_pair().public_key; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::byte> input(reinterpret_cast<const std::byte*>(data), size);
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  const auto decoded = from_base64url(text);
  if (decoded) {
    // Canonical: the one accepted spelling is what the encoder writes.
    require(to_base64url(*decoded) == text);
  }

  const auto from_text = verify_site_token(text, site_key());
  if (from_text) {
    require(decoded.has_value() && decoded->size() == kSiteTokenBytes);
    const auto again = verify_site_token_bytes(*decoded, site_key());
    require(again.has_value() && *again == *from_text);
  }
  const auto from_raw = verify_site_token_bytes(input, site_key());
  if (from_raw) {
    require(size == kSiteTokenBytes);
  }

  const auto certificate = verify_unit_key_certificate(input, site_key());
  if (certificate) {
    // Canonical: a certificate that verifies is exactly what signing its
    // fields gives (Ed25519 is deterministic).
    require(size >= kMinUnitKeyCertificateBytes && size <= kMaxUnitKeyCertificateBytes);
    const Bytes again = sign_unit_key_certificate(*certificate, site_pair());
    require(again.size() == size && std::equal(again.begin(), again.end(), input.begin()));
  }

  const auto receipt = normalize_receipt(text);
  if (receipt) {
    require(receipt->size() == kReceiptDigits);
    require(format_receipt(*receipt).size() == kReceiptDigits + 4);
  }
  (void)is_utf8(input);
  (void)leading_zero_bits(input);
  return 0;
}
