#include "clueline/crypto/attachment.hpp"

#include <algorithm>

#include "clueline/crypto/padding.hpp"
#include "internal.hpp"

namespace clueline::crypto {
namespace {

static_assert(kAttachmentKeyBytes == crypto_secretstream_xchacha20poly1305_KEYBYTES);
static_assert(kAttachmentHeaderBytes == crypto_secretstream_xchacha20poly1305_HEADERBYTES);
static_assert(kAttachmentCipherChunkBytes ==
              kAttachmentChunkBytes + crypto_secretstream_xchacha20poly1305_ABYTES);

using State = crypto_secretstream_xchacha20poly1305_state;

State* state_of(SecureBuffer& buffer) noexcept { return reinterpret_cast<State*>(buffer.data()); }

}  // namespace

std::size_t attachment_stream_size(std::size_t file_size) noexcept {
  return kAttachmentHeaderBytes +
         (file_size / kAttachmentChunkBytes + 1) * kAttachmentCipherChunkBytes;
}

SecureBuffer generate_attachment_key() {
  detail::ensure_started().value();
  SecureBuffer key = detail::allocate_or_throw(kAttachmentKeyBytes);
  crypto_secretstream_xchacha20poly1305_keygen(detail::uc(key.bytes()));
  return key;
}

result<Bytes> encrypt_attachment(std::span<const std::byte> file, const SecureBuffer& key) {
  if (key.size() != kAttachmentKeyBytes) {
    return errc::invalid_argument;
  }
  if (auto started = detail::ensure_started(); !started) {
    return started.error();
  }
  const std::size_t chunks = file.size() / kAttachmentChunkBytes + 1;
  auto state = SecureBuffer::allocate(sizeof(State));
  // The padding lives only in the last chunk (sodium_pad adds 1..65536 bytes
  // to reach the next multiple), so the last 64 KiB is padded in a buffer of
  // its own and the rest is encrypted straight from `file`.
  auto last = SecureBuffer::allocate(kAttachmentChunkBytes);
  if (!state || !last) {
    return errc::internal;
  }
  const std::size_t last_start = (chunks - 1) * kAttachmentChunkBytes;
  const auto tail = file.subspan(last_start);
  std::copy(tail.begin(), tail.end(), last->data());
  std::size_t padded_length = 0;
  if (sodium_pad(&padded_length, detail::uc(last->bytes()), tail.size(), kAttachmentChunkBytes,
                 kAttachmentChunkBytes) != 0 ||
      padded_length != kAttachmentChunkBytes) {
    return errc::internal;
  }

  Bytes stream(kAttachmentHeaderBytes + chunks * kAttachmentCipherChunkBytes);
  State* st = state_of(*state);
  crypto_secretstream_xchacha20poly1305_init_push(st, detail::uc(std::span(stream)),
                                                  detail::uc(key.bytes()));
  for (std::size_t i = 0; i < chunks; ++i) {
    const bool is_last = i + 1 == chunks;
    const auto plain = is_last ? std::span<const std::byte>(last->bytes())
                               : file.subspan(i * kAttachmentChunkBytes, kAttachmentChunkBytes);
    auto out = std::span(stream).subspan(kAttachmentHeaderBytes + i * kAttachmentCipherChunkBytes,
                                         kAttachmentCipherChunkBytes);
    crypto_secretstream_xchacha20poly1305_push(
        st, detail::uc(out), nullptr, detail::uc(plain), plain.size(), nullptr, 0,
        is_last ? crypto_secretstream_xchacha20poly1305_TAG_FINAL
                : crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
  }
  return stream;
}

result<AttachmentDecryptor> AttachmentDecryptor::start(std::span<const std::byte> header,
                                                       const SecureBuffer& key) {
  if (header.size() != kAttachmentHeaderBytes || key.size() != kAttachmentKeyBytes) {
    return errc::invalid_argument;
  }
  if (auto started = detail::ensure_started(); !started) {
    return started.error();
  }
  auto state = SecureBuffer::allocate(sizeof(State));
  if (!state) {
    return state.error();
  }
  // init_pull cannot fail in libsodium 1.0.18 (any 24 bytes are a header);
  // a forged header shows as a failing first chunk.
  if (crypto_secretstream_xchacha20poly1305_init_pull(state_of(*state), detail::uc(header),
                                                      detail::uc(key.bytes())) != 0) {
    return errc::authentication_failed;
  }
  return AttachmentDecryptor(std::move(*state));
}

result<Bytes> AttachmentDecryptor::decrypt_chunk(std::span<const std::byte> chunk) {
  if (chunk.size() != kAttachmentCipherChunkBytes) {
    return errc::invalid_argument;
  }
  if (failed_ || final_seen_ || state_.size() != sizeof(State)) {
    failed_ = true;
    return errc::authentication_failed;
  }
  // Pessimistic: any early return below leaves the decryptor failed.
  failed_ = true;
  Bytes plain(kAttachmentChunkBytes);
  unsigned char tag = 0;
  unsigned long long written = 0;
  if (crypto_secretstream_xchacha20poly1305_pull(state_of(state_), detail::uc(std::span(plain)),
                                                 &written, &tag, detail::uc(chunk), chunk.size(),
                                                 nullptr, 0) != 0 ||
      written != kAttachmentChunkBytes) {
    return errc::authentication_failed;
  }
  if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
    auto length = unpadded_size(plain, kAttachmentChunkBytes);
    if (!length) {
      return errc::authentication_failed;
    }
    plain.resize(*length);
    final_seen_ = true;
  } else if (tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE) {
    return errc::authentication_failed;
  }
  failed_ = false;
  return plain;
}

result<void> AttachmentDecryptor::finish() const {
  if (failed_ || !final_seen_ || state_.empty()) {
    return errc::authentication_failed;
  }
  return {};
}

result<Bytes> decrypt_attachment(std::span<const std::byte> stream, const SecureBuffer& key) {
  if (key.size() != kAttachmentKeyBytes || stream.size() < kAttachmentHeaderBytes ||
      (stream.size() - kAttachmentHeaderBytes) % kAttachmentCipherChunkBytes != 0 ||
      stream.size() == kAttachmentHeaderBytes) {
    return errc::invalid_argument;
  }
  const std::size_t chunks = (stream.size() - kAttachmentHeaderBytes) / kAttachmentCipherChunkBytes;
  auto decryptor = AttachmentDecryptor::start(stream.first(kAttachmentHeaderBytes), key);
  if (!decryptor) {
    return decryptor.error();
  }
  Bytes file;
  file.reserve(chunks * kAttachmentChunkBytes);
  for (std::size_t i = 0; i < chunks; ++i) {
    auto plain = decryptor->decrypt_chunk(stream.subspan(
        kAttachmentHeaderBytes + i * kAttachmentCipherChunkBytes, kAttachmentCipherChunkBytes));
    // A FINAL before the last chunk makes the next call fail; a MESSAGE on
    // the last chunk fails finish().
    if (!plain) {
      return plain.error();
    }
    detail::append(file, *plain);
  }
  if (auto done = decryptor->finish(); !done) {
    return done.error();
  }
  return file;
}

}  // namespace clueline::crypto
