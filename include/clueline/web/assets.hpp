// The pages and static files under web/ and the npm modules they import,
// embedded into the binary at build time (web/build.mjs) so that a deployment
// is one file and pages never load third-party resources. Each asset is held
// as is and pre-compressed (gzip, brotli), so serving compresses nothing.
//
// Every function is noexcept, allocation-free and safe from any thread; the
// views point into static storage that lives as long as the program.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace clueline::web {

struct Asset {
  // For static files the URL path ("/static/<hash>/report/report.mjs"); for
  // pages their name ("index", "report", "followup").
  std::string_view path;
  std::string_view content_type;  // e.g. "text/css; charset=utf-8"
  // True for the files under static_root(): their URL changes whenever any
  // asset changes, so clients may cache them for as long as they like.
  // Pages are false and must not be cached.
  bool immutable = false;
  std::string_view identity;  // the bytes as served without Content-Encoding
  std::string_view gzip;      // empty when gzip would not be smaller
  std::string_view brotli;    // empty when brotli would not be smaller
};

// "/static/<hash>/": the prefix of every static file's URL; <hash> is taken
// over all assets, pages included.
std::string_view static_root() noexcept;

// The static file served at `path`, or nullopt.
std::optional<Asset> find_asset(std::string_view path) noexcept;

// The page called `name`: "index" (the landing page at "/"), "report" (the
// citizen page at /s/{token}) or "followup" (/s/{token}/followup); nullopt
// for another name or a page the build did not find.
std::optional<Asset> find_page(std::string_view name) noexcept;

// The languages the citizen pages have a catalog for (web/report/i18n/*.json),
// as BCP 47 tags in file-name order, e.g. {"en", "vi", "zh-CN"}.
std::span<const std::string_view> page_languages() noexcept;

}  // namespace clueline::web
