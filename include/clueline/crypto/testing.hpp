// FOR TEST VECTORS ONLY. Deterministic variants of randomised constructions,
// so that test vectors can pin exact bytes. Never use them in production:
// reusing a data key or nonce across two plaintexts destroys the
// confidentiality of both.
#pragma once

#include <cstddef>
#include <span>

#include "clueline/common/error.hpp"
#include "clueline/crypto/account.hpp"
#include "clueline/crypto/encoding.hpp"
#include "clueline/crypto/keys.hpp"
#include "clueline/crypto/sealed_payload.hpp"

namespace clueline::crypto {

// seal_payload with the given 32-byte data key and 24-byte nonce instead of
// random ones (errc::invalid_argument for other sizes). The recipient
// entries still come from crypto_box_seal, which draws a fresh ephemeral key
// each time, so the output is deterministic only under a deterministic
// randombytes implementation (as the vector generator installs).
result<Bytes> seal_payload_deterministic(PayloadDomain domain, std::span<const std::byte> context,
                                         std::span<const BoxPublicKey> recipients,
                                         std::span<const std::byte> plaintext,
                                         std::span<const std::byte> data_key,
                                         std::span<const std::byte> nonce);

// wrap_unit_secret_key with the given 24-byte nonce: fully deterministic.
result<Bytes> wrap_unit_secret_key_deterministic(const BoxKeyPair& unit, const AccountKeys& account,
                                                 std::span<const std::byte> salt16,
                                                 const KdfParams& params,
                                                 std::span<const std::byte> nonce);

}  // namespace clueline::crypto
