// Memory for secrets: keys, passphrase-derived material, decrypted data keys.
#pragma once

#include <cstddef>
#include <span>

#include "clueline/common/error.hpp"

namespace clueline::crypto {

// An owned, fixed-size block of bytes held in libsodium's guarded heap
// (sodium_malloc): the block sits directly before an inaccessible guard page,
// behind a canary and another guard page, and the operating system is asked to
// keep it out of swap and core dumps where it allows that. The bytes are
// zeroed when the buffer is destroyed or moved-assigned over.
//
// Every allocation costs several pages of address space and a few system
// calls, so use it for small secrets, not for bulk data.
//
// Ownership: move-only. A moved-from buffer is empty (size() == 0,
// data() == nullptr) and may be destroyed or assigned to.
//
// Thread safety: none beyond the usual for values: concurrent reads of one
// buffer are fine; any write or protection change needs external
// synchronisation. The protect_* calls change page permissions for every
// thread in the process.
class SecureBuffer {
 public:
  // Allocates `size` bytes, all zero. size == 0 gives an empty buffer and
  // allocates nothing. Fails with errc::internal if the guarded allocation
  // fails (address space exhausted, size too large) or libsodium cannot start.
  static result<SecureBuffer> allocate(std::size_t size);

  // An empty buffer.
  SecureBuffer() noexcept = default;
  ~SecureBuffer();

  SecureBuffer(SecureBuffer&& other) noexcept;
  // Frees (and thereby zeroes) this buffer's old block first.
  SecureBuffer& operator=(SecureBuffer&& other) noexcept;
  SecureBuffer(const SecureBuffer&) = delete;
  SecureBuffer& operator=(const SecureBuffer&) = delete;

  std::size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }

  // nullptr when empty.
  std::byte* data() noexcept { return data_; }
  const std::byte* data() const noexcept { return data_; }

  // The whole buffer as a span; an empty span when empty.
  std::span<std::byte> bytes() noexcept { return {data_, size_}; }
  std::span<const std::byte> bytes() const noexcept { return {data_, size_}; }

  // Page protection of the block (mprotect). After protect_noaccess() any
  // read or write through data() kills the process with SIGSEGV; after
  // protect_readonly() any write does. protect_readwrite() restores the
  // default. Destroying or move-assigning over a protected buffer is safe.
  // No-ops returning success on an empty buffer; errc::internal if the
  // operating system refuses.
  result<void> protect_noaccess() noexcept;
  result<void> protect_readonly() noexcept;
  result<void> protect_readwrite() noexcept;

 private:
  SecureBuffer(std::byte* data, std::size_t size) noexcept : data_(data), size_(size) {}
  void release() noexcept;

  std::byte* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace clueline::crypto
