#include "clueline/qr/image.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "clueline/qr/poster.hpp"
#include "photo_util.hpp"

namespace clueline::qr {
namespace {

constexpr std::string_view kUrl =
    "https://jubao.example.cn/s/"
    "AAAAAQABq7zN3u8BI0VniavN7wEjRWeJq83vASNFZ4mrze8BI0VniavN7wEjRWeJq83vASNFZ4mrze8BI0VniavN7wEj"
    "RWeJq83vASNFZ4mrze8";

std::span<const std::byte> bytes_of(const std::string& text) {
  return std::as_bytes(std::span(text.data(), text.size()));
}

Poster sample_poster() {
  return Poster{.url = std::string(kUrl),
                .site_name = "东山村村务公开栏",
                .unit_name = "东山村",
                .poster_code = "K7QX-M2PD",
                .texts = {{.language = "zh-CN",
                           .heading = "监督举报",
                           .instructions = "用手机扫描二维码，写下发生了什么。",
                           .code_label = "海报码（页面显示相同）："},
                          {.language = "en",
                           .heading = "Report misconduct",
                           .instructions = "Scan the code with your phone and write what happened.",
                           .code_label = "Poster code (the page shows the same):"},
                          {.language = "vi",
                           .heading = "Báo cáo sai phạm",
                           .instructions = "Quét mã bằng điện thoại và viết điều đã xảy ra.",
                           .code_label = "Mã áp phích:"}}};
}

TEST(QrPng, DecodesBackToTheUrl) {
  const auto code = encode(kUrl);
  ASSERT_TRUE(code.has_value());
  const auto png = to_png(*code, 4, 4);
  ASSERT_TRUE(png.has_value());
  ASSERT_EQ(png->substr(0, 8), "\x89PNG\r\n\x1a\n");
  const auto image = decode_image(bytes_of(*png));
  ASSERT_TRUE(image.has_value());
  EXPECT_EQ(image->width, (code->size() + 8) * 4);
  EXPECT_EQ(image->height, image->width);
  EXPECT_EQ(read_qr_codes(*image), std::vector<std::string>{std::string(kUrl)});
}

TEST(DecodeImage, RefusesWhatIsNotAnImageOrTooLarge) {
  EXPECT_EQ(decode_image(bytes_of("GIF89a....")).error(), errc::unsupported_media_type);
  EXPECT_EQ(decode_image(bytes_of("")).error(), errc::unsupported_media_type);
  // A PNG signature with nothing after it, and a JPEG cut off in its header.
  EXPECT_EQ(decode_image(bytes_of(std::string("\x89PNG\r\n\x1a\n", 8))).error(),
            errc::invalid_argument);
  EXPECT_EQ(decode_image(bytes_of(std::string("\xff\xd8\xff\xe0\x00\x10JFIF", 10))).error(),
            errc::invalid_argument);

  const auto code = encode(kUrl);
  ASSERT_TRUE(code.has_value());
  const auto png = to_png(*code, 4, 4);
  ASSERT_TRUE(png.has_value());
  // The pixel limit is read off the header, before any pixel is decoded.
  EXPECT_EQ(decode_image(bytes_of(*png), {.max_file_bytes = 1U << 20, .max_pixels = 1000}).error(),
            errc::payload_too_large);
  EXPECT_EQ(decode_image(bytes_of(*png), {.max_file_bytes = 100, .max_pixels = 1U << 30}).error(),
            errc::payload_too_large);
  // A truncated file is refused, not half read.
  const std::string truncated = png->substr(0, png->size() / 2);
  EXPECT_EQ(decode_image(bytes_of(truncated)).error(), errc::invalid_argument);
}

TEST(DecodeImage, PhotoWithoutACodeReadsNothing) {
  GrayImage blank{.width = 64, .height = 64, .pixels = std::vector<std::uint8_t>(64 * 64, 200)};
  EXPECT_TRUE(read_qr_codes(blank).empty());
  EXPECT_TRUE(read_qr_codes(GrayImage{}).empty());
}

TEST(Poster, PdfHasOnePageAPosterAndEmbedsItsFonts) {
  const std::vector<Poster> posters{sample_poster(), sample_poster()};
  const auto pdf = posters_pdf(posters);
  ASSERT_TRUE(pdf.has_value());
  ASSERT_TRUE(pdf->starts_with("%PDF-"));
  // Page objects ("/Type /Page"), not the page tree ("/Type /Pages").
  std::size_t pages = 0;
  constexpr std::string_view kPage = "/Type /Page";
  for (auto at = pdf->find(kPage); at != std::string::npos; at = pdf->find(kPage, at + 1)) {
    if (pdf->compare(at + kPage.size(), 1, "s") != 0) ++pages;
  }
  EXPECT_EQ(pages, 2U);
  // The CJK face is embedded, so the poster prints the same anywhere.
  EXPECT_NE(pdf->find("NotoSansCJK"), std::string::npos);
}

// cairo 1.16 aborts while subsetting Noto Sans CJK for some Vietnamese
// letters; the poster sets them in DejaVu Sans, names included.
TEST(Poster, VietnameseTextAndNamesPrintUnderAChineseHeading) {
  Poster poster = sample_poster();
  poster.site_name = "Bảng tin ủy ban xã Đông Sơn — 东山村";
  poster.unit_name = "Xã Đông Sơn, huyện Thạch Thất";
  poster.texts[2].instructions =
      "Quét mã bằng điện thoại và viết điều đã xảy ra. Báo cáo được mã hóa trên điện thoại "
      "trước khi gửi: cơ quan này và máy chủ đều không đọc được. Hãy ghi lại số biên nhận.";
  poster.texts[2].heading = "Báo cáo sai phạm của cán bộ, công chức";
  const auto pdf = posters_pdf(std::span(&poster, 1));
  ASSERT_TRUE(pdf.has_value());
  EXPECT_TRUE(pdf->starts_with("%PDF-"));
}

TEST(Poster, RefusesWhatItCannotPrint) {
  EXPECT_EQ(posters_pdf({}).error(), errc::invalid_argument);
  Poster no_text = sample_poster();
  no_text.texts.clear();
  EXPECT_EQ(posters_pdf(std::span(&no_text, 1)).error(), errc::invalid_argument);
  Poster bad_utf8 = sample_poster();
  bad_utf8.site_name = "\xff\xfe";
  EXPECT_EQ(posters_pdf(std::span(&bad_utf8, 1)).error(), errc::invalid_argument);
  Poster too_long = sample_poster();
  too_long.url = std::string(4000, 'x');
  EXPECT_EQ(poster_png(too_long).error(), errc::invalid_argument);
}

// A poster photographed as a unit would: each variant must still give back
// exactly the poster's URL.
TEST(Poster, PhotosOfThePosterReadBackItsUrl) {
  const auto png = poster_png(sample_poster(), 4);
  ASSERT_TRUE(png.has_value());
  const std::vector<std::pair<std::string, testing::Photo>> variants{
      {"straight", {}},
      {"rotated 12 degrees", {.rotate_degrees = 12}},
      {"upside down", {.rotate_degrees = 180}},
      {"scaled to 60%", {.scale = 0.6}},
      {"blurred", {.blur_radius = 2}},
      {"noisy", {.noise_amplitude = 40}},
      {"all at once, low JPEG quality",
       {.rotate_degrees = -7,
        .scale = 0.8,
        .blur_radius = 1,
        .noise_amplitude = 25,
        .jpeg_quality = 50}},
      {"as PNG", {.rotate_degrees = 3, .jpeg_quality = 0}},
  };
  for (const auto& [name, photo] : variants) {
    const std::string file = testing::photograph(*png, photo);
    const auto image = decode_image(bytes_of(file));
    ASSERT_TRUE(image.has_value()) << name;
    EXPECT_EQ(read_qr_codes(*image), std::vector<std::string>{std::string(kUrl)}) << name;
  }
}

}  // namespace
}  // namespace clueline::qr
