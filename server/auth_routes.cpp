#include "auth_routes.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <cstring>
#include <functional>
#include <string>

#include "clueline/crypto/encoding.hpp"
#include "clueline/services/intake.hpp"
#include "clueline/services/registry_json.hpp"
#include "responses.hpp"

namespace clueline::server {
namespace {

namespace json = boost::json;
using services::Refusal;

std::string b64(std::span<const std::byte> bytes) { return crypto::to_base64url(bytes); }

std::optional<services::SessionToken> token_from(std::string_view text) {
  auto decoded = crypto::from_base64url(text);
  if (!decoded || decoded->size() != 32) return std::nullopt;
  services::SessionToken token;
  std::memcpy(token.data(), decoded->data(), token.size());
  return token;
}

// The value of cookie `name` in a Cookie header, or empty.
std::string_view cookie_value(std::string_view header, std::string_view name) {
  while (!header.empty()) {
    const std::size_t end = header.find(';');
    std::string_view pair = header.substr(0, end);
    header = end == std::string_view::npos ? std::string_view{} : header.substr(end + 1);
    while (!pair.empty() && pair.front() == ' ') pair.remove_prefix(1);
    if (pair.size() > name.size() && pair.substr(0, name.size()) == name &&
        pair[name.size()] == '=') {
      return pair.substr(name.size() + 1);
    }
  }
  return {};
}

// A JSON object body, or nothing.
std::optional<json::object> json_body(const Request& request) {
  boost::system::error_code ec;
  json::value parsed = json::parse(request.body(), ec);
  if (ec || !parsed.is_object()) return std::nullopt;
  return std::move(parsed.get_object());
}

std::optional<std::string> string_member(const json::object& object, std::string_view name) {
  const json::value* value = object.if_contains(name);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return std::string(value->get_string());
}

std::string session_cookie(const services::SessionToken& token, std::int64_t max_age_seconds) {
  return std::string(kSessionCookie) + "=" + b64(token) +
         "; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=" + std::to_string(max_age_seconds);
}

std::string cleared_cookie() {
  return std::string(kSessionCookie) + "=; Path=/; Secure; HttpOnly; SameSite=Strict; Max-Age=0";
}

// The login page is served by this origin, so a browser's sign-in comes
// with this Origin; another origin's page must not sign a browser in
// (login CSRF). Clients that send no Origin (the command line) pass.
bool same_origin_or_none(const Request& request) {
  const std::string_view origin = request[http::field::origin];
  if (origin.empty()) return true;
  return origin == "https://" + std::string(request[http::field::host]);
}

// ---- POST /api/v1/auth/challenge ------------------------------------------------

asio::awaitable<Response> serve_challenge(services::AuthContext* context, Request request) {
  const auto body = json_body(request);
  const auto name = body ? string_member(*body, "account") : std::nullopt;
  if (!name || body->size() != 1) {
    co_return error_response(request, errc::malformed_json, "expected {\"account\": \"NAME\"}");
  }
  auto challenge = co_await services::issue_login_challenge(*context, *name);
  if (!challenge) co_return refusal_response(request, challenge.error());
  json::object answer{{"challenge", b64(challenge->challenge)},
                      {"expires_at", services::format_time(challenge->expires_at)},
                      {"salt", b64(challenge->salt)},
                      {"kdf", json::object{{"algorithm", "argon2id13"},
                                           {"opslimit", challenge->kdf_opslimit},
                                           {"memlimit", challenge->kdf_memlimit}}}};
  co_return json_response(request, http::status::ok, answer);
}

// ---- POST /api/v1/auth/login ----------------------------------------------------

asio::awaitable<Response> serve_login(services::AuthContext* context, Request request) {
  if (!same_origin_or_none(request)) {
    co_return error_response(request, errc::forbidden, "cross-site sign-in refused");
  }
  const auto body = json_body(request);
  const auto name = body ? string_member(*body, "account") : std::nullopt;
  const auto challenge_text = body ? string_member(*body, "challenge") : std::nullopt;
  const auto proof_text = body ? string_member(*body, "proof") : std::nullopt;
  if (!name || !challenge_text || !proof_text) {
    co_return error_response(request, errc::malformed_json,
                             "expected {\"account\", \"challenge\", \"proof\"[, \"totp\"][, "
                             "\"client\": \"cli\"]}");
  }
  for (const auto& member : *body) {
    const std::string_view key = member.key();
    if (key != "account" && key != "challenge" && key != "proof" && key != "totp" &&
        key != "client") {
      co_return error_response(request, errc::malformed_json,
                               "unknown member; accepted: account, challenge, proof, totp, client");
    }
  }
  const auto challenge = crypto::from_base64url(*challenge_text);
  const auto proof = crypto::from_base64url(*proof_text);
  if (!challenge || challenge->size() != 32 || !proof || proof->size() != 64) {
    co_return error_response(request, errc::invalid_argument,
                             "challenge must be 32 bytes and proof 64 bytes of base64url");
  }
  const std::string client = string_member(*body, "client").value_or("browser");
  if (client != "browser" && client != "cli") {
    co_return error_response(request, errc::invalid_argument, "client must be browser or cli");
  }
  services::LoginAttempt attempt{.login_name = *name,
                                 .challenge = {},
                                 .proof = *proof,
                                 .totp = string_member(*body, "totp").value_or("")};
  std::memcpy(attempt.challenge.data(), challenge->data(), attempt.challenge.size());
  auto logged_in = co_await services::login(*context, std::move(attempt));
  if (!logged_in) co_return refusal_response(request, logged_in.error());
  json::object answer{{"account", services::account_json(logged_in->account)},
                      {"expires_at", services::format_time(logged_in->session.expires_at)}};
  // A browser's token goes only into the HttpOnly cookie, out of reach of
  // the page's scripts; the command line keeps it in a 0600 file.
  if (client == "cli") answer["session"] = b64(logged_in->session.token);
  Response response = json_response(request, http::status::created, answer);
  if (client == "browser") {
    response.set(
        http::field::set_cookie,
        session_cookie(logged_in->session.token, std::chrono::duration_cast<std::chrono::seconds>(
                                                     context->settings.session_absolute)
                                                     .count()));
  }
  co_return response;
}

// ---- POST /api/v1/auth/logout ---------------------------------------------------

asio::awaitable<Response> serve_logout(services::AuthContext* context, Request request) {
  const auto session = request_session(request);
  if (!session) co_return error_response(request, errc::unauthenticated, "not signed in");
  if (auto refused = cross_site_refusal(request, *session)) co_return *refused;
  services::logout(*context, session->token);
  Response response = json_response(request, http::status::ok, json::object{{"signed_out", true}});
  if (session->from_cookie) response.set(http::field::set_cookie, cleared_cookie());
  co_return response;
}

// ---- GET /api/v1/auth/me --------------------------------------------------------

asio::awaitable<Response> serve_me(services::AuthContext* context, Request request) {
  const auto session = request_session(request);
  if (!session) co_return error_response(request, errc::unauthenticated, "not signed in");
  auto actor = services::authenticate(*context, session->token);
  if (!actor) co_return refusal_response(request, actor.error());
  if (auto refused =
          services::check_authorized(*context, *actor, services::Action::kViewOwnAccount, {})) {
    co_return refusal_response(request, *refused);
  }
  auto account = co_await services::own_account(*context, *actor);
  if (!account) co_return refusal_response(request, account.error());
  // The account's own keys travel to it: the CLK1 blobs only its
  // passphrase opens, and the grants only its box key opens.
  json::array wrapped;
  for (const storage::WrappedUnitKey& key : account->wrapped_keys) {
    wrapped.push_back(
        json::object{{"key_id", b64(key.key_id)}, {"blob", b64(crypto::as_bytes(key.blob))}});
  }
  json::array grants;
  for (const storage::UnitKeyGrant& grant : account->pending_grants) {
    grants.push_back(json::object{{"key_id", b64(grant.key_id)},
                                  {"grant", b64(crypto::as_bytes(grant.grant))},
                                  {"granted_by", grant.granted_by}});
  }
  json::object body = services::account_json(*account);
  body["salt"] = b64(account->salt);
  body["kdf"] = json::object{{"algorithm", "argon2id13"},
                             {"opslimit", account->kdf_opslimit},
                             {"memlimit", account->kdf_memlimit}};
  body["wrapped_unit_keys"] = std::move(wrapped);
  body["pending_grants"] = std::move(grants);
  co_return json_response(request, http::status::ok, json::object{{"account", std::move(body)}});
}

template <auto Function>
Handler bind_context(services::AuthContext* context) {
  return std::bind_front(Function, context);
}

}  // namespace

std::optional<RequestSession> request_session(const Request& request) {
  const std::string_view authorization = request[http::field::authorization];
  constexpr std::string_view kScheme = "Bearer ";
  if (!authorization.empty()) {
    if (authorization.substr(0, kScheme.size()) != kScheme) return std::nullopt;
    auto token = token_from(authorization.substr(kScheme.size()));
    if (!token) return std::nullopt;
    return RequestSession{*token, false};
  }
  const std::string_view cookie = cookie_value(request[http::field::cookie], kSessionCookie);
  if (cookie.empty()) return std::nullopt;
  auto token = token_from(cookie);
  if (!token) return std::nullopt;
  return RequestSession{*token, true};
}

std::optional<Response> cross_site_refusal(const Request& request, const RequestSession& session) {
  const auto method = request.method();
  if (!session.from_cookie || method == http::verb::get || method == http::verb::head) {
    return std::nullopt;
  }
  const std::string_view origin = request[http::field::origin];
  const bool same_origin =
      !origin.empty() && origin == "https://" + std::string(request[http::field::host]);
  if (same_origin && request[kCsrfHeader] == "1") return std::nullopt;
  return error_response(request, errc::forbidden,
                        "cross-site request refused: send Origin and X-Clueline-CSRF: 1");
}

std::variant<services::Actor, Response> signed_in_actor(const Request& request,
                                                        services::AuthContext& context) {
  const auto session = request_session(request);
  if (!session) return error_response(request, errc::unauthenticated, "not signed in");
  if (auto refused = cross_site_refusal(request, *session)) return std::move(*refused);
  auto actor = services::authenticate(context, session->token);
  if (!actor) return refusal_response(request, actor.error());
  return *actor;
}

void add_auth_routes(Router& router, services::AuthContext* context) {
  constexpr std::size_t kSmallJson = 4096;
  router.add({.method = http::verb::post,
              .path = "/api/v1/auth/challenge",
              .name = "auth_challenge",
              .body_limit = kSmallJson,
              .handler = bind_context<&serve_challenge>(context)});
  router.add({.method = http::verb::post,
              .path = "/api/v1/auth/login",
              .name = "auth_login",
              .body_limit = kSmallJson,
              .handler = bind_context<&serve_login>(context)});
  router.add({.method = http::verb::post,
              .path = "/api/v1/auth/logout",
              .name = "auth_logout",
              .handler = bind_context<&serve_logout>(context)});
  router.add({.method = http::verb::get,
              .path = "/api/v1/auth/me",
              .name = "auth_me",
              .handler = bind_context<&serve_me>(context)});
}

}  // namespace clueline::server
