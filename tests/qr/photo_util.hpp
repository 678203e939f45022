// Test helper: turns a rendered poster (PNG) into what a phone photo of it
// looks like — rotated, scaled, blurred, noisy, JPEG-compressed — so poster
// verification is tried on images it did not draw itself.
#pragma once

#include <cairo.h>
#include <turbojpeg.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace clueline::qr::testing {

struct Photo {
  double rotate_degrees = 0;
  double scale = 1;         // of the poster within the frame
  int blur_radius = 0;      // box blur, pixels
  int noise_amplitude = 0;  // uniform noise, ± grey levels
  int jpeg_quality = 85;    // 0: keep PNG
};

namespace detail {

inline cairo_status_t read_from(void* closure, unsigned char* data, unsigned int length) {
  auto* input = static_cast<std::span<const char>*>(closure);
  if (input->size() < length) return CAIRO_STATUS_READ_ERROR;
  std::copy_n(input->begin(), length, data);
  *input = input->subspan(length);
  return CAIRO_STATUS_SUCCESS;
}

inline cairo_status_t write_to(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

}  // namespace detail

// A plain grey PNG: a photo of a wall without a poster.
inline std::string blank_png(int width, int height) {
  cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
  cairo_t* cr = cairo_create(surface);
  cairo_set_source_rgb(cr, 0.6, 0.6, 0.58);
  cairo_paint(cr);
  cairo_destroy(cr);
  std::string out;
  cairo_surface_write_to_png_stream(surface, detail::write_to, &out);
  cairo_surface_destroy(surface);
  return out;
}

// A photo of `png` (a poster) as JPEG (or PNG when jpeg_quality is 0).
inline std::string photograph(const std::string& png, const Photo& photo, unsigned seed = 7) {
  std::span<const char> input(png);
  cairo_surface_t* poster = cairo_image_surface_create_from_png_stream(detail::read_from, &input);
  if (cairo_surface_status(poster) != CAIRO_STATUS_SUCCESS) throw std::runtime_error("png");
  const int width = cairo_image_surface_get_width(poster);
  const int height = cairo_image_surface_get_height(poster);
  // A frame like a phone's, with a grey wall around the poster.
  const int frame_w = static_cast<int>(width * 1.2);
  const int frame_h = static_cast<int>(height * 1.2);
  cairo_surface_t* frame = cairo_image_surface_create(CAIRO_FORMAT_RGB24, frame_w, frame_h);
  cairo_t* cr = cairo_create(frame);
  cairo_set_source_rgb(cr, 0.55, 0.52, 0.48);
  cairo_paint(cr);
  cairo_translate(cr, frame_w / 2.0, frame_h / 2.0);
  cairo_rotate(cr, photo.rotate_degrees * M_PI / 180.0);
  cairo_scale(cr, photo.scale, photo.scale);
  cairo_translate(cr, -width / 2.0, -height / 2.0);
  cairo_set_source_surface(cr, poster, 0, 0);
  cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_BILINEAR);
  cairo_paint(cr);
  cairo_destroy(cr);
  cairo_surface_destroy(poster);
  cairo_surface_flush(frame);

  // Grey pixels out of the RGB24 frame.
  const int stride = cairo_image_surface_get_stride(frame);
  const unsigned char* data = cairo_image_surface_get_data(frame);
  std::vector<int> grey(static_cast<std::size_t>(frame_w) * frame_h);
  for (int y = 0; y < frame_h; ++y) {
    for (int x = 0; x < frame_w; ++x) {
      const auto pixel = *reinterpret_cast<const std::uint32_t*>(data + y * stride + x * 4);
      grey[static_cast<std::size_t>(y) * frame_w + x] = static_cast<int>(
          ((pixel >> 16) & 0xFF) * 0.3 + ((pixel >> 8) & 0xFF) * 0.59 + (pixel & 0xFF) * 0.11);
    }
  }
  cairo_surface_destroy(frame);
  if (photo.blur_radius > 0) {
    // Separable box blur, horizontal then vertical.
    std::vector<int> pass(grey.size());
    const int r = photo.blur_radius;
    for (int y = 0; y < frame_h; ++y) {
      for (int x = 0; x < frame_w; ++x) {
        int sum = 0, n = 0;
        for (int d = -r; d <= r; ++d) {
          const int xx = x + d;
          if (xx < 0 || xx >= frame_w) continue;
          sum += grey[static_cast<std::size_t>(y) * frame_w + xx];
          ++n;
        }
        pass[static_cast<std::size_t>(y) * frame_w + x] = sum / n;
      }
    }
    for (int y = 0; y < frame_h; ++y) {
      for (int x = 0; x < frame_w; ++x) {
        int sum = 0, n = 0;
        for (int d = -r; d <= r; ++d) {
          const int yy = y + d;
          if (yy < 0 || yy >= frame_h) continue;
          sum += pass[static_cast<std::size_t>(yy) * frame_w + x];
          ++n;
        }
        grey[static_cast<std::size_t>(y) * frame_w + x] = sum / n;
      }
    }
  }
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> noise(-photo.noise_amplitude, photo.noise_amplitude);
  std::vector<unsigned char> pixels(grey.size());
  for (std::size_t i = 0; i < grey.size(); ++i) {
    const int value = grey[i] + (photo.noise_amplitude > 0 ? noise(random) : 0);
    pixels[i] = static_cast<unsigned char>(std::clamp(value, 0, 255));
  }

  if (photo.jpeg_quality > 0) {
    tjhandle compressor = tjInitCompress();
    unsigned char* jpeg = nullptr;
    unsigned long size = 0;
    if (tjCompress2(compressor, pixels.data(), frame_w, 0, frame_h, TJPF_GRAY, &jpeg, &size,
                    TJSAMP_GRAY, photo.jpeg_quality, 0) != 0) {
      tjDestroy(compressor);
      throw std::runtime_error("jpeg");
    }
    std::string out(reinterpret_cast<const char*>(jpeg), size);
    tjFree(jpeg);
    tjDestroy(compressor);
    return out;
  }
  cairo_surface_t* out_surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, frame_w, frame_h);
  const int out_stride = cairo_image_surface_get_stride(out_surface);
  unsigned char* out_data = cairo_image_surface_get_data(out_surface);
  for (int y = 0; y < frame_h; ++y) {
    for (int x = 0; x < frame_w; ++x) {
      const std::uint32_t v = pixels[static_cast<std::size_t>(y) * frame_w + x];
      *reinterpret_cast<std::uint32_t*>(out_data + y * out_stride + x * 4) =
          (v << 16) | (v << 8) | v;
    }
  }
  cairo_surface_mark_dirty(out_surface);
  std::string out;
  cairo_surface_write_to_png_stream(out_surface, detail::write_to, &out);
  cairo_surface_destroy(out_surface);
  return out;
}

}  // namespace clueline::qr::testing
