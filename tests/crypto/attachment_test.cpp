#include "clueline/crypto/attachment.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <random>

#include "test_util.hpp"

namespace clueline::crypto {
namespace {

using test::fails_with;
using test::refused;

constexpr std::size_t kChunk = kAttachmentCipherChunkBytes;

// A stream built with libsodium directly, with chosen tags and chunk
// plaintexts (each 65536 bytes).
Bytes raw_stream(const SecureBuffer& key,
                 const std::vector<std::pair<Bytes, unsigned char>>& chunks) {
  crypto_secretstream_xchacha20poly1305_state st;
  Bytes stream(24 + chunks.size() * kChunk);
  crypto_secretstream_xchacha20poly1305_init_push(
      &st, reinterpret_cast<unsigned char*>(stream.data()),
      reinterpret_cast<const unsigned char*>(key.data()));
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    crypto_secretstream_xchacha20poly1305_push(
        &st, reinterpret_cast<unsigned char*>(stream.data() + 24 + i * kChunk), nullptr,
        reinterpret_cast<const unsigned char*>(chunks[i].first.data()), chunks[i].first.size(),
        nullptr, 0, chunks[i].second);
  }
  return stream;
}

Bytes padded_block(std::size_t data_bytes) {
  Bytes b(65536);
  b[data_bytes] = std::byte{0x80};
  return b;
}

constexpr unsigned char kMessage = crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
constexpr unsigned char kFinal = crypto_secretstream_xchacha20poly1305_TAG_FINAL;

TEST(Attachment, RoundTripsSizesUpToOneMebibyte) {
  const auto key = generate_attachment_key();
  ASSERT_EQ(key.size(), 32u);
  std::mt19937 rng(3);
  std::vector<std::size_t> sizes = {0, 1, 65535, 65536, 65537, 131071, 131072, 1048576};
  for (int i = 0; i < 6; ++i) sizes.push_back(rng() % (1048576 + 1));
  for (std::size_t n : sizes) {
    const Bytes file = test::random_vector(n);
    const auto stream = test::must(encrypt_attachment(file, key), "encrypt");
    EXPECT_EQ(stream.size(), attachment_stream_size(n));
    EXPECT_EQ(stream.size(), 24 + (n / 65536 + 1) * kChunk) << n;
    const auto back = decrypt_attachment(stream, key);
    ASSERT_TRUE(back.has_value()) << n << " " << back.error().message();
    EXPECT_EQ(*back, file) << n;
  }
}

TEST(Attachment, WrongKeyIsRefused) {
  const auto key = generate_attachment_key();
  const auto stream = test::must(encrypt_attachment(Bytes(10), key), "encrypt");
  EXPECT_TRUE(fails_with(decrypt_attachment(stream, generate_attachment_key()),
                         errc::authentication_failed));
  EXPECT_TRUE(fails_with(decrypt_attachment(stream, SecureBuffer()), errc::invalid_argument));
  EXPECT_TRUE(fails_with(encrypt_attachment(Bytes(10), test::secure_from(Bytes(31))),
                         errc::invalid_argument));
}

TEST(Attachment, SampledBitFlipsAreRefused) {
  const auto key = generate_attachment_key();
  const auto stream = test::must(encrypt_attachment(test::random_vector(70000), key), "encrypt");
  std::vector<std::size_t> bits;
  for (std::size_t bit = 0; bit < 24 * 8; ++bit) bits.push_back(bit);       // header
  for (std::size_t bit = 24 * 8; bit < 40 * 8; ++bit) bits.push_back(bit);  // chunk 1 tag and start
  for (std::size_t bit = (24 + kChunk) * 8; bit < (24 + kChunk + 8) * 8; ++bit) bits.push_back(bit);
  for (std::size_t bit : test::bit_positions(stream.size(), 0, 256)) bits.push_back(bit);
  for (std::size_t bit : bits) {
    ASSERT_TRUE(fails_with(decrypt_attachment(test::flip_bit(stream, bit), key),
                           errc::authentication_failed))
        << bit;
  }
}

TEST(Attachment, LengthsNotOfTheStreamFormAreMalformed) {
  const auto key = generate_attachment_key();
  const auto stream = test::must(encrypt_attachment(test::random_vector(70000), key), "encrypt");
  ASSERT_EQ(stream.size(), 24 + 2 * kChunk);
  for (std::size_t n : {std::size_t{0}, std::size_t{1}, std::size_t{23}, std::size_t{24},
                        std::size_t{25}, 24 + kChunk - 1, 24 + kChunk + 1, 24 + 2 * kChunk - 1}) {
    EXPECT_TRUE(
        fails_with(decrypt_attachment(std::span(stream).first(n), key), errc::invalid_argument))
        << n;
  }
  Bytes longer = stream;
  longer.push_back(std::byte{0});
  EXPECT_TRUE(fails_with(decrypt_attachment(longer, key), errc::invalid_argument));
  // Dropping the last whole chunk leaves a stream of valid length that ends
  // without FINAL.
  EXPECT_TRUE(fails_with(decrypt_attachment(std::span(stream).first(24 + kChunk), key),
                         errc::authentication_failed));
}

TEST(Attachment, TagRules) {
  const auto key = generate_attachment_key();
  const Bytes data(65536, std::byte{1});
  EXPECT_TRUE(
      decrypt_attachment(raw_stream(key, {{data, kMessage}, {padded_block(5), kFinal}}), key)
          .has_value());
  // FINAL before the last chunk.
  EXPECT_TRUE(fails_with(
      decrypt_attachment(raw_stream(key, {{data, kFinal}, {padded_block(5), kFinal}}), key),
      errc::authentication_failed));
  // No FINAL at all.
  EXPECT_TRUE(fails_with(
      decrypt_attachment(raw_stream(key, {{data, kMessage}, {padded_block(5), kMessage}}), key),
      errc::authentication_failed));
  // PUSH and REKEY are not part of the format.
  for (unsigned char tag :
       {static_cast<unsigned char>(crypto_secretstream_xchacha20poly1305_TAG_PUSH),
        static_cast<unsigned char>(crypto_secretstream_xchacha20poly1305_TAG_REKEY)}) {
    EXPECT_TRUE(fails_with(
        decrypt_attachment(raw_stream(key, {{data, tag}, {padded_block(5), kFinal}}), key),
        errc::authentication_failed));
    EXPECT_TRUE(fails_with(decrypt_attachment(raw_stream(key, {{padded_block(5), tag}}), key),
                           errc::authentication_failed));
  }
  // Chunks swapped.
  Bytes stream = raw_stream(key, {{data, kMessage}, {padded_block(5), kFinal}});
  std::swap_ranges(stream.begin() + 24, stream.begin() + 24 + kChunk, stream.begin() + 24 + kChunk);
  EXPECT_TRUE(fails_with(decrypt_attachment(stream, key), errc::authentication_failed));
}

TEST(Attachment, PaddingRules) {
  const auto key = generate_attachment_key();
  EXPECT_TRUE(fails_with(decrypt_attachment(raw_stream(key, {{Bytes(65536), kFinal}}), key),
                         errc::authentication_failed));
  Bytes bad = padded_block(100);
  bad[200] = std::byte{1};
  EXPECT_TRUE(fails_with(decrypt_attachment(raw_stream(key, {{bad, kFinal}}), key),
                         errc::authentication_failed));
  // A whole block of padding (file size a multiple of 64 KiB) is valid.
  const auto full = decrypt_attachment(
      raw_stream(key, {{Bytes(65536, std::byte{9}), kMessage}, {padded_block(0), kFinal}}), key);
  ASSERT_TRUE(full.has_value());
  EXPECT_EQ(full->size(), 65536u);
}

TEST(AttachmentDecryptor, DecryptsChunkByChunk) {
  const auto key = generate_attachment_key();
  const Bytes file = test::random_vector(200000);
  const auto stream = test::must(encrypt_attachment(file, key), "encrypt");
  auto decryptor =
      test::must(AttachmentDecryptor::start(std::span(stream).first(24), key), "start");
  EXPECT_TRUE(fails_with(decryptor.finish(), errc::authentication_failed));
  Bytes out;
  for (std::size_t at = 24; at < stream.size(); at += kChunk) {
    const auto plain =
        test::must(decryptor.decrypt_chunk(std::span(stream).subspan(at, kChunk)), "chunk");
    out.insert(out.end(), plain.begin(), plain.end());
  }
  EXPECT_TRUE(decryptor.finish().has_value());
  EXPECT_EQ(out, file);
  // Nothing after FINAL.
  EXPECT_TRUE(fails_with(decryptor.decrypt_chunk(std::span(stream).subspan(24, kChunk)),
                         errc::authentication_failed));
}

TEST(AttachmentDecryptor, FailureIsSticky) {
  const auto key = generate_attachment_key();
  const auto stream = test::must(encrypt_attachment(test::random_vector(140000), key), "encrypt");
  auto decryptor =
      test::must(AttachmentDecryptor::start(std::span(stream).first(24), key), "start");
  EXPECT_TRUE(fails_with(decryptor.decrypt_chunk(std::span(stream).subspan(24, 100)),
                         errc::invalid_argument));
  const Bytes bad = test::flip_bit(std::span(stream).subspan(24, kChunk), 1000);
  EXPECT_TRUE(fails_with(decryptor.decrypt_chunk(bad), errc::authentication_failed));
  // The genuine chunk no longer helps.
  EXPECT_TRUE(fails_with(decryptor.decrypt_chunk(std::span(stream).subspan(24, kChunk)),
                         errc::authentication_failed));
  EXPECT_TRUE(fails_with(decryptor.finish(), errc::authentication_failed));
  EXPECT_TRUE(fails_with(AttachmentDecryptor::start(Bytes(23), key), errc::invalid_argument));
  EXPECT_TRUE(
      fails_with(AttachmentDecryptor::start(Bytes(24), SecureBuffer()), errc::invalid_argument));
}

}  // namespace
}  // namespace clueline::crypto
