// Renderers for an encoded QR symbol: SVG for files, pages and posters, and
// Unicode text for printing a scannable code in a terminal.
//
// All functions are pure, thread-safe, and allocate only their result.
#pragma once

#include <string>

#include "clueline/qr/qr_code.hpp"

namespace clueline::qr {

// A standalone SVG 1.1 document (also valid inline in HTML): a white
// background rectangle and one black <path> holding every dark module,
// with shape-rendering="crispEdges" so module edges are not anti-aliased.
// The viewBox is in modules, width and height in pixels:
// (size() + 2 * quiet_zone_modules) * module_px each. No scripts, styles,
// fonts, links or other external resources; no XML declaration.
//
// module_px is clamped to [1, 1000] and quiet_zone_modules to [0, 100].
// Scanners expect a quiet zone of at least 4 modules (the default).
std::string to_svg(const QrCode& code, int module_px = 8, int quiet_zone_modules = 4);

// Which colour the terminal draws glyphs in, relative to its background.
enum class TerminalTheme {
  // Light text on a dark background (the common default): glyphs paint the
  // light modules and the quiet zone, spaces leave the dark modules.
  kDarkBackground,
  // Dark text on a light background: glyphs paint the dark modules.
  kLightBackground,
};

// The symbol as UTF-8 text using the block characters U+2580 (upper half),
// U+2584 (lower half), U+2588 (full) and space, two module rows per line and
// one module per column, so modules come out roughly square in common
// terminal fonts. Includes `quiet_zone_modules` modules of quiet zone on
// every side (clamped to [0, 100]). Every line, the last included, ends in
// '\n'; there are ceil((size() + 2 * quiet_zone_modules) / 2) lines of
// size() + 2 * quiet_zone_modules characters. When that height is odd the
// lower half of the last line is left to the terminal background. Contains
// no escape sequences, so it can be logged or redirected as is; choose
// `theme` to match the terminal, or the code comes out inverted (which many,
// but not all, scanners still read).
std::string to_terminal(const QrCode& code, TerminalTheme theme = TerminalTheme::kDarkBackground,
                        int quiet_zone_modules = 4);

}  // namespace clueline::qr
