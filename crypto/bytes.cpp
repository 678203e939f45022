#include "clueline/crypto/bytes.hpp"

#include <sodium.h>

#include "clueline/crypto/init.hpp"

namespace clueline::crypto {

bool constant_time_equal(std::span<const std::byte> a, std::span<const std::byte> b) noexcept {
  if (a.size() != b.size()) {
    return false;
  }
  // sodium_memcmp returns 0 for equal contents and otherwise -1, after
  // reading every byte; it never branches on the data.
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

void random_bytes(std::span<std::byte> out) {
  if (out.empty()) {
    return;
  }
  // randombytes_buf would start its generator lazily by itself, but the
  // libsodium manual asks for sodium_init() before any other call; after the
  // first time this is one check of an initialised static.
  initialize();
  randombytes_buf(out.data(), out.size());
}

void wipe(std::span<std::byte> bytes) noexcept {
  if (!bytes.empty()) sodium_memzero(bytes.data(), bytes.size());
}

}  // namespace clueline::crypto
