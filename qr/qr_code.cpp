#include "clueline/qr/qr_code.hpp"

#include <ZXing/BarcodeFormat.h>
#include <ZXing/BitMatrix.h>
#include <ZXing/CharacterSet.h>
#include <ZXing/MultiFormatWriter.h>

#include <cstddef>
#include <exception>
#include <stdexcept>
#include <string>

namespace clueline::qr {
namespace {

// The most characters any QR symbol holds (7089 digits, version 40-L).
// Longer input is rejected before it is copied and converted for ZXing.
constexpr std::size_t kMaxQrCharacters = 7089;

// ZXing 1.4's MultiFormatWriter takes a generic ECC level in 0..8 and maps it
// onto the four QR levels as 0-2 L, 3-4 M, 5-6 Q, 7-8 H; we pass the top of
// each range. The tests decode every level and compare the level the reader
// reports, so a change of this mapping in a ZXing upgrade fails loudly.
int zxing_ecc_level(ErrorCorrection ec) {
  switch (ec) {
    case ErrorCorrection::kLow:
      return 2;
    case ErrorCorrection::kMedium:
      return 4;
    case ErrorCorrection::kQuartile:
      return 6;
    case ErrorCorrection::kHigh:
      return 8;
  }
  return 4;
}

// Strict UTF-8 validation (RFC 3629): no overlong forms, no surrogates,
// nothing above U+10FFFF. ZXing silently drops what it cannot convert, which
// would put different text in the symbol than the caller asked for.
bool is_valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    std::size_t extra = 0;
    char32_t cp = 0;
    char32_t min = 0;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      extra = 1, cp = c & 0x1F, min = 0x80;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2, cp = c & 0x0F, min = 0x800;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3, cp = c & 0x07, min = 0x10000;
    } else {
      return false;
    }
    if (s.size() - i <= extra) {
      return false;
    }
    for (std::size_t k = 1; k <= extra; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) {
        return false;
      }
      cp = (cp << 6) | (cc & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

bool is_ascii(std::string_view s) {
  for (char c : s) {
    if (static_cast<unsigned char>(c) >= 0x80) {
      return false;
    }
  }
  return true;
}

}  // namespace

result<QrCode> encode(std::string_view text, ErrorCorrection ec) {
  if (text.empty() || text.size() > kMaxQrCharacters || !is_valid_utf8(text)) {
    return errc::invalid_argument;
  }

  ZXing::MultiFormatWriter writer(ZXing::BarcodeFormat::QRCode);
  // Margin 0 and a requested size of 0x0 make ZXing return exactly one matrix
  // cell per module; quiet zone and scaling belong to the renderers.
  writer.setMargin(0).setEccLevel(zxing_ecc_level(ec));
  // With no character set ZXing 1.4 encodes in ISO-8859-1 and throws on
  // anything outside it. UTF-8 makes it add a UTF-8 ECI header, which some
  // phone readers still mishandle, so it is used only when the text needs it.
  if (!is_ascii(text)) {
    writer.setEncoding(ZXing::CharacterSet::UTF8);
  }

  try {
    const ZXing::BitMatrix matrix = writer.encode(std::string(text), 0, 0);
    const int size = matrix.width();
    if (size < 21 || size > 177 || matrix.height() != size || (size - 17) % 4 != 0) {
      return errc::internal;
    }
    std::vector<std::uint8_t> modules(static_cast<std::size_t>(size) * size);
    for (int y = 0; y < size; ++y) {
      for (int x = 0; x < size; ++x) {
        modules[static_cast<std::size_t>(y) * size + x] = matrix.get(x, y) ? 1 : 0;
      }
    }
    return QrCode(size, std::move(modules), ec);
  } catch (const std::invalid_argument&) {
    // ZXing reports "Data too big" (and other unencodable input) this way.
    return errc::invalid_argument;
  } catch (const std::exception&) {
    return errc::internal;
  }
}

}  // namespace clueline::qr
