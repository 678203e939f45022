// Test helper: turns a module grid into a grayscale image and reads it back
// with ZXing's decoder.
#pragma once

#include <ZXing/ReadBarcode.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace clueline::qr::testing {

struct Decoded {
  std::string text;
  std::string ec_level;  // "L", "M", "Q" or "H"
};

// `dark(x, y)` for x, y in [0, size); the image gets `quiet` light modules
// around the symbol and `scale` pixels per module.
inline std::optional<Decoded> decode_grid(int size, const std::function<bool(int, int)>& dark,
                                          int scale = 4, int quiet = 4) {
  const int width = (size + 2 * quiet) * scale;
  std::vector<std::uint8_t> pixels(static_cast<std::size_t>(width) * width, 0xFF);
  for (int y = 0; y < size; ++y) {
    for (int x = 0; x < size; ++x) {
      if (!dark(x, y)) {
        continue;
      }
      for (int dy = 0; dy < scale; ++dy) {
        for (int dx = 0; dx < scale; ++dx) {
          const int px = (x + quiet) * scale + dx;
          const int py = (y + quiet) * scale + dy;
          pixels[static_cast<std::size_t>(py) * width + px] = 0x00;
        }
      }
    }
  }
  ZXing::DecodeHints hints;
  hints.setFormats(ZXing::BarcodeFormat::QRCode);
  const auto result = ZXing::ReadBarcode(
      ZXing::ImageView(pixels.data(), width, width, ZXing::ImageFormat::Lum), hints);
  if (!result.isValid() || result.format() != ZXing::BarcodeFormat::QRCode) {
    return std::nullopt;
  }
  return Decoded{result.text(), result.ecLevel()};
}

}  // namespace clueline::qr::testing
