// The supervisor sign-in routes: POST /api/v1/auth/challenge, /login,
// /logout and GET /api/v1/auth/me. Each handler parses the request, calls
// one function of services/auth.hpp and serialises its answer.
//
// A session travels as `Authorization: Bearer <token>` (the command line) or
// as the cookie `__Host-clueline_session` (browsers: HttpOnly, Secure,
// SameSite=Strict). A state-changing request that carries the cookie must
// also carry `Origin` equal to this server's origin and the header
// `X-Clueline-CSRF: 1`, which a cross-site form cannot send.
#pragma once

#include <optional>
#include <variant>

#include "clueline/services/auth.hpp"
#include "router.hpp"

namespace clueline::server {

inline constexpr std::string_view kSessionCookie = "__Host-clueline_session";
inline constexpr std::string_view kCsrfHeader = "X-Clueline-CSRF";

// The session of a request and how it came.
struct RequestSession {
  services::SessionToken token{};
  bool from_cookie = false;
};
// The bearer token, or else the session cookie; nothing if neither is a
// well-formed 32-byte base64url token.
std::optional<RequestSession> request_session(const Request& request);

// Null when the request may change state; otherwise the 403 answer. Bearer
// requests and safe methods pass; a cookie request needs the same Origin and
// the CSRF header.
std::optional<Response> cross_site_refusal(const Request& request, const RequestSession& session);

// The actor of a request that needs a session, or the answer refusing it:
// 401 without a valid session, 403 for a cookie request that changes state
// without the same-origin proof.
std::variant<services::Actor, Response> signed_in_actor(const Request& request,
                                                        services::AuthContext& context);

// `context` is not owned and must outlive the router.
void add_auth_routes(Router& router, services::AuthContext* context);

}  // namespace clueline::server
