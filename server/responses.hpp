// Building responses: the errc -> HTTP status table, JSON bodies, and the
// headers every response carries.
#pragma once

#include <boost/json/value.hpp>
#include <string_view>

#include "clueline/common/error.hpp"
#include "clueline/services/outcome.hpp"
#include "http_types.hpp"

namespace clueline::server {

// The single table mapping project errors to HTTP statuses.
http::status http_status(errc e) noexcept;

// {"error":{"code":"<error_name(e)>","message":message}} with http_status(e).
// `message` must be safe to show to anyone (no internals, no input echo).
Response error_response(const Request& request, errc e, std::string_view message);

// error_response for a use case's refusal, with Retry-After when it gives one.
Response refusal_response(const Request& request, const services::Refusal& refusal);

// A JSON body with the given status; content-type application/json.
Response json_response(const Request& request, http::status status, const boost::json::value& body);

// Which security headers a listener adds; HSTS only makes sense over TLS.
enum class Transport { kTls, kPlain };

// Adds the headers every response carries (CSP without inline script,
// frame denial, nosniff, no-referrer, and HSTS over TLS), a Cache-Control
// default of no-store unless the handler chose one, and Content-Length.
void finalize_response(Response& response, Transport transport);

}  // namespace clueline::server
