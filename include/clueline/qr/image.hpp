// Raster images for QR symbols and posters: PNG encoding of a symbol, and
// reading QR symbols back out of a photo (PNG or JPEG), e.g. a unit's photo
// of a poster on a wall.
//
// Every function is thread-safe, allocates only its result and does no I/O.
// Decoding is CPU-heavy (up to a second for a large photo): servers call it
// off their network threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "clueline/common/error.hpp"
#include "clueline/qr/qr_code.hpp"

namespace clueline::qr {

// An 8-bit grayscale PNG of the symbol: (size() + 2 * quiet_zone_modules) *
// module_px pixels square, black modules on white, no metadata chunks.
// module_px is clamped to [1, 100], quiet_zone_modules to [0, 100].
// Errors: errc::internal if the PNG encoder fails.
result<std::string> to_png(const QrCode& code, int module_px = 8, int quiet_zone_modules = 4);

// An 8-bit grayscale image, row-major, one byte per pixel (0 black).
struct GrayImage {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> pixels;  // width * height bytes
};

// Limits on an image from outside: checked on the file's header before any
// pixel is decoded, so a small file that claims a huge image costs nothing.
struct ImageLimits {
  std::size_t max_file_bytes = 16U << 20;  // 16 MiB
  std::uint64_t max_pixels = 50'000'000;   // a 50-megapixel photo
};

// Decodes a PNG or JPEG file (told apart by its first bytes) to grayscale.
// Errors: unsupported_media_type (neither PNG nor JPEG), payload_too_large
// (over `limits`), invalid_argument (a corrupt or truncated file).
result<GrayImage> decode_image(std::span<const std::byte> file, const ImageLimits& limits = {});

// The texts of every QR symbol found in `image` (rotated, tilted, scaled or
// blurred within what ZXing's reader recovers), in the reader's order,
// without duplicates. Empty when none is found; never an error.
std::vector<std::string> read_qr_codes(const GrayImage& image);

}  // namespace clueline::qr
