#include "clueline/crypto/padding.hpp"

#include <algorithm>

#include "internal.hpp"

namespace clueline::crypto {

bool is_payload_bucket(std::size_t size) noexcept {
  return std::find(kPayloadBuckets.begin(), kPayloadBuckets.end(), size) != kPayloadBuckets.end();
}

result<Bytes> pad_to_bucket(std::span<const std::byte> m) {
  const auto bucket = std::find_if(kPayloadBuckets.begin(), kPayloadBuckets.end(),
                                   [&m](std::size_t b) { return b > m.size(); });
  if (bucket == kPayloadBuckets.end()) {
    return errc::invalid_argument;
  }
  Bytes padded(*bucket);
  std::copy(m.begin(), m.end(), padded.begin());
  std::size_t padded_length = 0;
  // sodium_pad rounds len(m) + 1 up to a multiple of the block size; with the
  // block size equal to a bucket larger than len(m) that is the bucket itself.
  if (sodium_pad(&padded_length, detail::uc(std::span(padded)), m.size(), *bucket, padded.size()) !=
          0 ||
      padded_length != *bucket) {
    return errc::internal;
  }
  return padded;
}

result<std::size_t> unpadded_size(std::span<const std::byte> padded, std::size_t block_size) {
  if (block_size == 0 || padded.empty() || padded.size() % block_size != 0) {
    return errc::invalid_argument;
  }
  std::size_t length = 0;
  if (sodium_unpad(&length, detail::uc(padded), padded.size(), block_size) != 0) {
    return errc::authentication_failed;
  }
  return length;
}

result<Bytes> unpad(std::span<const std::byte> padded, std::size_t block_size) {
  auto length = unpadded_size(padded, block_size);
  if (!length) {
    return length.error();
  }
  return Bytes(padded.begin(), padded.begin() + static_cast<std::ptrdiff_t>(*length));
}

}  // namespace clueline::crypto
