#include "clueline/crypto/hash.hpp"

#include <stdexcept>

#include "internal.hpp"

namespace clueline::crypto {

static_assert(kHashMinBytes == crypto_generichash_BYTES_MIN);
static_assert(kHashMaxBytes == crypto_generichash_BYTES_MAX);
static_assert(kHashKeyMinBytes == crypto_generichash_KEYBYTES_MIN);
static_assert(kHashKeyMaxBytes == crypto_generichash_KEYBYTES_MAX);

void blake2b(std::span<std::byte> out, std::initializer_list<std::span<const std::byte>> parts,
             std::span<const std::byte> key) {
  if (out.size() < kHashMinBytes || out.size() > kHashMaxBytes) {
    throw std::invalid_argument("blake2b: the output must be 16..64 bytes");
  }
  if (!key.empty() && (key.size() < kHashKeyMinBytes || key.size() > kHashKeyMaxBytes)) {
    throw std::invalid_argument("blake2b: a key must be 16..64 bytes");
  }
  // BLAKE2b has no failure mode that sodium_init() guards; the manual asks
  // for it before any call all the same.
  (void)detail::ensure_started();
  crypto_generichash_state state;
  crypto_generichash_init(&state, key.empty() ? nullptr : detail::uc(key), key.size(), out.size());
  for (const auto part : parts) {
    crypto_generichash_update(&state, detail::uc(part), part.size());
  }
  crypto_generichash_final(&state, detail::uc(out), out.size());
  sodium_memzero(&state, sizeof state);
}

}  // namespace clueline::crypto
