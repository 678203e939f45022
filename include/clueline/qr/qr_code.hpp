// QR Code (ISO/IEC 18004) encoding into a module matrix.
//
// The matrix is the whole product of this header: renderers (render.hpp, and
// later posters) turn it into SVG, terminal text or pixels.
#pragma once

#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "clueline/common/error.hpp"

namespace clueline::qr {

// How much of the symbol may be damaged (dirt, tears, a logo) and still
// decode: about 7 %, 15 %, 25 % and 30 % of the codewords. Higher levels need
// a larger symbol for the same text.
enum class ErrorCorrection { kLow, kMedium, kQuartile, kHigh };

// An encoded QR symbol: a square matrix of dark and light modules, without
// quiet zone. Immutable value type; copies are independent; thread-safe for
// concurrent reads.
class QrCode {
 public:
  // Modules per side: 21 for version 1 up to 177 for version 40.
  int size() const noexcept { return size_; }

  // The symbol version, 1..40 (size() == 17 + 4 * version()).
  int version() const noexcept { return (size_ - 17) / 4; }

  ErrorCorrection error_correction() const noexcept { return error_correction_; }

  // True for a dark module. x is the column, y the row, (0, 0) the top-left
  // corner. Coordinates outside [0, size()) are light, which is what the
  // quiet zone around a symbol is, so renderers may simply iterate over
  // [-quiet_zone, size() + quiet_zone).
  bool is_dark(int x, int y) const noexcept {
    if (x < 0 || y < 0 || x >= size_ || y >= size_) {
      return false;
    }
    return modules_[static_cast<std::size_t>(y) * static_cast<std::size_t>(size_) +
                    static_cast<std::size_t>(x)] != 0;
  }

  friend bool operator==(const QrCode&, const QrCode&) = default;

 private:
  friend result<QrCode> encode(std::string_view text, ErrorCorrection ec);
  QrCode(int size, std::vector<std::uint8_t> modules, ErrorCorrection ec)
      : size_(size), error_correction_(ec), modules_(std::move(modules)) {}

  int size_ = 0;
  ErrorCorrection error_correction_ = ErrorCorrection::kMedium;
  std::vector<std::uint8_t> modules_;  // row-major, 1 = dark
};

// Encodes `text` (UTF-8) as the smallest QR symbol that holds it at the
// requested error correction level; mask and segment modes are chosen by the
// encoder. Pure ASCII text is stored without an ECI header (the most widely
// readable form, and what URLs use); other text is stored as UTF-8 with a
// UTF-8 ECI header so that readers do not guess a legacy character set.
//
// Errors (errc::invalid_argument): `text` is empty, is not valid UTF-8, or
// does not fit in version 40 at that level (at most 2953 bytes at kLow,
// 2331 at kMedium, 1663 at kQuartile, 1273 at kHigh; digits-only and
// upper-case alphanumeric text packs denser). errc::internal if the encoder
// fails in any other way.
//
// Thread-safe; allocates; no I/O.
result<QrCode> encode(std::string_view text, ErrorCorrection ec = ErrorCorrection::kMedium);

}  // namespace clueline::qr
