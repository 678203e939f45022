// Poster verification over a real store: the verdict for each kind of code a
// unit can find on a wall, and for photos of posters.
#include "clueline/services/posters.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "../integration/deployment_fixture.hpp"
#include "../qr/photo_util.hpp"
#include "../storage/temp_directory.hpp"
#include "clueline/crypto/crypto.hpp"
#include "clueline/qr/image.hpp"
#include "clueline/qr/poster.hpp"
#include "clueline/services/intake.hpp"

namespace clueline::services {
namespace {

constexpr std::string_view kBase = "https://jubao.example.cn";

std::span<const std::byte> bytes_of(const std::string& text) {
  return std::as_bytes(std::span(text.data(), text.size()));
}

class PostersTest : public ::testing::Test {
 protected:
  PostersTest() {
    deployment_ = clueline::testing::write_test_deployment(directory_.path());
    auto opened = storage::Store::open({.directory = directory_.path() / "rocksdb"});
    EXPECT_TRUE(opened.has_value());
    store_ = std::move(opened).value();
    intake_ = std::make_unique<Intake>(*store_, Config{});
  }

  const RegistrySnapshot& registry() {
    snapshot_ = intake_->registry().current();
    return *snapshot_;
  }

  std::string url(const std::string& token) const { return std::string(kBase) + "/s/" + token; }

  std::string poster_photo(const std::string& text, const qr::testing::Photo& photo) const {
    const auto png = qr::poster_png({.url = text,
                                     .site_name = "Test village board",
                                     .unit_name = "Test village",
                                     .poster_code = "0000-0000",
                                     .texts = {{.language = "en",
                                                .heading = "Report misconduct",
                                                .instructions = "Scan the code.",
                                                .code_label = "Poster code:"}}},
                                    3);
    EXPECT_TRUE(png.has_value());
    return qr::testing::photograph(*png, photo);
  }

  storage::testing::TempDirectory directory_;
  clueline::testing::TestDeployment deployment_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<Intake> intake_;
  std::shared_ptr<const RegistrySnapshot> snapshot_;
};

TEST_F(PostersTest, EachKindOfCodeGetsItsVerdict) {
  const auto genuine = check_poster_code(registry(), url(deployment_.site_token), kBase);
  EXPECT_EQ(genuine.verdict, PosterVerdict::kGenuine) << genuine.reason;
  EXPECT_EQ(genuine.site_id, deployment_.site_id);
  EXPECT_EQ(genuine.site_name, "Test village board");
  EXPECT_FALSE(genuine.unit_name.empty());
  EXPECT_EQ(genuine.poster_code, crypto::poster_code(deployment_.site_token).value());
  // Scheme and host compare without case, as URLs do.
  EXPECT_EQ(
      check_poster_code(registry(), "HTTPS://JUBAO.example.cn/s/" + deployment_.site_token, kBase)
          .verdict,
      PosterVerdict::kGenuine);

  const auto revoked = check_poster_code(registry(), url(deployment_.revoked_site_token), kBase);
  EXPECT_EQ(revoked.verdict, PosterVerdict::kRevoked);
  EXPECT_EQ(revoked.site_id, deployment_.revoked_site_id);
  EXPECT_FALSE(revoked.site_name.empty());

  // Signed by another key, and a flipped signature bit.
  const auto other_key = crypto::generate_signing_key_pair();
  const std::string forged = crypto::sign_site_token({deployment_.site_id, 1}, other_key);
  EXPECT_EQ(check_poster_code(registry(), url(forged), kBase).verdict, PosterVerdict::kForged);
  std::string flipped = deployment_.site_token;
  flipped[60] = flipped[60] == 'A' ? 'B' : 'A';
  EXPECT_EQ(check_poster_code(registry(), url(flipped), kBase).verdict, PosterVerdict::kForged);

  // A genuine token copied behind another address: a phishing poster.
  const auto copied =
      check_poster_code(registry(), "https://jubao-example.cn/s/" + deployment_.site_token, kBase);
  EXPECT_EQ(copied.verdict, PosterVerdict::kForged);
  EXPECT_NE(copied.reason.find("jubao-example.cn"), std::string::npos);
  EXPECT_EQ(
      check_poster_code(registry(), "http://jubao.example.cn/s/" + deployment_.site_token, kBase)
          .verdict,
      PosterVerdict::kForged);

  for (const std::string& text :
       {std::string("https://pay.example.com/qr/123"), std::string("WIFI:S:office;P:secret;;"),
        std::string(""), url("short"), url(deployment_.site_token) + "?x=1"}) {
    EXPECT_EQ(check_poster_code(registry(), text, kBase).verdict, PosterVerdict::kNotOurs) << text;
  }
}

TEST_F(PostersTest, PhotosAreReadAndTheWorstCodeDecides) {
  const qr::testing::Photo tilted{
      .rotate_degrees = 9, .scale = 0.85, .blur_radius = 1, .noise_amplitude = 20};
  const auto genuine = check_poster_photo(
      registry(), bytes_of(poster_photo(url(deployment_.site_token), tilted)), kBase);
  ASSERT_TRUE(genuine.has_value()) << genuine.error().message;
  ASSERT_EQ(genuine->codes.size(), 1U);
  EXPECT_EQ(genuine->overall, PosterVerdict::kGenuine);

  const auto revoked = check_poster_photo(
      registry(), bytes_of(poster_photo(url(deployment_.revoked_site_token), tilted)), kBase);
  ASSERT_TRUE(revoked.has_value());
  EXPECT_EQ(revoked->overall, PosterVerdict::kRevoked);

  const auto foreign = check_poster_photo(
      registry(), bytes_of(poster_photo("https://pay.example.com/qr/123", tilted)), kBase);
  ASSERT_TRUE(foreign.has_value());
  EXPECT_EQ(foreign->overall, PosterVerdict::kNotOurs);

  // A wall with no code at all.
  const auto none =
      check_poster_photo(registry(), bytes_of(qr::testing::blank_png(400, 300)), kBase);
  ASSERT_TRUE(none.has_value());
  EXPECT_TRUE(none->codes.empty());

  const auto not_image = check_poster_photo(registry(), bytes_of("GIF89a"), kBase);
  ASSERT_FALSE(not_image.has_value());
  EXPECT_EQ(not_image.error().code, errc::unsupported_media_type);
}

}  // namespace
}  // namespace clueline::services
