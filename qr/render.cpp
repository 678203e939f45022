#include "clueline/qr/render.hpp"

#include <algorithm>
#include <string>

namespace clueline::qr {
namespace {

// Caps keep every derived dimension far from int overflow and the output to
// a sane size (177 + 200 modules at 1000 px is still a 377000 px canvas).
constexpr int kMaxModulePx = 1000;
constexpr int kMaxQuietZone = 100;

}  // namespace

std::string to_svg(const QrCode& code, int module_px, int quiet_zone_modules) {
  const int px = std::clamp(module_px, 1, kMaxModulePx);
  const int qz = std::clamp(quiet_zone_modules, 0, kMaxQuietZone);
  const int modules = code.size() + 2 * qz;
  const std::string dim = std::to_string(modules);
  const std::string pixels = std::to_string(modules * px);

  std::string out;
  out.reserve(512 + static_cast<std::size_t>(code.size()) * code.size() * 4);
  out += R"(<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width=")";
  out += pixels;
  out += R"(" height=")";
  out += pixels;
  out += R"(" viewBox="0 0 )";
  out += dim + ' ' + dim;
  out += R"(" shape-rendering="crispEdges">)";
  out += '\n';
  out += R"(<rect width=")" + dim + R"(" height=")" + dim + R"(" fill="#fff"/>)";
  out += '\n';
  // One subpath per horizontal run of dark modules: far shorter than one
  // square per module, and since every edge lies on an integer module
  // coordinate, abutting runs leave no hairline seams between rows.
  out += R"(<path fill="#000" d=")";
  bool first = true;
  for (int y = 0; y < code.size(); ++y) {
    for (int x = 0; x < code.size();) {
      if (!code.is_dark(x, y)) {
        ++x;
        continue;
      }
      int run = 1;
      while (code.is_dark(x + run, y)) {
        ++run;
      }
      if (!first) {
        out += ' ';
      }
      first = false;
      const std::string len = std::to_string(run);
      out += 'M';
      out += std::to_string(x + qz);
      out += ' ';
      out += std::to_string(y + qz);
      out += 'h';
      out += len;
      out += "v1h-";
      out += len;
      out += 'z';
      x += run;
    }
  }
  out += "\"/>\n</svg>\n";
  return out;
}

std::string to_terminal(const QrCode& code, TerminalTheme theme, int quiet_zone_modules) {
  const int qz = std::clamp(quiet_zone_modules, 0, kMaxQuietZone);
  const int first = -qz;
  const int end = code.size() + qz;  // one past the last row/column drawn
  const bool paint_light = theme == TerminalTheme::kDarkBackground;
  auto painted = [&](int x, int y) { return code.is_dark(x, y) != paint_light; };

  std::string out;
  for (int y = first; y < end; y += 2) {
    const bool has_lower = y + 1 < end;
    for (int x = first; x < end; ++x) {
      const bool upper = painted(x, y);
      const bool lower = has_lower && painted(x, y + 1);
      if (upper && lower) {
        out += "\u2588";  // full block
      } else if (upper) {
        out += "\u2580";  // upper half block
      } else if (lower) {
        out += "\u2584";  // lower half block
      } else {
        out += ' ';
      }
    }
    out += '\n';
  }
  return out;
}

}  // namespace clueline::qr
