// Printable posters: one A4 page per site, carrying the site's QR code, the
// site and unit names, short instructions in each language of the
// deployment and the poster code (crypto::poster_code) that the citizen page
// shows beside the site, so a reader can tell a poster from a replacement.
//
// Rendering uses cairo and pango with the system's fonts (Debian's
// fonts-noto-cjk for Chinese). Thread-safe (cairo and pango objects are
// created per call); allocates; no I/O. Slow (tens of milliseconds a
// page): servers call it off their network threads.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "clueline/common/error.hpp"

namespace clueline::qr {

// The poster's text in one language: every string is plain UTF-8 text (no
// markup; it is escaped here).
struct PosterText {
  std::string language;      // BCP 47 tag, e.g. "zh-CN"; picks the font's glyph variants
  std::string heading;       // e.g. "Report misconduct of public officials"
  std::string instructions;  // two or three short sentences
  std::string code_label;    // e.g. "Poster code (the page shows the same):"
};

struct Poster {
  std::string url;                // encoded in the QR code; printed small below it
  std::string site_name;          // e.g. "Dongshan village board"
  std::string unit_name;          // the unit the site belongs to
  std::string poster_code;        // e.g. "K7QX-M2PD"
  std::vector<PosterText> texts;  // in the order printed; at least one
};

// A PDF document with one A4 page per poster, in order.
// Errors: invalid_argument (no poster, a poster without text, text that is
// not UTF-8 or a URL a QR code cannot hold), internal (cairo failed).
result<std::string> posters_pdf(std::span<const Poster> posters);

// One poster as a PNG at `pixels_per_millimetre` (e.g. 4 ≈ 100 dpi; clamped
// to [1, 24]), for previews and for tests that photograph a poster.
// Errors: as posters_pdf.
result<std::string> poster_png(const Poster& poster, double pixels_per_millimetre = 4);

}  // namespace clueline::qr
