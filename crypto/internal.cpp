#include "internal.hpp"

#include <algorithm>

#include "sodium_start.hpp"

namespace clueline::crypto::detail {

void blake2b(std::span<std::byte> out, std::initializer_list<std::span<const std::byte>> parts) {
  // The manual asks for sodium_init() before any call; BLAKE2b has no other
  // failure mode, so the answer is not needed here.
  (void)ensure_started();
  crypto_generichash_state state;
  // Output lengths are compile-time constants of the spec (16 or 32 bytes),
  // always inside BLAKE2b's 1..64, so init cannot fail here.
  crypto_generichash_init(&state, nullptr, 0, out.size());
  for (const auto part : parts) {
    crypto_generichash_update(&state, uc(part), part.size());
  }
  crypto_generichash_final(&state, uc(out), out.size());
  sodium_memzero(&state, sizeof state);
}

result<void> ensure_started() noexcept {
  if (!sodium_started()) {
    return errc::internal;
  }
  return {};
}

SecureBuffer allocate_or_throw(std::size_t size) { return SecureBuffer::allocate(size).value(); }

result<SecureBuffer> secure_copy(std::span<const std::byte> bytes) {
  auto buffer = SecureBuffer::allocate(bytes.size());
  if (!buffer) {
    return buffer.error();
  }
  std::copy(bytes.begin(), bytes.end(), buffer->data());
  return buffer;
}

}  // namespace clueline::crypto::detail
