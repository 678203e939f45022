#include "responses.hpp"

#include <boost/json/serialize.hpp>

namespace clueline::server {

http::status http_status(errc e) noexcept {
  switch (e) {
    case errc::invalid_argument:
      return http::status::bad_request;
    case errc::malformed_json:
      return http::status::bad_request;
    case errc::not_found:
      return http::status::not_found;
    case errc::method_not_allowed:
      return http::status::method_not_allowed;
    case errc::conflict:
      return http::status::conflict;
    case errc::gone:
      return http::status::gone;
    case errc::authentication_failed:
      return http::status::forbidden;
    case errc::payload_too_large:
      return http::status::payload_too_large;
    case errc::header_too_large:
      return http::status::request_header_fields_too_large;
    case errc::unsupported_media_type:
      return http::status::unsupported_media_type;
    case errc::rate_limited:
      return http::status::too_many_requests;
    case errc::request_timeout:
      return http::status::request_timeout;
    case errc::storage_io:
      return http::status::service_unavailable;
    case errc::storage_corruption:
      return http::status::internal_server_error;
    case errc::storage_no_space:
      return http::status::service_unavailable;
    case errc::unavailable:
      return http::status::service_unavailable;
    case errc::internal:
      return http::status::internal_server_error;
    case errc::unauthenticated:
      return http::status::unauthorized;
    case errc::forbidden:
      return http::status::forbidden;
  }
  return http::status::internal_server_error;
}

Response json_response(const Request& request, http::status status,
                       const boost::json::value& body) {
  Response response{status, request.version()};
  response.set(http::field::content_type, "application/json");
  response.body() = boost::json::serialize(body);
  response.keep_alive(request.keep_alive());
  return response;
}

Response error_response(const Request& request, errc e, std::string_view message) {
  boost::json::object error;
  error["code"] = error_name(e);
  error["message"] = message;
  return json_response(request, http_status(e), boost::json::object{{"error", std::move(error)}});
}

Response refusal_response(const Request& request, const services::Refusal& refusal) {
  Response response = error_response(request, refusal.code, refusal.message);
  if (refusal.retry_after_seconds != 0) {
    response.set(http::field::retry_after, std::to_string(refusal.retry_after_seconds));
  }
  return response;
}

void finalize_response(Response& response, Transport transport) {
  // Pages load scripts and styles from this origin only, never inline, so an
  // injected <script> cannot run and no third party learns who reads a page.
  // 'wasm-unsafe-eval' lets libsodium and Argon2id compile their WebAssembly
  // (it allows no eval of text); blob: images are previews of chosen photos.
  response.set("Content-Security-Policy",
               "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
               "img-src 'self' data: blob:; connect-src 'self'; worker-src 'self'; "
               "form-action 'self'; base-uri 'none'; frame-ancestors 'none'");
  response.set(http::field::x_frame_options, "DENY");
  response.set("X-Content-Type-Options", "nosniff");
  response.set("Referrer-Policy", "no-referrer");
  response.set("Cross-Origin-Opener-Policy", "same-origin");
  response.set("Cross-Origin-Resource-Policy", "same-origin");
  response.set("Permissions-Policy",
               "camera=(), microphone=(), geolocation=(), interest-cohort=()");
  if (transport == Transport::kTls) {
    response.set(http::field::strict_transport_security, "max-age=63072000; includeSubDomains");
  }
  if (response.find(http::field::cache_control) == response.end()) {
    response.set(http::field::cache_control, "no-store");
  }
  response.prepare_payload();
}

}  // namespace clueline::server
