#include "clueline/crypto/encoding.hpp"

#include <gtest/gtest.h>

#include <string>

#include "test_util.hpp"

namespace clueline::crypto {
namespace {

using test::fails_with;

TEST(Base64url, KnownValues) {
  const Bytes bytes{std::byte{0xfb}, std::byte{0xff}, std::byte{0x00}};
  EXPECT_EQ(to_base64url(bytes), "-_8A");
  EXPECT_EQ(to_base64url({}), "");
  EXPECT_EQ(to_base64url(as_bytes("f")), "Zg");
  EXPECT_EQ(to_base64url(as_bytes("fo")), "Zm8");
  EXPECT_EQ(to_base64url(as_bytes("foo")), "Zm9v");
  EXPECT_EQ(to_base64url(as_bytes("foobar")), "Zm9vYmFy");
}

TEST(Base64url, RoundTripsEveryLengthUpTo300) {
  for (std::size_t n = 0; n <= 300; ++n) {
    const Bytes data = test::random_vector(n);
    const std::string text = to_base64url(data);
    EXPECT_EQ(text.size(), (n * 4 + 2) / 3);
    auto back = from_base64url(text);
    ASSERT_TRUE(back.has_value()) << n;
    EXPECT_EQ(*back, data);
  }
}

TEST(Base64url, EmptyStringDecodesToNothing) {
  auto r = from_base64url("");
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->empty());
}

TEST(Base64url, RefusesNonCanonicalAndForeignText) {
  for (const std::string& text :
       std::vector<std::string>{"AA==", "AA=", "=", "AA A", " AA", "AA\n", "AA\r\n", "+w", "/w",
                                "A", "AAAAA", "AB", "AAB", "AAF", "Zh", "Zm9", "_-9", "Zm9v\t"}) {
    EXPECT_TRUE(fails_with(from_base64url(text), errc::invalid_argument)) << '"' << text << '"';
  }
  EXPECT_TRUE(fails_with(from_base64url(std::string("AA\0A", 4)), errc::invalid_argument));
  EXPECT_TRUE(fails_with(from_base64url("\xc3\xa9"), errc::invalid_argument));
}

TEST(Base64url, RefusesEveryByteOutsideTheAlphabet) {
  // libsodium 1.0.18 alone would accept bytes >= 0x80 (as '_'): found by
  // fuzz_site_token with "\xca\xca\xca\xca".
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  for (int c = 0; c < 256; ++c) {
    const std::string text(4, static_cast<char>(c));
    const bool inside = alphabet.find(static_cast<char>(c)) != std::string::npos;
    EXPECT_EQ(from_base64url(text).has_value(), inside) << c;
    std::string one_bad = "AAAAAAAA";
    one_bad[5] = static_cast<char>(c);
    EXPECT_EQ(from_base64url(one_bad).has_value(), inside) << c;
  }
}

TEST(Base64url, EveryTextHasOneDecodingAndOneEncoding) {
  // For two-character texts, exactly the canonical ones decode, and they
  // re-encode to themselves.
  const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  int accepted = 0;
  for (char a : alphabet) {
    for (char b : alphabet) {
      const std::string text{a, b};
      auto r = from_base64url(text);
      if (r) {
        ++accepted;
        EXPECT_EQ(to_base64url(*r), text);
      }
    }
  }
  EXPECT_EQ(accepted, 256);
}

TEST(AsBytes, ViewsTheCharacters) {
  const std::string_view s = "abc";
  const auto b = as_bytes(s);
  ASSERT_EQ(b.size(), 3u);
  EXPECT_EQ(static_cast<const void*>(b.data()), static_cast<const void*>(s.data()));
  EXPECT_EQ(b[2], std::byte{'c'});
  EXPECT_TRUE(as_bytes("").empty());
}

TEST(Utf8, AcceptsWellFormedText) {
  for (const std::string& s : std::vector<std::string>{
           "", "plain ascii", "caf\xc3\xa9", "\xe4\xb8\xad\xe6\x96\x87", "\xf0\x9f\x98\x80",
           "\xef\xbf\xbf", "\xf4\x8f\xbf\xbf", "\xed\x9f\xbf", std::string("nul\0inside", 10)}) {
    EXPECT_TRUE(is_utf8(as_bytes(s))) << s;
  }
}

TEST(Utf8, RefusesMalformedText) {
  for (const std::string& s : std::vector<std::string>{
           "\x80", "\xc3", "\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xe0\x9f\xbf", "\xed\xa0\x80",
           "\xf0\x80\x80\x80", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff", "\xe4\xb8",
           "ok\xf0\x9f\x98", "\xc3\x28"}) {
    EXPECT_FALSE(is_utf8(as_bytes(s)));
  }
}

}  // namespace
}  // namespace clueline::crypto
