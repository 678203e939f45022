// Attachments (docs/crypto-spec.md §8): a file padded to a multiple of 64 KiB
// and encrypted with crypto_secretstream_xchacha20poly1305 in 64 KiB chunks
// under a per-file key that travels inside the sealed report body.
//
// Thread-safe (an AttachmentDecryptor object is not: one per thread);
// starts libsodium itself. Functions returning a result report a failure to
// start libsodium or to get secure memory as errc::internal;
// generate_attachment_key throws boost::system::system_error for it.
#pragma once

#include <cstddef>
#include <span>

#include "clueline/common/error.hpp"
#include "clueline/crypto/encoding.hpp"
#include "clueline/crypto/secure_buffer.hpp"

namespace clueline::crypto {

inline constexpr std::size_t kAttachmentKeyBytes = 32;
inline constexpr std::size_t kAttachmentChunkBytes = 65536;
inline constexpr std::size_t kAttachmentHeaderBytes = 24;
// One encrypted chunk: 65536 bytes of plaintext + 17 (tag byte and MAC).
inline constexpr std::size_t kAttachmentCipherChunkBytes = kAttachmentChunkBytes + 17;

// The stream size for a file of `file_size` bytes: 24 + k·65553 with
// k = file_size / 65536 + 1.
std::size_t attachment_stream_size(std::size_t file_size) noexcept;

// A fresh random 32-byte key. Throws boost::system::system_error
// (errc::internal) only if libsodium cannot start or secure memory runs out.
SecureBuffer generate_attachment_key();

// stream = header[24] ‖ chunk_1 ‖ … ‖ chunk_k over sodium_pad(file, 65536),
// tags MESSAGE then FINAL on the last chunk. errc::invalid_argument if `key`
// is not 32 bytes; errc::internal if secure memory runs out.
result<Bytes> encrypt_attachment(std::span<const std::byte> file, const SecureBuffer& key);

// The file bytes of a whole stream. errc::invalid_argument if `key` is not 32
// bytes or the length is not 24 + k·65553 with k ≥ 1;
// errc::authentication_failed if a chunk does not decrypt, a chunk before the
// last is not tagged MESSAGE, the last is not tagged FINAL, or the padding is
// bad. Attachments can be large, so the result is an ordinary vector: the
// file is the reporter's content, not a key.
result<Bytes> decrypt_attachment(std::span<const std::byte> stream, const SecureBuffer& key);

// Incremental decryption, for streams too large to hold twice or arriving in
// pieces: start() with the 24-byte header, then decrypt_chunk() each whole
// 65553-byte chunk in order, then finish(). Each decrypt_chunk returns that
// chunk's plaintext (the FINAL chunk without its padding). After any failure
// the decryptor refuses everything (errc::authentication_failed), so a caller
// cannot skip a bad chunk and carry on.
//
// Ownership: move-only; the stream state lives in secure memory.
class AttachmentDecryptor {
 public:
  // errc::invalid_argument unless `header` is 24 bytes and `key` 32;
  // errc::internal if secure memory runs out.
  static result<AttachmentDecryptor> start(std::span<const std::byte> header,
                                           const SecureBuffer& key);

  AttachmentDecryptor(AttachmentDecryptor&&) noexcept = default;
  AttachmentDecryptor& operator=(AttachmentDecryptor&&) noexcept = default;

  // errc::invalid_argument unless `chunk` is 65553 bytes;
  // errc::authentication_failed if it does not decrypt, its tag is neither
  // MESSAGE nor FINAL, a FINAL chunk was already seen, the padding of the
  // FINAL chunk is bad, or an earlier call failed.
  result<Bytes> decrypt_chunk(std::span<const std::byte> chunk);

  // Success once a FINAL chunk was decrypted; errc::authentication_failed
  // otherwise (a truncated stream), and for a moved-from decryptor.
  result<void> finish() const;

 private:
  explicit AttachmentDecryptor(SecureBuffer state) noexcept : state_(std::move(state)) {}

  SecureBuffer state_;  // crypto_secretstream_xchacha20poly1305_state
  bool final_seen_ = false;
  bool failed_ = false;
};

}  // namespace clueline::crypto
