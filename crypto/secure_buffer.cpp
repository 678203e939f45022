#include "clueline/crypto/secure_buffer.hpp"

#include <sodium.h>

#include <utility>

#include "sodium_start.hpp"

namespace clueline::crypto {

result<SecureBuffer> SecureBuffer::allocate(std::size_t size) {
  if (size == 0) {
    return SecureBuffer();
  }
  // sodium_malloc depends on the page size that sodium_init() records.
  if (!detail::sodium_started()) {
    return errc::internal;
  }
  void* block = sodium_malloc(size);
  if (block == nullptr) {
    return errc::internal;
  }
  // sodium_malloc fills new blocks with 0xdb so that reads of uninitialised
  // memory stand out; we promise zeros so that callers never see
  // allocation-dependent contents.
  sodium_memzero(block, size);
  return SecureBuffer(static_cast<std::byte*>(block), size);
}

SecureBuffer::~SecureBuffer() { release(); }

SecureBuffer::SecureBuffer(SecureBuffer&& other) noexcept
    : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}

SecureBuffer& SecureBuffer::operator=(SecureBuffer&& other) noexcept {
  if (this != &other) {
    release();
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
  }
  return *this;
}

void SecureBuffer::release() noexcept {
  // sodium_free makes the block writable again, checks the canary (aborting
  // on a detected overflow), zeroes the bytes and unmaps the pages, so a
  // protected buffer needs no special handling here.
  sodium_free(data_);
  data_ = nullptr;
  size_ = 0;
}

result<void> SecureBuffer::protect_noaccess() noexcept {
  if (data_ == nullptr || sodium_mprotect_noaccess(data_) == 0) {
    return {};
  }
  return errc::internal;
}

result<void> SecureBuffer::protect_readonly() noexcept {
  if (data_ == nullptr || sodium_mprotect_readonly(data_) == 0) {
    return {};
  }
  return errc::internal;
}

result<void> SecureBuffer::protect_readwrite() noexcept {
  if (data_ == nullptr || sodium_mprotect_readwrite(data_) == 0) {
    return {};
  }
  return errc::internal;
}

}  // namespace clueline::crypto
