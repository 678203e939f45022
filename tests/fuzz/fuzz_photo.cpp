// libFuzzer target: photo decoding (PNG and JPEG through libpng and
// libjpeg-turbo, qr/image.cpp) and the QR reader on what decodes, as
// POST /api/v1/qr/verify and `site verify` run them on uploaded photos.
#include <cstddef>
#include <cstdint>
#include <span>

#include "clueline/qr/image.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // Small limits keep each run fast; the limits themselves are under test too.
  const clueline::qr::ImageLimits limits{.max_file_bytes = 1U << 20, .max_pixels = 1U << 20};
  const auto image = clueline::qr::decode_image(
      std::as_bytes(std::span(reinterpret_cast<const char*>(data), size)), limits);
  if (!image) return 0;
  if (image->pixels.size() !=
      static_cast<std::size_t>(image->width) * static_cast<std::size_t>(image->height)) {
    __builtin_trap();
  }
  (void)clueline::qr::read_qr_codes(*image);
  return 0;
}
