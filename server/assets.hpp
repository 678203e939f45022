// Responses for the embedded web assets (clueline/web/assets.hpp): the
// pre-compressed form the client accepts, and caching by kind of asset.
#pragma once

#include <string_view>

#include "clueline/web/assets.hpp"
#include "http_types.hpp"

namespace clueline::server {

enum class ContentCoding { kIdentity, kGzip, kBrotli };

// The coding to send for an Accept-Encoding header value (RFC 9110 §12.5.3),
// among those available: brotli before gzip before identity, skipping any
// the header gives q=0 or does not name (a "*" names every coding). An empty
// or absent header gets identity. Identity is always possible: a client that
// refuses it ("identity;q=0") and accepts nothing available still gets the
// plain bytes, which every HTTP client can read.
//
// Pure; never fails; tolerates malformed parts by ignoring them.
ContentCoding choose_content_coding(std::string_view accept_encoding, bool gzip_available,
                                    bool brotli_available) noexcept;

// `asset` as a response with `status`: Content-Type, Content-Encoding (per
// the request's Accept-Encoding), Vary: Accept-Encoding, and for immutable
// assets a year of public caching (pages keep finalize_response's no-store).
Response asset_response(const Request& request, const web::Asset& asset,
                        http::status status = http::status::ok);

}  // namespace clueline::server
