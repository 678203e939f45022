#include "internal.hpp"

#include <algorithm>

#include "sodium_start.hpp"

namespace clueline::crypto::detail {

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
