#include "assets.hpp"

#include <boost/algorithm/string/predicate.hpp>
#include <boost/algorithm/string/trim.hpp>
#include <charconv>
#include <string>

namespace clueline::server {
namespace {

// The q-value of one "coding;q=0.5" element, 1 when absent; -1 when malformed.
double quality_of(std::string_view parameters) {
  while (!parameters.empty()) {
    const auto semicolon = parameters.find(';');
    std::string_view parameter = parameters.substr(0, semicolon);
    parameters =
        semicolon == std::string_view::npos ? std::string_view() : parameters.substr(semicolon + 1);
    parameter = boost::algorithm::trim_copy(parameter);
    if (parameter.size() < 2 || (parameter[0] != 'q' && parameter[0] != 'Q') ||
        parameter[1] != '=') {
      continue;
    }
    double q = -1;
    const std::string_view number = parameter.substr(2);
    const auto [end, error] = std::from_chars(number.data(), number.data() + number.size(), q);
    if (error != std::errc() || end != number.data() + number.size() || q < 0 || q > 1) return -1;
    return q;
  }
  return 1;
}

struct Accepted {
  double gzip = -1;  // -1: not named
  double brotli = -1;
  double any = -1;
};

Accepted parse_accept_encoding(std::string_view header) {
  Accepted accepted;
  while (!header.empty()) {
    const auto comma = header.find(',');
    std::string_view element = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    const auto semicolon = element.find(';');
    const std::string_view coding = boost::algorithm::trim_copy(element.substr(0, semicolon));
    const double q =
        semicolon == std::string_view::npos ? 1 : quality_of(element.substr(semicolon + 1));
    if (q < 0) continue;
    if (boost::algorithm::iequals(coding, "br")) {
      accepted.brotli = q;
    } else if (boost::algorithm::iequals(coding, "gzip") ||
               boost::algorithm::iequals(coding, "x-gzip")) {
      accepted.gzip = q;
    } else if (coding == "*") {
      accepted.any = q;
    }
  }
  return accepted;
}

}  // namespace

ContentCoding choose_content_coding(std::string_view accept_encoding, bool gzip_available,
                                    bool brotli_available) noexcept {
  const Accepted accepted = parse_accept_encoding(accept_encoding);
  const double brotli = accepted.brotli >= 0 ? accepted.brotli : accepted.any;
  const double gzip = accepted.gzip >= 0 ? accepted.gzip : accepted.any;
  if (brotli_available && brotli > 0) return ContentCoding::kBrotli;
  if (gzip_available && gzip > 0) return ContentCoding::kGzip;
  return ContentCoding::kIdentity;
}

Response asset_response(const Request& request, const web::Asset& asset, http::status status) {
  Response response{status, request.version()};
  response.set(http::field::content_type, asset.content_type);
  response.set(http::field::vary, "Accept-Encoding");
  std::string_view bytes = asset.identity;
  switch (choose_content_coding(request[http::field::accept_encoding], !asset.gzip.empty(),
                                !asset.brotli.empty())) {
    case ContentCoding::kBrotli:
      response.set(http::field::content_encoding, "br");
      bytes = asset.brotli;
      break;
    case ContentCoding::kGzip:
      response.set(http::field::content_encoding, "gzip");
      bytes = asset.gzip;
      break;
    case ContentCoding::kIdentity:
      break;
  }
  response.body().assign(bytes.data(), bytes.size());
  if (asset.immutable) {
    response.set(http::field::cache_control, "public, max-age=31536000, immutable");
  }
  response.keep_alive(request.keep_alive());
  return response;
}

}  // namespace clueline::server
