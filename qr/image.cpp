#include "clueline/qr/image.hpp"

#include <ZXing/BarcodeFormat.h>
#include <ZXing/DecodeHints.h>
#include <ZXing/ImageView.h>
#include <ZXing/ReadBarcode.h>
#include <png.h>
#include <turbojpeg.h>

#include <algorithm>
#include <cstring>
#include <memory>

namespace clueline::qr {
namespace {

constexpr int kMaxPngModulePx = 100;
constexpr int kMaxQuietZone = 100;

bool starts_with(std::span<const std::byte> file, std::initializer_list<unsigned char> magic) {
  if (file.size() < magic.size()) return false;
  return std::equal(magic.begin(), magic.end(), file.begin(), [](unsigned char m, std::byte b) {
    return m == static_cast<unsigned char>(b);
  });
}

// libpng's simplified API: no setjmp in our code, errors come back as a flag.
struct PngImage {
  png_image image{};
  PngImage() { image.version = PNG_IMAGE_VERSION; }
  ~PngImage() { png_image_free(&image); }
  PngImage(const PngImage&) = delete;
  PngImage& operator=(const PngImage&) = delete;
};

result<GrayImage> decode_png(std::span<const std::byte> file, const ImageLimits& limits) {
  PngImage png;
  if (png_image_begin_read_from_memory(&png.image, file.data(), file.size()) == 0) {
    return errc::invalid_argument;
  }
  if (static_cast<std::uint64_t>(png.image.width) * png.image.height > limits.max_pixels) {
    return errc::payload_too_large;
  }
  png.image.format = PNG_FORMAT_GRAY;
  GrayImage out;
  out.width = static_cast<int>(png.image.width);
  out.height = static_cast<int>(png.image.height);
  out.pixels.resize(PNG_IMAGE_SIZE(png.image));
  // Transparent pixels are composed onto white, as paper would show them.
  png_color white{255, 255, 255};
  if (png_image_finish_read(&png.image, &white, out.pixels.data(), 0, nullptr) == 0) {
    return errc::invalid_argument;
  }
  return out;
}

struct JpegDecoder {
  tjhandle handle = tjInitDecompress();
  ~JpegDecoder() {
    if (handle != nullptr) tjDestroy(handle);
  }
  JpegDecoder() = default;
  JpegDecoder(const JpegDecoder&) = delete;
  JpegDecoder& operator=(const JpegDecoder&) = delete;
};

result<GrayImage> decode_jpeg(std::span<const std::byte> file, const ImageLimits& limits) {
  JpegDecoder decoder;
  if (decoder.handle == nullptr) return errc::internal;
  const auto* bytes = reinterpret_cast<const unsigned char*>(file.data());
  int width = 0;
  int height = 0;
  int subsampling = 0;
  int colorspace = 0;
  if (tjDecompressHeader3(decoder.handle, bytes, static_cast<unsigned long>(file.size()), &width,
                          &height, &subsampling, &colorspace) != 0 ||
      width <= 0 || height <= 0) {
    return errc::invalid_argument;
  }
  if (static_cast<std::uint64_t>(width) * static_cast<std::uint64_t>(height) > limits.max_pixels) {
    return errc::payload_too_large;
  }
  GrayImage out;
  out.width = width;
  out.height = height;
  out.pixels.resize(static_cast<std::size_t>(width) * static_cast<std::size_t>(height));
  // TJFLAG_STOPONWARNING: a truncated or damaged photo is refused rather than
  // half decoded into grey.
  if (tjDecompress2(decoder.handle, bytes, static_cast<unsigned long>(file.size()),
                    out.pixels.data(), width, 0, height, TJPF_GRAY,
                    TJFLAG_ACCURATEDCT | TJFLAG_STOPONWARNING) != 0) {
    return errc::invalid_argument;
  }
  return out;
}

}  // namespace

result<std::string> to_png(const QrCode& code, int module_px, int quiet_zone_modules) {
  const int px = std::clamp(module_px, 1, kMaxPngModulePx);
  const int qz = std::clamp(quiet_zone_modules, 0, kMaxQuietZone);
  const int side = (code.size() + 2 * qz) * px;
  std::vector<std::uint8_t> pixels(static_cast<std::size_t>(side) * static_cast<std::size_t>(side),
                                   0xFF);
  for (int y = 0; y < side; ++y) {
    for (int x = 0; x < side; ++x) {
      if (code.is_dark(x / px - qz, y / px - qz)) {
        pixels[static_cast<std::size_t>(y) * static_cast<std::size_t>(side) +
               static_cast<std::size_t>(x)] = 0x00;
      }
    }
  }
  PngImage png;
  png.image.width = static_cast<png_uint_32>(side);
  png.image.height = static_cast<png_uint_32>(side);
  png.image.format = PNG_FORMAT_GRAY;
  png_alloc_size_t size = 0;
  if (png_image_write_to_memory(&png.image, nullptr, &size, 0, pixels.data(), 0, nullptr) == 0) {
    return errc::internal;
  }
  std::string out(size, '\0');
  if (png_image_write_to_memory(&png.image, out.data(), &size, 0, pixels.data(), 0, nullptr) == 0) {
    return errc::internal;
  }
  out.resize(size);
  return out;
}

result<GrayImage> decode_image(std::span<const std::byte> file, const ImageLimits& limits) {
  if (file.size() > limits.max_file_bytes) return errc::payload_too_large;
  if (starts_with(file, {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A})) {
    return decode_png(file, limits);
  }
  if (starts_with(file, {0xFF, 0xD8, 0xFF})) return decode_jpeg(file, limits);
  return errc::unsupported_media_type;
}

std::vector<std::string> read_qr_codes(const GrayImage& image) {
  std::vector<std::string> texts;
  if (image.width <= 0 || image.height <= 0 ||
      image.pixels.size() <
          static_cast<std::size_t>(image.width) * static_cast<std::size_t>(image.height)) {
    return texts;
  }
  ZXing::DecodeHints hints;
  hints.setFormats(ZXing::BarcodeFormat::QRCode);
  hints.setTryHarder(true);
  hints.setTryRotate(true);
  hints.setTryDownscale(true);
  const ZXing::ImageView view(image.pixels.data(), image.width, image.height,
                              ZXing::ImageFormat::Lum);
  for (const ZXing::Result& found : ZXing::ReadBarcodes(view, hints)) {
    if (!found.isValid()) continue;
    std::string text = found.text();
    if (std::find(texts.begin(), texts.end(), text) == texts.end())
      texts.push_back(std::move(text));
  }
  return texts;
}

}  // namespace clueline::qr
