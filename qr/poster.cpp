#include "clueline/qr/poster.hpp"

#include <cairo-pdf.h>
#include <cairo.h>
#include <pango/pangocairo.h>

#include <algorithm>
#include <memory>

#include "clueline/qr/qr_code.hpp"

namespace clueline::qr {
namespace {

// A4 in PostScript points (1/72 in), the unit of cairo's PDF surface.
constexpr double kPageWidth = 595.276;
constexpr double kPageHeight = 841.89;
constexpr double kMargin = 42.0;  // 15 mm
constexpr double kPointsPerMillimetre = 72.0 / 25.4;
constexpr double kQrSide = 280.0;  // ~99 mm: scannable from a few metres
// Families in order of preference; fontconfig falls back per glyph. Chinese
// text is set in Noto Sans CJK; Latin and Vietnamese text in DejaVu Sans,
// which has every Vietnamese letter precomposed — cairo 1.16 aborts while
// subsetting Noto Sans CJK's CFF outlines for some of them.
constexpr const char* kChineseFamilies = "Noto Sans CJK SC, DejaVu Sans, sans-serif";
constexpr const char* kLatinFamilies = "DejaVu Sans, Noto Sans CJK SC, sans-serif";
constexpr const char* kMonospace = "DejaVu Sans Mono, monospace";

struct CairoDeleter {
  void operator()(cairo_t* cr) const { cairo_destroy(cr); }
  void operator()(cairo_surface_t* surface) const { cairo_surface_destroy(surface); }
};
using Cairo = std::unique_ptr<cairo_t, CairoDeleter>;
using Surface = std::unique_ptr<cairo_surface_t, CairoDeleter>;

struct GObjectDeleter {
  void operator()(void* object) const { g_object_unref(object); }
};
using Layout = std::unique_ptr<PangoLayout, GObjectDeleter>;

cairo_status_t append_to_string(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

bool valid_utf8(const std::string& text) {
  return g_utf8_validate(text.data(), static_cast<gssize>(text.size()), nullptr) != 0;
}

bool poster_is_printable(const Poster& poster) {
  if (poster.texts.empty() || poster.url.empty()) return false;
  for (const std::string* text :
       {&poster.url, &poster.site_name, &poster.unit_name, &poster.poster_code}) {
    if (!valid_utf8(*text)) return false;
  }
  return std::all_of(poster.texts.begin(), poster.texts.end(), [](const PosterText& text) {
    return valid_utf8(text.language) && valid_utf8(text.heading) && valid_utf8(text.instructions) &&
           valid_utf8(text.code_label);
  });
}

struct TextStyle {
  double size = 12;  // points
  bool bold = false;
  bool monospace = false;
  // Names may be in any script whatever the poster's first language.
  bool latin_first = false;
  PangoAlignment alignment = PANGO_ALIGN_CENTER;
  double red = 0, green = 0, blue = 0;
};

// Lays out `text` across the printable width at `y` and returns the height
// used, so callers stack blocks downwards.
double draw_text(cairo_t* cr, const std::string& text, const std::string& language, double y,
                 const TextStyle& style) {
  if (text.empty()) return 0;
  Layout layout(pango_cairo_create_layout(cr));
  PangoFontDescription* font = pango_font_description_from_string(
      style.monospace                                      ? kMonospace
      : (language.starts_with("zh") && !style.latin_first) ? kChineseFamilies
                                                           : kLatinFamilies);
  pango_font_description_set_absolute_size(font, style.size * PANGO_SCALE);
  pango_font_description_set_weight(font, style.bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_layout_set_font_description(layout.get(), font);
  pango_font_description_free(font);
  if (!language.empty()) {
    // The language picks Simplified Chinese glyph forms for Han characters
    // that Japanese or Traditional Chinese faces would draw differently.
    PangoAttrList* attributes = pango_attr_list_new();
    pango_attr_list_insert(attributes,
                           pango_attr_language_new(pango_language_from_string(language.c_str())));
    pango_layout_set_attributes(layout.get(), attributes);
    pango_attr_list_unref(attributes);
  }
  pango_layout_set_width(layout.get(), static_cast<int>((kPageWidth - 2 * kMargin) * PANGO_SCALE));
  pango_layout_set_wrap(layout.get(), PANGO_WRAP_WORD_CHAR);
  pango_layout_set_alignment(layout.get(), style.alignment);
  pango_layout_set_text(layout.get(), text.data(), static_cast<int>(text.size()));
  cairo_set_source_rgb(cr, style.red, style.green, style.blue);
  cairo_move_to(cr, kMargin, y);
  pango_cairo_show_layout(cr, layout.get());
  int width = 0;
  int height = 0;
  pango_layout_get_size(layout.get(), &width, &height);
  return static_cast<double>(height) / PANGO_SCALE;
}

void draw_code(cairo_t* cr, const QrCode& code, double x, double y, double side) {
  constexpr int kQuietZone = 4;
  const double module = side / (code.size() + 2 * kQuietZone);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_rectangle(cr, x, y, side, side);
  cairo_fill(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);
  // Edge-to-edge rectangles with antialiasing off: no hairline seams
  // between neighbouring modules in the PDF or the raster.
  cairo_set_antialias(cr, CAIRO_ANTIALIAS_NONE);
  for (int row = 0; row < code.size(); ++row) {
    for (int column = 0; column < code.size(); ++column) {
      if (!code.is_dark(column, row)) continue;
      cairo_rectangle(cr, x + (column + kQuietZone) * module, y + (row + kQuietZone) * module,
                      module, module);
    }
  }
  cairo_fill(cr);
  cairo_set_antialias(cr, CAIRO_ANTIALIAS_DEFAULT);
}

void draw_poster(cairo_t* cr, const Poster& poster, const QrCode& code) {
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  constexpr double kAccent[] = {0.702, 0.149, 0.118};  // #b3261e, as the page
  cairo_set_source_rgb(cr, kAccent[0], kAccent[1], kAccent[2]);
  cairo_rectangle(cr, 0, 0, kPageWidth, 14);
  cairo_fill(cr);

  double y = kMargin;
  for (std::size_t i = 0; i < poster.texts.size(); ++i) {
    const PosterText& text = poster.texts[i];
    y += draw_text(cr, text.heading, text.language, y,
                   {.size = i == 0 ? 26.0 : 17.0,
                    .bold = true,
                    .red = kAccent[0],
                    .green = kAccent[1],
                    .blue = kAccent[2]}) +
         4;
  }
  y += 10;
  draw_code(cr, code, (kPageWidth - kQrSide) / 2, y, kQrSide);
  y += kQrSide + 2;
  y += draw_text(cr, poster.url, "", y, {.size = 6.5, .monospace = true}) + 10;
  const std::string& first_language = poster.texts.front().language;
  y += draw_text(cr, poster.site_name, first_language, y,
                 {.size = 21, .bold = true, .latin_first = true}) +
       2;
  y += draw_text(cr, poster.unit_name, first_language, y, {.size = 13, .latin_first = true}) + 14;
  for (const PosterText& text : poster.texts) {
    y += draw_text(cr, text.instructions, text.language, y,
                   {.size = 10.5, .alignment = PANGO_ALIGN_LEFT}) +
         6;
  }
  // The poster code sits at the foot of the page, in every language.
  double foot = kPageHeight - kMargin - 30;
  std::string labels;
  for (const PosterText& text : poster.texts) {
    if (!labels.empty()) labels += " · ";
    labels += text.code_label;
  }
  const double label_height =
      draw_text(cr, labels, first_language, foot - 16,
                {.size = 9, .latin_first = true, .red = .25, .green = .25, .blue = .25});
  draw_text(cr, poster.poster_code, "", foot - 16 + label_height + 2,
            {.size = 20, .bold = true, .monospace = true});
}

}  // namespace

result<std::string> posters_pdf(std::span<const Poster> posters) {
  if (posters.empty()) return errc::invalid_argument;
  std::vector<QrCode> codes;
  for (const Poster& poster : posters) {
    if (!poster_is_printable(poster)) return errc::invalid_argument;
    auto code = encode(poster.url, ErrorCorrection::kQuartile);
    if (!code) return code.error();
    codes.push_back(std::move(*code));
  }
  std::string pdf;
  {
    Surface surface(
        cairo_pdf_surface_create_for_stream(append_to_string, &pdf, kPageWidth, kPageHeight));
    Cairo cr(cairo_create(surface.get()));
    for (std::size_t i = 0; i < posters.size(); ++i) {
      draw_poster(cr.get(), posters[i], codes[i]);
      cairo_show_page(cr.get());
    }
    if (cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS) return errc::internal;
    cr.reset();
    cairo_surface_finish(surface.get());
    if (cairo_surface_status(surface.get()) != CAIRO_STATUS_SUCCESS) return errc::internal;
  }
  return pdf;
}

result<std::string> poster_png(const Poster& poster, double pixels_per_millimetre) {
  if (!poster_is_printable(poster)) return errc::invalid_argument;
  auto code = encode(poster.url, ErrorCorrection::kQuartile);
  if (!code) return code.error();
  const double scale = std::clamp(pixels_per_millimetre, 1.0, 24.0) / kPointsPerMillimetre;
  Surface surface(cairo_image_surface_create(CAIRO_FORMAT_RGB24,
                                             static_cast<int>(kPageWidth * scale),
                                             static_cast<int>(kPageHeight * scale)));
  Cairo cr(cairo_create(surface.get()));
  cairo_scale(cr.get(), scale, scale);
  draw_poster(cr.get(), poster, *code);
  if (cairo_status(cr.get()) != CAIRO_STATUS_SUCCESS) return errc::internal;
  cr.reset();
  std::string png;
  if (cairo_surface_write_to_png_stream(surface.get(), append_to_string, &png) !=
      CAIRO_STATUS_SUCCESS) {
    return errc::internal;
  }
  return png;
}

}  // namespace clueline::qr
