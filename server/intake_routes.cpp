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
#include "bearer.hpp"
#include "clue_routes.hpp"
#include "clueline/crypto/bytes.hpp"
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

json::object pow_json(const services::ChallengeBook::Issued& issued) {
  return {{"challenge", b64(issued.challenge)},
          {"difficulty", issued.difficulty},
          {"expires_at", services::format_time(issued.expires_at)}};
}

json::object route_json(const services::RouteOffer& offer) {
  json::array recipients{recipient_json(*offer.route.unit, "handling")};
  for (const storage::Unit* overseer : offer.route.overseers) {
    recipients.push_back(recipient_json(*overseer, "oversight"));
  }
  json::object answer;
  answer["deployment_key"] = b64(offer.deployment_key);
  answer["recipients"] = std::move(recipients);
  answer["pow"] = pow_json(offer.challenge);
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

Response no_session(const Request& request) {
  return error_response(request, errc::not_found, "unknown or expired session");
}

// Before the body of a message or attachment part is read: without an open
// session the request gets its 404 at the cost of a digest and a map
// lookup, and the connection closes instead of taking up to a MiB.
std::optional<Response> require_session(const services::CitizenContext* context, Request& head) {
  auto token = peek_bearer(head);
  const bool open = token && services::followup_session_open(*context, *token);
  if (token) crypto::wipe(*token);
  if (open) return std::nullopt;  // the handler takes the header
  // A refused request's header is wiped here: no handler will.
  if (auto taken = take_bearer(head)) crypto::wipe(*taken);
  return no_session(head);
}

// The session token of a follow-up request, wiped from the request; the
// handler wipes its copy when done.
struct SessionToken {
  std::optional<services::FollowupToken> token;
  explicit SessionToken(Request& request) : token(take_bearer(request)) {}
  ~SessionToken() {
    if (token) crypto::wipe(*token);
  }
  SessionToken(const SessionToken&) = delete;
  SessionToken& operator=(const SessionToken&) = delete;
};

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

// GET /api/v1/followup/challenge
asio::awaitable<Response> serve_followup_challenge(const services::CitizenContext* context,
                                                   Request request) {
  const auto issued = services::followup_challenge(*context->intake, services::SystemClock::now());
  co_return json_response(request, http::status::ok, json::object{{"pow", pow_json(issued)}});
}

// `text` as exactly N bytes of base64url, or nothing.
template <std::size_t N>
std::optional<std::array<std::byte, N>> fixed_bytes(const json::value* text) {
  if (text == nullptr || !text->is_string()) return std::nullopt;
  auto decoded = crypto::from_base64url(text->get_string());
  if (!decoded || decoded->size() != N) return std::nullopt;
  std::array<std::byte, N> bytes;
  std::memcpy(bytes.data(), decoded->data(), N);
  return bytes;
}

// A decoded lookup key, wiped when its holder goes.
struct WipedKey {
  std::vector<std::byte> bytes;
  bool decoded = false;  // the text was base64url
  ~WipedKey() { crypto::wipe(bytes); }
};

asio::awaitable<Response> open_followup_session(const services::CitizenContext* context,
                                                Request request) {
  boost::system::error_code ec;
  const json::value parsed = json::parse(request.body(), ec);
  crypto::wipe(std::as_writable_bytes(std::span(request.body())));
  const json::object* object = ec ? nullptr : parsed.if_object();
  const json::value* lookup = object ? object->if_contains("lookup_key") : nullptr;
  // The key is decoded and its text wiped first, so that no early answer
  // leaves it in freed memory (json::value frees without clearing).
  WipedKey key;
  if (lookup != nullptr && lookup->is_string()) {
    const json::string& key_text = lookup->get_string();
    if (auto decoded = crypto::from_base64url(key_text)) key.bytes = std::move(*decoded);
    key.decoded = key.bytes.size() > 0 || key_text.empty();
    crypto::wipe(
        std::as_writable_bytes(std::span(const_cast<char*>(key_text.data()), key_text.size())));
  }
  const json::value* pow = object ? object->if_contains("pow") : nullptr;
  const json::object* pow_object = pow ? pow->if_object() : nullptr;
  if (lookup == nullptr || !lookup->is_string() || pow_object == nullptr || object->size() != 2) {
    co_return error_response(
        request, errc::malformed_json,
        R"(expected {"lookup_key": "...", "pow": {"challenge": "...", "nonce": "..."}})");
  }
  const auto challenge = fixed_bytes<32>(pow_object->if_contains("challenge"));
  const auto nonce = fixed_bytes<8>(pow_object->if_contains("nonce"));
  if (!challenge || !nonce || pow_object->size() != 2) {
    co_return error_response(
        request, errc::invalid_argument,
        "pow must hold a challenge (32 bytes) and a nonce (8 bytes), both base64url");
  }
  if (!key.decoded) {
    co_return error_response(request, errc::invalid_argument, "lookup_key must be base64url");
  }
  // A named local: g++ 12 destroys a braced temporary inside co_await twice.
  services::SessionRequest session_request{
      .lookup_key = std::move(key.bytes), .challenge = *challenge, .nonce = *nonce};
  auto session = co_await services::open_followup_session(*context, std::move(session_request));
  if (!session) co_return refusal_response(request, session.error());
  co_return json_response(request, http::status::created,
                          json::object{{"session", b64(session->token)},
                                       {"expires_at", services::format_time(session->expires_at)}});
}

asio::awaitable<Response> serve_followup(const services::CitizenContext* context, Request request) {
  const SessionToken session(request);
  if (!session.token) co_return no_session(request);
  auto view = co_await services::read_followup(*context, *session.token);
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
  const SessionToken session(request);
  if (!session.token) co_return no_session(request);
  if (!is_octet_stream(request)) {
    co_return error_response(request, errc::unsupported_media_type,
                             "send the sealed message as application/octet-stream");
  }
  auto answer =
      co_await services::post_followup_message(*context, *session.token, std::move(request.body()));
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
  const SessionToken session(request);
  if (!session.token) co_return no_session(request);
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
  auto stored = co_await services::put_attachment_part(*context, *session.token, std::move(part));
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

HeadCheck session_required(const services::CitizenContext* context) {
  return std::bind_front(&require_session, context);
}

}  // namespace

void add_intake_routes(Router& router, const services::CitizenContext* context) {
  constexpr std::size_t kSmallJson = 4096;
  router.add({.method = http::verb::get,
              .path = "/s/",
              .is_prefix = true,
              .name = "site_page",
              .handler = bind_context<&serve_site_page>(context),
              .citizen = true});
  router.add({.method = http::verb::get,
              .path = "/api/v1/sites/",
              .is_prefix = true,
              .name = "site_info",
              .handler = bind_context<&serve_site_info>(context),
              .citizen = true});
  router.add({.method = http::verb::get,
              .path = "/api/v1/route",
              .name = "route",
              .handler = bind_context<&serve_route>(context),
              .citizen = true});
  router.add({.method = http::verb::post,
              .path = "/api/v1/reports",
              .name = "reports",
              .body_limit = crypto::kMaxEnvelopeBytes,
              .handler = bind_context<&submit_report>(context),
              .citizen = true});
  router.add({.method = http::verb::get,
              .path = "/api/v1/followup/challenge",
              .name = "followup_challenge",
              .handler = bind_context<&serve_followup_challenge>(context),
              .citizen = true});
  router.add({.method = http::verb::post,
              .path = "/api/v1/followup/session",
              .name = "followup_session",
              .body_limit = kSmallJson,
              .handler = bind_context<&open_followup_session>(context),
              .citizen = true});
  router.add({.method = http::verb::get,
              .path = "/api/v1/followup",
              .name = "followup",
              .handler = bind_context<&serve_followup>(context),
              .citizen = true});
  router.add({.method = http::verb::post,
              .path = "/api/v1/followup/messages",
              .name = "followup_messages",
              .body_limit = crypto::kMaxPayloadBytes,
              .handler = bind_context<&post_followup_message>(context),
              .check_head = session_required(context),
              .citizen = true});
  router.add({.method = http::verb::put,
              .path = "/api/v1/followup/attachments/",
              .is_prefix = true,
              .name = "attachments",
              .body_limit = services::kMaxAttachmentPartBytes,
              .handler = bind_context<&put_attachment_part>(context),
              .check_head = session_required(context),
              .citizen = true});
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
