#include "responses.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace clueline::server {
namespace {

TEST(HttpStatus, EveryErrorMapsToA4xxOr5xx) {
  for (int value = static_cast<int>(errc::invalid_argument);
       value <= static_cast<int>(errc::forbidden); ++value) {
    const auto status = static_cast<unsigned>(http_status(static_cast<errc>(value)));
    EXPECT_GE(status, 400u) << error_name(static_cast<errc>(value));
    EXPECT_LT(status, 600u);
    EXPECT_NE(error_name(static_cast<errc>(value)), "unknown");
  }
}

TEST(HttpStatus, ClientErrorsAre4xx) {
  EXPECT_EQ(http_status(errc::invalid_argument), http::status::bad_request);
  EXPECT_EQ(http_status(errc::malformed_json), http::status::bad_request);
  EXPECT_EQ(http_status(errc::not_found), http::status::not_found);
  EXPECT_EQ(http_status(errc::gone), http::status::gone);
  EXPECT_EQ(http_status(errc::conflict), http::status::conflict);
  EXPECT_EQ(http_status(errc::payload_too_large), http::status::payload_too_large);
  EXPECT_EQ(http_status(errc::rate_limited), http::status::too_many_requests);
  EXPECT_EQ(http_status(errc::internal), http::status::internal_server_error);
}

TEST(ErrorResponse, HasTheDocumentedJsonShape) {
  Request request{http::verb::get, "/", 11};
  const Response response = error_response(request, errc::gone, "this poster was revoked");
  EXPECT_EQ(response.result(), http::status::gone);
  EXPECT_EQ(response[http::field::content_type], "application/json");
  const auto body = boost::json::parse(response.body());
  EXPECT_EQ(body.at("error").at("code"), "gone");
  EXPECT_EQ(body.at("error").at("message"), "this poster was revoked");
}

TEST(FinalizeResponse, AddsSecurityHeadersAndNoStore) {
  Response response{http::status::ok, 11};
  response.body() = "hello";
  finalize_response(response, Transport::kTls);
  EXPECT_FALSE(response["Content-Security-Policy"].empty());
  EXPECT_EQ(response["Referrer-Policy"], "no-referrer");
  EXPECT_EQ(response["X-Content-Type-Options"], "nosniff");
  EXPECT_EQ(response[http::field::x_frame_options], "DENY");
  EXPECT_FALSE(response[http::field::strict_transport_security].empty());
  EXPECT_EQ(response[http::field::cache_control], "no-store");
  EXPECT_EQ(response[http::field::content_length], "5");
}

TEST(FinalizeResponse, KeepsAHandlersCacheControlAndSkipsHstsOnPlainHttp) {
  Response response{http::status::ok, 11};
  response.set(http::field::cache_control, "public, max-age=60");
  finalize_response(response, Transport::kPlain);
  EXPECT_EQ(response[http::field::cache_control], "public, max-age=60");
  EXPECT_EQ(response.find(http::field::strict_transport_security), response.end());
}

}  // namespace
}  // namespace clueline::server
