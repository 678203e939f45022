// The static files under web/, embedded into the binary at build time so
// that a deployment is one file and pages never load third-party resources.
#pragma once

#include <optional>
#include <string_view>

namespace clueline::web {

struct Asset {
  std::string_view path;          // URL path, e.g. "/static/style.css"
  std::string_view content_type;  // e.g. "text/css; charset=utf-8"
  std::string_view content;       // the file's bytes; static storage
};

// The asset served at `path`, or nullopt. "/" is the landing page.
std::optional<Asset> find_asset(std::string_view path) noexcept;

}  // namespace clueline::web
