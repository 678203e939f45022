#include "intake_routes.hpp"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>
#include <cstring>
#include <functional>
#include <string>

#include "admin_routes.hpp"
#include "assets.hpp"
#include "auth_routes.hpp"
#include "clue_routes.hpp"
#include "clueline/crypto/encoding.hpp"
#include "clueline/crypto/envelope.hpp"
#include "clueline/crypto/sealed_payload.hpp"
#include "handlers.hpp"
#include "json_request.hpp"
#include "responses.hpp"

namespace clueline::server {
namespace {

namespace json = boost::json;
using services::Refusal;

std::string b64(std::span<const std::byte> bytes) { return crypto::to_base64url(bytes); }

std::string time_text(storage::UnixSeconds seconds) {
  return services::format_time(services::SystemClock::time_point(std::chrono::seconds(seconds)));
}

// ---- pieces of answers -------------------------------------------------------------

json::array unit_keys_json(const storage::Unit& unit) {
  json::array keys;
  for (const storage::UnitKey& key : unit.keys) {
    if (!key.current) continue;
    keys.push_back(json::object{{"key_id", b64(key.key_id)},
                                {"public_key", b64(key.public_key)},
                                {"certificate", b64(crypto::as_bytes(key.certificate))}});
  }
  return keys;
}

json::object unit_json(const storage::Unit& unit) {
  return {{"id", unit.id}, {"name", unit.name}, {"level", unit.level}};
}

json::object unit_with_keys_json(const storage::Unit& unit) {
  json::object object = unit_json(unit);
  object["keys"] = unit_keys_json(unit);
  return object;
}

json::object recipient_json(const storage::Unit& unit, std::string_view role) {
  return {{"unit_id", unit.id},
          {"unit_name", unit.name},
          {"level", unit.level},
          {"role", role},
          {"keys", unit_keys_json(unit)}};
}

json::object route_json(const services::RouteOffer& offer) {
  json::array recipients{recipient_json(*offer.route.unit, "handling")};
  for (const storage::Unit* overseer : offer.route.overseers) {
    recipients.push_back(recipient_json(*overseer, "oversight"));
  }
  json::object answer;
  answer["deployment_key"] = b64(offer.deployment_key);
  answer["recipients"] = std::move(recipients);
  answer["pow"] = json::object{{"challenge", b64(offer.challenge.challenge)},
                               {"difficulty", offer.challenge.difficulty},
                               {"expires_at", services::format_time(offer.challenge.expires_at)}};
  answer["receipt_salt"] = b64(offer.receipt_salt);
  return answer;
}

json::array strings_json(const std::vector<std::string>& strings) {
  json::array array;
  for (const std::string& text : strings) array.emplace_back(text);
  return array;
}

// The segment after `prefix` in the request path, or empty.
std::string_view path_rest(const Request& request, std::string_view prefix) {
  std::string_view path = target_path(request.target());
  if (path.size() <= prefix.size()) return {};
  return path.substr(prefix.size());
}

// The 32 bytes of "Authorization: Bearer <base64url>", or empty.
std::optional<services::FollowupToken> bearer(const Request& request) {
  const std::string_view value = request[http::field::authorization];
  constexpr std::string_view kScheme = "Bearer ";
  if (value.substr(0, kScheme.size()) != kScheme) return std::nullopt;
  auto decoded = crypto::from_base64url(value.substr(kScheme.size()));
  if (!decoded || decoded->size() != 32) return std::nullopt;
  services::FollowupToken token;
  std::memcpy(token.data(), decoded->data(), token.size());
  return token;
}

Response no_session(const Request& request) {
  return error_response(request, errc::not_found, "unknown or expired session");
}

// ---- GET /s/{token}, GET /s/{token}/followup ------------------------------------

// The page is the same static HTML for every site: it reads the token from
// its own URL and asks the sites API, so it can tell a revoked or forged
// poster apart in the reader's language. The status still says what the
// token is, for clients that look only at it.
asio::awaitable<Response> serve_site_page(const services::CitizenContext* context,
                                          Request request) {
  std::string_view rest = path_rest(request, "/s/");
  std::string_view page_name = "report";
  constexpr std::string_view kFollowup = "/followup";
  if (rest.ends_with(kFollowup)) {
    rest.remove_suffix(kFollowup.size());
    page_name = "followup";
  }
  const auto page = web::find_page(page_name);
  if (!page) co_return error_response(request, errc::not_found, "no such page");
  const auto site = services::check_poster(*context->intake, rest);
  http::status status = http::status::ok;
  if (!site) status = http_status(site.error().code);
  co_return asset_response(request, *page, status);
}

// ---- GET /api/v1/sites/{token} ----------------------------------------------------

asio::awaitable<Response> serve_site_info(const services::CitizenContext* context,
                                          Request request) {
  auto info = services::site_info(*context->intake, path_rest(request, "/api/v1/sites/"),
                                  context->page_languages);
  if (!info) co_return refusal_response(request, info.error());
  const storage::Site& site = *info->site.site;
  json::object body{
      {"site", json::object{{"id", site.id}, {"name", site.name}, {"kind", site.kind}}},
      {"unit", unit_json(*info->site.unit)},
      {"categories", strings_json(info->categories)},
      {"accused_levels", strings_json(info->accused_levels)},
      {"languages", strings_json(info->languages)},
      {"receipt_salt", b64(info->receipt_salt)},
      {"poster_code", info->poster_code}};
  co_return json_response(request, http::status::ok, body);
}

// ---- GET /api/v1/route --------------------------------------------------------------

asio::awaitable<Response> serve_route(const services::CitizenContext* context, Request request) {
  auto target = boost::urls::parse_origin_form(request.target());
  if (!target) co_return error_response(request, errc::invalid_argument, "malformed query");
  std::string token, category, accused_level;
  for (const auto& param : target->params()) {
    if (param.key == "site") {
      token = param.value;
    } else if (param.key == "category") {
      category = param.value;
    } else if (param.key == "accused_level") {
      accused_level = param.value;
    } else {
      co_return error_response(request, errc::invalid_argument,
                               "unknown query parameter; accepted: site, category, accused_level");
    }
  }
  auto offer = services::offer_route(*context->intake, token, category, accused_level,
                                     services::SystemClock::now());
  if (!offer) co_return refusal_response(request, offer.error());
  co_return json_response(request, http::status::ok, route_json(*offer));
}

// ---- POST /api/v1/reports -----------------------------------------------------------

asio::awaitable<Response> submit_report(const services::CitizenContext* context, Request request) {
  if (!is_octet_stream(request)) {
    co_return error_response(request, errc::unsupported_media_type,
                             "send the envelope as application/octet-stream");
  }
  auto answer = co_await services::submit_report(*context, std::move(request.body()));
  if (!answer) co_return refusal_response(request, answer.error());
  if (const auto* reseal = std::get_if<services::ResealRequired>(&*answer)) {
    json::object body = {
        {"error", json::object{{"code", "conflict"},
                               {"message", "the route changed; seal to the keys given here"}}},
        {"route", route_json(reseal->route)}};
    co_return json_response(request, http::status::conflict, body);
  }
  const auto& accepted = std::get<services::ReportAccepted>(*answer);
  const storage::Clue& clue = accepted.clue;
  json::object body{{"clue_id", b64(clue.id)},
                    {"status", storage::status_name(clue.status)},
                    {"received_at", time_text(clue.received_at)},
                    {"acknowledge_by", time_text(clue.acknowledge_by)},
                    {"handle_by", time_text(clue.handle_by)}};
  if (accepted.session) {
    body["session"] = b64(accepted.session->token);
    body["session_expires_at"] = services::format_time(accepted.session->expires_at);
  }
  co_return json_response(request, http::status::created, body);
}

// ---- follow-up ----------------------------------------------------------------------

asio::awaitable<Response> open_followup_session(const services::CitizenContext* context,
                                                Request request) {
  boost::system::error_code ec;
  const json::value parsed = json::parse(request.body(), ec);
  const json::object* object = ec ? nullptr : parsed.if_object();
  const json::value* lookup = object ? object->if_contains("lookup_key") : nullptr;
  if (lookup == nullptr || !lookup->is_string() || object->size() != 1) {
    co_return error_response(request, errc::malformed_json, "expected {\"lookup_key\": \"...\"}");
  }
  auto key = crypto::from_base64url(lookup->get_string());
  if (!key)
    co_return error_response(request, errc::invalid_argument, "lookup_key must be base64url");
  auto session = co_await services::open_followup_session(*context, std::move(*key));
  if (!session) co_return refusal_response(request, session.error());
  co_return json_response(request, http::status::created,
                          json::object{{"session", b64(session->token)},
                                       {"expires_at", services::format_time(session->expires_at)}});
}

asio::awaitable<Response> serve_followup(const services::CitizenContext* context, Request request) {
  const auto token = bearer(request);
  if (!token) co_return no_session(request);
  auto view = co_await services::read_followup(*context, *token);
  if (!view) co_return refusal_response(request, view.error());
  const storage::Clue& clue = view->clue;
  json::object body{{"clue_id", b64(clue.id)},
                    {"status", storage::status_name(clue.status)},
                    {"received_at", time_text(clue.received_at)},
                    {"deadlines", json::object{{"acknowledge_by", time_text(clue.acknowledge_by)},
                                               {"handle_by", time_text(clue.handle_by)}}}};
  if (view->unit) body["unit"] = unit_with_keys_json(*view->unit);
  body["deployment_key"] = b64(view->deployment_key);
  body["outcome"] = clue.outcome.empty() ? json::value(nullptr) : json::value(clue.outcome);
  json::array history;
  for (const services::FollowupStep& step : view->history) {
    history.push_back(
        json::object{{"at", time_text(step.at)}, {"event", step.code}, {"text", step.text}});
  }
  body["history"] = std::move(history);
  json::array replies;
  for (const services::SealedNoteView& note : view->replies) {
    replies.push_back(json::object{{"seq", note.seq},
                                   {"sent_at", time_text(note.sent_at)},
                                   {"payload", b64(crypto::as_bytes(note.payload))}});
  }
  body["replies"] = std::move(replies);
  json::array messages;
  for (const services::SealedNoteView& note : view->messages) {
    messages.push_back(json::object{{"seq", note.seq}, {"sent_at", time_text(note.sent_at)}});
  }
  body["messages"] = std::move(messages);
  json::array attachments;
  for (const storage::AttachmentState& attachment : clue.attachments) {
    attachments.push_back(json::object{
        {"n", attachment.index}, {"bytes", attachment.bytes}, {"complete", attachment.complete}});
  }
  body["attachments"] = std::move(attachments);
  co_return json_response(request, http::status::ok, body);
}

asio::awaitable<Response> post_followup_message(const services::CitizenContext* context,
                                                Request request) {
  const auto token = bearer(request);
  if (!token) co_return no_session(request);
  if (!is_octet_stream(request)) {
    co_return error_response(request, errc::unsupported_media_type,
                             "send the sealed message as application/octet-stream");
  }
  auto answer =
      co_await services::post_followup_message(*context, *token, std::move(request.body()));
  if (!answer) co_return refusal_response(request, answer.error());
  if (const auto* reseal = std::get_if<services::ResealToUnit>(&*answer)) {
    json::object body = {
        {"error", json::object{{"code", "conflict"},
                               {"message", "seal the message to the unit keys given here"}}},
        {"unit", unit_with_keys_json(reseal->unit)},
        {"deployment_key", b64(reseal->deployment_key)}};
    co_return json_response(request, http::status::conflict, body);
  }
  const auto& stored = std::get<services::MessageStored>(*answer);
  co_return json_response(
      request, http::status::created,
      json::object{{"seq", stored.seq}, {"sent_at", time_text(stored.sent_at)}});
}

// A decimal of at most 6 digits.
std::optional<std::uint32_t> small_number(std::string_view text) {
  return text.size() > 6 ? std::nullopt : decimal_number(text, 999999);
}

// PUT /api/v1/followup/attachments/{n}/{part}[?final=1]
asio::awaitable<Response> put_attachment_part(const services::CitizenContext* context,
                                              Request request) {
  const auto token = bearer(request);
  if (!token) co_return no_session(request);
  if (!is_octet_stream(request)) {
    co_return error_response(request, errc::unsupported_media_type,
                             "send attachment parts as application/octet-stream");
  }
  auto target = boost::urls::parse_origin_form(request.target());
  if (!target) co_return error_response(request, errc::invalid_argument, "malformed path");
  std::vector<std::string> segments(target->segments().begin(), target->segments().end());
  services::AttachmentPart part;
  for (const auto& param : target->params()) {
    if (param.key == "final" && param.value == "1") {
      part.final_part = true;
    } else {
      co_return error_response(request, errc::invalid_argument,
                               "unknown query parameter; accepted: final=1");
    }
  }
  // segments: api v1 followup attachments {n} {part}
  const auto index = segments.size() == 6 ? small_number(segments[4]) : std::nullopt;
  const auto number = segments.size() == 6 ? small_number(segments[5]) : std::nullopt;
  if (!index || !number) co_return error_response(request, errc::not_found, "no such resource");
  part.index = *index;
  part.part = *number;
  part.bytes = std::move(request.body());
  auto stored = co_await services::put_attachment_part(*context, *token, std::move(part));
  if (!stored) co_return refusal_response(request, stored.error());
  co_return json_response(request, http::status::created,
                          json::object{{"attachment", stored->index},
                                       {"part", stored->part},
                                       {"bytes", stored->total_bytes},
                                       {"complete", stored->complete}});
}

template <auto Function>
Handler bind_context(const services::CitizenContext* context) {
  return std::bind_front(Function, context);
}

}  // namespace

void add_intake_routes(Router& router, const services::CitizenContext* context) {
  constexpr std::size_t kSmallJson = 4096;
  router.add({.method = http::verb::get,
              .path = "/s/",
              .is_prefix = true,
              .name = "site_page",
              .handler = bind_context<&serve_site_page>(context)});
  router.add({.method = http::verb::get,
              .path = "/api/v1/sites/",
              .is_prefix = true,
              .name = "site_info",
              .handler = bind_context<&serve_site_info>(context)});
  router.add({.method = http::verb::get,
              .path = "/api/v1/route",
              .name = "route",
              .handler = bind_context<&serve_route>(context)});
  router.add({.method = http::verb::post,
              .path = "/api/v1/reports",
              .name = "reports",
              .body_limit = crypto::kMaxEnvelopeBytes,
              .handler = bind_context<&submit_report>(context)});
  router.add({.method = http::verb::post,
              .path = "/api/v1/followup/session",
              .name = "followup_session",
              .body_limit = kSmallJson,
              .handler = bind_context<&open_followup_session>(context)});
  router.add({.method = http::verb::get,
              .path = "/api/v1/followup",
              .name = "followup",
              .handler = bind_context<&serve_followup>(context)});
  router.add({.method = http::verb::post,
              .path = "/api/v1/followup/messages",
              .name = "followup_messages",
              .body_limit = crypto::kMaxPayloadBytes,
              .handler = bind_context<&post_followup_message>(context)});
  router.add({.method = http::verb::put,
              .path = "/api/v1/followup/attachments/",
              .is_prefix = true,
              .name = "attachments",
              .body_limit = services::kMaxAttachmentPartBytes,
              .handler = bind_context<&put_attachment_part>(context)});
}

void add_public_listener_routes(Router& router, const services::CitizenContext* citizen,
                                services::AuthContext* auth, services::AdminContext* admin,
                                services::ClueWorkContext* clue_work) {
  add_public_routes(router);
  add_intake_routes(router, citizen);
  add_auth_routes(router, auth);
  add_admin_routes(router, admin);
  add_clue_routes(router, clue_work);
}

}  // namespace clueline::server
