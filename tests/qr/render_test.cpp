#include "clueline/qr/render.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "decode_util.hpp"

namespace clueline::qr {
namespace {

constexpr std::string_view kSiteUrl = "https://clueline.example.org/s/AbC123xyz-_0?v=2";

QrCode sample() {
  auto r = encode(kSiteUrl);
  EXPECT_TRUE(r.has_value());
  return std::move(r).value();
}

std::size_t count(std::string_view haystack, std::string_view needle) {
  std::size_t n = 0;
  for (auto pos = haystack.find(needle); pos != std::string_view::npos;
       pos = haystack.find(needle, pos + needle.size())) {
    ++n;
  }
  return n;
}

// The value of attribute `name` on the first <element ...> tag, or "" if
// absent.
std::string attribute(std::string_view svg, std::string_view element, std::string_view name) {
  const std::string open = "<" + std::string(element) + " ";
  const auto tag = svg.find(open);
  if (tag == std::string_view::npos) {
    return {};
  }
  const std::string_view rest = svg.substr(tag, svg.find('>', tag) - tag);
  const std::string key = " " + std::string(name) + "=\"";
  const auto at = rest.find(key);
  if (at == std::string_view::npos) {
    return {};
  }
  const auto value = at + key.size();
  return std::string(rest.substr(value, rest.find('"', value) - value));
}

// A grid of booleans covering [0, n) x [0, n) of the rendered canvas.
using Grid = std::vector<std::vector<bool>>;

// Consumes a decimal number at `pos`; nullopt if there is none.
std::optional<int> number(std::string_view s, std::size_t& pos) {
  int value = 0;
  const std::size_t begin = pos;
  while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9' && pos - begin < 6) {
    value = value * 10 + (s[pos++] - '0');
  }
  if (pos == begin) {
    return std::nullopt;
  }
  return value;
}

bool literal(std::string_view s, std::size_t& pos, std::string_view lit) {
  if (s.substr(pos, lit.size()) != lit) {
    return false;
  }
  pos += lit.size();
  return true;
}

// Reads the path back: it must be a space-separated list of one-module-high
// runs "M<x> <y>h<len>v1h-<len>z" that do not overlap. nullopt on anything
// else.
std::optional<Grid> grid_from_svg_path(std::string_view d, int n) {
  Grid grid(n, std::vector<bool>(n, false));
  std::size_t pos = 0;
  while (pos < d.size()) {
    if (pos != 0 && !literal(d, pos, " ")) {
      return std::nullopt;
    }
    if (!literal(d, pos, "M")) {
      return std::nullopt;
    }
    const auto x = number(d, pos);
    if (!x || !literal(d, pos, " ")) {
      return std::nullopt;
    }
    const auto y = number(d, pos);
    if (!y || !literal(d, pos, "h")) {
      return std::nullopt;
    }
    const auto len = number(d, pos);
    if (!len || !literal(d, pos, "v1h-")) {
      return std::nullopt;
    }
    const auto back = number(d, pos);
    if (!back || !literal(d, pos, "z")) {
      return std::nullopt;
    }
    if (*back != *len || *len < 1 || *x + *len > n || *y >= n) {
      return std::nullopt;
    }
    for (int i = 0; i < *len; ++i) {
      if (grid[*y][*x + i]) {
        return std::nullopt;  // overlapping runs
      }
      grid[*y][*x + i] = true;
    }
  }
  return grid;
}

void expect_grid_matches(const Grid& grid, const QrCode& code, int qz) {
  const int n = code.size() + 2 * qz;
  ASSERT_EQ(static_cast<int>(grid.size()), n);
  for (int y = 0; y < n; ++y) {
    for (int x = 0; x < n; ++x) {
      ASSERT_EQ(grid[y][x], code.is_dark(x - qz, y - qz)) << "module " << x << "," << y;
    }
  }
}

TEST(ToSvg, IsAStandaloneSvgDocumentWithOnePath) {
  const QrCode code = sample();
  const std::string svg = to_svg(code);
  EXPECT_EQ(svg.rfind(R"(<svg xmlns="http://www.w3.org/2000/svg")", 0), 0u);
  EXPECT_TRUE(svg.ends_with("</svg>\n"));
  EXPECT_EQ(count(svg, "<svg"), 1u);
  EXPECT_EQ(count(svg, "</svg>"), 1u);
  EXPECT_EQ(count(svg, "<path"), 1u);
  EXPECT_EQ(count(svg, "<rect"), 1u);
  // Every element is either self-closing or the closed root.
  EXPECT_EQ(count(svg, "<"), count(svg, "/>") + 2);
  EXPECT_EQ(count(svg, "\""), 2 * count(svg, "=\""));
  EXPECT_EQ(attribute(svg, "svg", "shape-rendering"), "crispEdges");
  EXPECT_EQ(attribute(svg, "rect", "fill"), "#fff");
  EXPECT_EQ(attribute(svg, "path", "fill"), "#000");
}

TEST(ToSvg, HasNoExternalResourcesOrActiveContent) {
  const std::string svg = to_svg(sample());
  EXPECT_EQ(count(svg, "http"), 1u);  // the xmlns only
  EXPECT_EQ(count(svg, "href"), 0u);
  EXPECT_EQ(count(svg, "<script"), 0u);
  EXPECT_EQ(count(svg, "<style"), 0u);
  EXPECT_EQ(count(svg, "url("), 0u);
  EXPECT_EQ(count(svg, "<?xml"), 0u);
}

TEST(ToSvg, DimensionsFollowModuleSizeAndQuietZone) {
  const QrCode code = sample();
  const int n = code.size();
  std::string svg = to_svg(code);
  EXPECT_EQ(attribute(svg, "svg", "width"), std::to_string((n + 8) * 8));
  EXPECT_EQ(attribute(svg, "svg", "height"), std::to_string((n + 8) * 8));
  EXPECT_EQ(attribute(svg, "svg", "viewBox"),
            "0 0 " + std::to_string(n + 8) + " " + std::to_string(n + 8));
  EXPECT_EQ(attribute(svg, "rect", "width"), std::to_string(n + 8));

  svg = to_svg(code, 3, 2);
  EXPECT_EQ(attribute(svg, "svg", "width"), std::to_string((n + 4) * 3));
  EXPECT_EQ(attribute(svg, "svg", "viewBox"),
            "0 0 " + std::to_string(n + 4) + " " + std::to_string(n + 4));
}

TEST(ToSvg, OutOfRangeArgumentsAreClamped) {
  const QrCode code = sample();
  const int n = code.size();
  std::string svg = to_svg(code, 0, -5);
  EXPECT_EQ(attribute(svg, "svg", "width"), std::to_string(n));
  EXPECT_EQ(attribute(svg, "svg", "viewBox"), "0 0 " + std::to_string(n) + " " + std::to_string(n));
  svg = to_svg(code, 1 << 30, 1 << 30);
  EXPECT_EQ(attribute(svg, "svg", "width"), std::to_string((n + 200) * 1000));
}

TEST(ToSvg, PathDrawsExactlyTheDarkModules) {
  const QrCode code = sample();
  for (int qz : {0, 4}) {
    const std::string svg = to_svg(code, 8, qz);
    const auto grid = grid_from_svg_path(attribute(svg, "path", "d"), code.size() + 2 * qz);
    ASSERT_TRUE(grid.has_value()) << "unexpected path syntax";
    expect_grid_matches(*grid, code, qz);
    // Read back from the path alone, the symbol decodes to the same text.
    const auto decoded =
        testing::decode_grid(code.size(), [&](int x, int y) { return (*grid)[y + qz][x + qz]; });
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(decoded->text, kSiteUrl);
  }
}

// Splits terminal output into lines of code points; false if a line is not
// '\n'-terminated or uses other characters than the four expected.
struct Cell {
  bool upper;
  bool lower;
};
std::optional<std::vector<std::vector<Cell>>> parse_terminal(std::string_view text) {
  std::vector<std::vector<Cell>> lines(1);
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == '\n') {
      lines.emplace_back();
      ++i;
    } else if (text[i] == ' ') {
      lines.back().push_back({false, false});
      ++i;
    } else if (text.substr(i, 3) == "\u2588") {
      lines.back().push_back({true, true});
      i += 3;
    } else if (text.substr(i, 3) == "\u2580") {
      lines.back().push_back({true, false});
      i += 3;
    } else if (text.substr(i, 3) == "\u2584") {
      lines.back().push_back({false, true});
      i += 3;
    } else {
      return std::nullopt;
    }
  }
  if (!lines.back().empty()) {
    return std::nullopt;  // last line not terminated
  }
  lines.pop_back();
  return lines;
}

TEST(ToTerminal, LineCountAndWidthIncludeQuietZone) {
  const QrCode code = sample();
  const int n = code.size();
  for (int qz : {0, 1, 2, 4}) {
    const auto lines = parse_terminal(to_terminal(code, TerminalTheme::kDarkBackground, qz));
    ASSERT_TRUE(lines.has_value());
    const int side = n + 2 * qz;
    EXPECT_EQ(static_cast<int>(lines->size()), (side + 1) / 2) << "quiet zone " << qz;
    for (const auto& line : *lines) {
      EXPECT_EQ(static_cast<int>(line.size()), side);
    }
  }
  // Defaults: dark background, 4 modules of quiet zone.
  EXPECT_EQ(to_terminal(code), to_terminal(code, TerminalTheme::kDarkBackground, 4));
  const auto lines = parse_terminal(to_terminal(code));
  ASSERT_TRUE(lines.has_value());
  EXPECT_EQ(static_cast<int>(lines->size()), (n + 8 + 1) / 2);
}

TEST(ToTerminal, GlyphsReproduceTheModulesForBothThemes) {
  const QrCode code = sample();
  for (auto theme : {TerminalTheme::kDarkBackground, TerminalTheme::kLightBackground}) {
    const bool glyph_is_light = theme == TerminalTheme::kDarkBackground;
    const int qz = 3;
    const int side = code.size() + 2 * qz;
    const auto lines = parse_terminal(to_terminal(code, theme, qz));
    ASSERT_TRUE(lines.has_value());
    Grid grid(side, std::vector<bool>(side, false));  // true = dark
    for (int row = 0; row < side; ++row) {
      for (int x = 0; x < side; ++x) {
        const Cell cell = (*lines)[row / 2][x];
        const bool painted = row % 2 == 0 ? cell.upper : cell.lower;
        grid[row][x] = painted != glyph_is_light;
      }
    }
    expect_grid_matches(grid, code, qz);
    // Odd height: the lower half of the last line is never painted.
    ASSERT_EQ(side % 2, 1);
    for (const Cell& cell : lines->back()) {
      EXPECT_FALSE(cell.lower);
    }
    const auto decoded =
        testing::decode_grid(code.size(), [&](int x, int y) { return grid[y + qz][x + qz]; });
    ASSERT_TRUE(decoded.has_value());
    EXPECT_EQ(decoded->text, kSiteUrl);
  }
}

TEST(ToTerminal, QuietZoneIsPaintedOnDarkBackgroundAndBlankOnLight) {
  const QrCode code = sample();
  const std::string dark = to_terminal(code, TerminalTheme::kDarkBackground, 4);
  const std::string light = to_terminal(code, TerminalTheme::kLightBackground, 4);
  const int side = code.size() + 8;
  std::string full_row;
  for (int i = 0; i < side; ++i) {
    full_row += "\u2588";
  }
  EXPECT_EQ(dark.substr(0, full_row.size() + 1), full_row + "\n");
  EXPECT_EQ(light.substr(0, side + 1), std::string(side, ' ') + "\n");
  EXPECT_EQ(dark.find('\x1b'), std::string::npos);
  EXPECT_EQ(light.find('\x1b'), std::string::npos);
}

TEST(ToTerminal, NegativeQuietZoneIsClampedToZero) {
  const QrCode code = sample();
  EXPECT_EQ(to_terminal(code, TerminalTheme::kLightBackground, -3),
            to_terminal(code, TerminalTheme::kLightBackground, 0));
}

}  // namespace
}  // namespace clueline::qr
