#include "clue_routes.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/url/parse.hpp>
#include <functional>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "auth_routes.hpp"
#include "clueline/common/utc_time.hpp"
#include "clueline/crypto/encoding.hpp"
#include "clueline/crypto/sealed_payload.hpp"
#include "clueline/services/clue_json.hpp"
#include "clueline/services/clue_stats.hpp"
#include "clueline/services/posters.hpp"
#include "clueline/services/registry_json.hpp"
#include "json_request.hpp"
#include "responses.hpp"

namespace clueline::server {
namespace {

namespace json = boost::json;
using services::ClueWorkContext;

// An action with a reason and storage::kMaxKeyEntries key entries fits.
constexpr std::size_t kActionBody = 16384;

std::string b64(std::string_view bytes) { return crypto::to_base64url(crypto::as_bytes(bytes)); }

std::string_view relation_of(services::ClueAccess access) {
  return access == services::ClueAccess::kHandling ? "handling" : "escalated";
}

std::optional<storage::ClueStatus> status_named(std::string_view name) {
  for (const auto status : {storage::ClueStatus::kReceived, storage::ClueStatus::kAcknowledged,
                            storage::ClueStatus::kInvestigating, storage::ClueStatus::kClosed}) {
    if (storage::status_name(status) == name) return status;
  }
  return std::nullopt;
}

std::optional<storage::ClueId> clue_id_from(std::string_view text) {
  const auto bytes = crypto::from_base64url(text);
  if (!bytes || bytes->size() != 16) return std::nullopt;
  storage::ClueId id{};
  std::copy(bytes->begin(), bytes->end(), id.begin());
  return id;
}

// The query of GET /api/v1/queue, or the message saying what is accepted.
std::variant<services::QueueQuery, std::string> queue_query(const Request& request) {
  services::QueueQuery query;
  auto target = boost::urls::parse_origin_form(request.target());
  if (!target) return std::string("malformed target");
  const auto flag = [](std::string_view value) -> std::optional<bool> {
    if (value == "1" || value == "true") return true;
    if (value == "0" || value == "false") return false;
    return std::nullopt;
  };
  const auto number = [](std::string_view value) -> std::optional<std::uint32_t> {
    const auto parsed = decimal_number(value, UINT32_MAX);
    return parsed == 0 ? std::nullopt : parsed;
  };
  for (const auto& param : target->params()) {
    const std::string& value = param.value;
    if (param.key == "unit" && number(value)) {
      query.unit_id = *number(value);
    } else if (param.key == "status" && status_named(value)) {
      query.status = status_named(value);
    } else if (param.key == "category" && !value.empty() && value.size() <= 64) {
      query.category = value;
    } else if (param.key == "site" && number(value)) {
      query.site_id = *number(value);
    } else if (param.key == "escalated" && flag(value)) {
      query.escalated = flag(value);
    } else if (param.key == "overdue" && flag(value)) {
      query.overdue = *flag(value);
    } else if (param.key == "cursor" && value.size() <= 128) {
      query.cursor = value;
    } else if (param.key == "limit" && number(value)) {
      query.limit = *number(value);
    } else {
      return "query parameter " + std::string(param.key) +
             ": accepted are unit=ID, status=received|acknowledged|investigating|closed, "
             "category=NAME, site=ID, escalated=0|1, overdue=0|1, cursor (from next_cursor) "
             "and limit=1..200";
    }
  }
  return query;
}

// {id} and what follows it in /api/v1/clues/{id}[/REST].
struct CluePath {
  std::optional<storage::ClueId> id;
  std::string rest;
};
CluePath clue_path(const Request& request) {
  constexpr std::string_view kPrefix = "/api/v1/clues/";
  std::string_view path = target_path(request.target());
  if (!path.starts_with(kPrefix)) return {};
  path.remove_prefix(kPrefix.size());
  const std::size_t slash = path.find('/');
  CluePath parsed{.id = clue_id_from(path.substr(0, slash)), .rest = {}};
  if (slash != std::string_view::npos) parsed.rest = std::string(path.substr(slash));
  return parsed;
}

// The id of /api/v1/clues/{id}`rest`; nothing for another path.
std::optional<storage::ClueId> clue_id_before(const Request& request, std::string_view rest) {
  const CluePath path = clue_path(request);
  return path.rest == rest ? path.id : std::nullopt;
}
Response clue_path_error(const Request& request, std::string_view rest) {
  return error_response(
      request, errc::not_found,
      "expected /api/v1/clues/ID" + std::string(rest) + ", ID a clue id in base64url");
}

json::array notes_json(const std::vector<services::SealedNoteView>& notes) {
  json::array out;
  for (const services::SealedNoteView& note : notes) {
    out.push_back(json::object{
        {"seq", note.seq}, {"sent_at", utc_text(note.sent_at)}, {"payload", b64(note.payload)}});
  }
  return out;
}

asio::awaitable<Response> serve_queue(ClueWorkContext* context, Request request) {
  auto actor = signed_in_actor(request, *context->auth);
  if (auto* refused = std::get_if<Response>(&actor)) co_return std::move(*refused);
  auto query = queue_query(request);
  if (auto* problem = std::get_if<std::string>(&query)) co_return bad_request(request, *problem);
  auto page = co_await services::read_queue(*context, std::get<services::Actor>(actor),
                                            std::get<services::QueueQuery>(std::move(query)));
  if (!page) co_return refusal_response(request, page.error());
  json::array clues;
  for (const services::QueueItem& item : page->items) {
    clues.push_back(services::clue_json(item.clue, item.escalated ? "escalated" : "handling"));
  }
  co_return json_response(
      request, http::status::ok,
      json::object{{"clues", std::move(clues)},
                   {"next_cursor", page->next_cursor.empty() ? json::value(nullptr)
                                                             : json::value(page->next_cursor)}});
}

// "/attachments/N/PART" -> {N, PART}, N 0..255.
std::optional<std::pair<std::uint8_t, std::uint32_t>> attachment_of(std::string_view rest) {
  constexpr std::string_view kPrefix = "/attachments/";
  if (!rest.starts_with(kPrefix)) return std::nullopt;
  rest.remove_prefix(kPrefix.size());
  const std::size_t slash = rest.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const auto index = decimal_number(rest.substr(0, slash), 255);
  const auto part = decimal_number(rest.substr(slash + 1), UINT32_MAX);
  if (!index || !part) return std::nullopt;
  return std::pair{static_cast<std::uint8_t>(*index), *part};
}

asio::awaitable<Response> serve_attachment_part(ClueWorkContext* context, Request request,
                                                services::Actor actor, storage::ClueId id,
                                                std::uint8_t index, std::uint32_t part) {
  auto bytes = co_await services::read_attachment_part(*context, actor, id, index, part);
  if (!bytes) co_return refusal_response(request, bytes.error());
  Response response{http::status::ok, request.version()};
  response.set(http::field::content_type, "application/octet-stream");
  response.body() = std::move(*bytes);
  co_return response;
}

asio::awaitable<Response> serve_clue(ClueWorkContext* context, Request request) {
  auto actor = signed_in_actor(request, *context->auth);
  if (auto* refused = std::get_if<Response>(&actor)) co_return std::move(*refused);
  const CluePath path = clue_path(request);
  if (path.id && !path.rest.empty()) {
    const auto attachment = attachment_of(path.rest);
    if (attachment) {
      co_return co_await serve_attachment_part(context, std::move(request),
                                               std::get<services::Actor>(actor), *path.id,
                                               attachment->first, attachment->second);
    }
  }
  if (!path.id || !path.rest.empty()) {
    co_return error_response(request, errc::not_found,
                             "expected /api/v1/clues/ID or /api/v1/clues/ID/attachments/N/PART, "
                             "ID a clue id in base64url");
  }
  auto view = co_await services::open_clue(*context, std::get<services::Actor>(actor), *path.id);
  if (!view) co_return refusal_response(request, view.error());
  json::object clue = services::clue_json(view->clue, relation_of(view->access));
  clue["envelope"] = b64(view->envelope);
  // Entries added by transfers (crypto-spec §9.3): a unit whose key is not
  // among the envelope's recipients opens the clue with its entry here.
  json::array entries;
  for (const storage::KeyEntry& entry : view->clue.key_entries) {
    std::string bytes(reinterpret_cast<const char*>(entry.key_id.data()), entry.key_id.size());
    bytes.append(reinterpret_cast<const char*>(entry.sealed_key.data()), entry.sealed_key.size());
    entries.push_back(json::value(b64(bytes)));
  }
  clue["key_entries"] = std::move(entries);
  clue["reporter_messages"] = notes_json(view->messages);
  clue["unit_replies"] = notes_json(view->replies);
  clue["transfer_targets"] =
      json::array(view->transfer_targets.begin(), view->transfer_targets.end());
  co_return json_response(request, http::status::ok, json::object{{"clue", std::move(clue)}});
}

// "key_entries": [base64url of key_id[16] ‖ sealed_key[80], ...], or the
// message saying what is accepted.
std::variant<std::vector<storage::KeyEntry>, std::string> key_entries_of(const JsonRequest& body) {
  std::vector<storage::KeyEntry> entries;
  if (!body.has("key_entries")) return entries;
  const json::value& value = body.object().at("key_entries");
  constexpr std::string_view kShape =
      "key_entries must be a list of at most 32 base64url strings of 96 bytes (key id and the "
      "sealed data key)";
  if (!value.is_array() || value.get_array().size() > storage::kMaxKeyEntries) {
    return std::string(kShape);
  }
  for (const json::value& item : value.get_array()) {
    if (!item.is_string() || item.get_string().size() > 130) return std::string(kShape);
    const auto bytes = crypto::from_base64url(item.get_string());
    if (!bytes || bytes->size() != 96) return std::string(kShape);
    storage::KeyEntry entry;
    std::copy_n(bytes->begin(), entry.key_id.size(), entry.key_id.begin());
    std::copy_n(bytes->begin() + 16, entry.sealed_key.size(), entry.sealed_key.begin());
    entries.push_back(entry);
  }
  return entries;
}

// The 409 of a move whose new unit cannot open the clue yet.
Response reseal_response(const Request& request, const services::ResealForUnit& reseal) {
  json::object body = {
      {"error",
       json::object{{"code", "conflict"},
                    {"message",
                     "seal the clue's data key to the current keys of the unit given here and "
                     "send them as key_entries"}}},
      {"unit", services::unit_json(reseal.unit)},
      {"deployment_key", crypto::to_base64url(reseal.deployment_key)}};
  return json_response(request, http::status::conflict, body);
}

asio::awaitable<Response> serve_clue_action(ClueWorkContext* context, Request request) {
  auto actor = signed_in_actor(request, *context->auth);
  if (auto* refused = std::get_if<Response>(&actor)) co_return std::move(*refused);
  const auto id = clue_id_before(request, "/actions");
  if (!id) co_return clue_path_error(request, "/actions");
  auto parsed =
      body_of(request, {"action", "outcome", "duplicate_of", "to", "reason", "key_entries"});
  if (auto* refused = std::get_if<Response>(&parsed)) co_return std::move(*refused);
  const JsonRequest& body = std::get<JsonRequest>(parsed);
  const auto name = body.text("action", 32);
  auto action = name ? services::parse_clue_action(*name) : std::nullopt;
  // A reply carries sealed bytes: it has its own route.
  if (action == services::ClueAction::kReply) action.reset();
  if (!action) {
    co_return bad_request(request,
                          "action must be acknowledge, investigate, close, reopen, take_over, "
                          "link_duplicate, transfer or recuse");
  }
  services::ClueActionRequest wanted;
  wanted.action = *action;
  if (body.has("outcome")) {
    const auto outcome = body.text("outcome", 64);
    if (!outcome) co_return bad_request(request, "outcome must be a string");
    wanted.outcome = *outcome;
  }
  if (body.has("duplicate_of")) {
    const auto other = body.text("duplicate_of", 64);
    wanted.other = other ? clue_id_from(*other) : std::nullopt;
    if (!wanted.other) co_return bad_request(request, "duplicate_of must be a clue id");
  }
  if (body.has("to")) {
    const auto to = body.id("to");
    if (!to) co_return bad_request(request, "to must be a unit id");
    wanted.to_unit = *to;
  }
  if (body.has("reason")) {
    const auto reason = body.text("reason", services::kMaxReasonBytes);
    if (!reason) co_return bad_request(request, "reason must be a string of at most 500 bytes");
    wanted.reason = *reason;
  }
  auto entries = key_entries_of(body);
  if (auto* problem = std::get_if<std::string>(&entries)) co_return bad_request(request, *problem);
  wanted.key_entries = std::get<std::vector<storage::KeyEntry>>(std::move(entries));
  const bool move = wanted.action == services::ClueAction::kTransfer ||
                    wanted.action == services::ClueAction::kRecuse;
  if (wanted.action == services::ClueAction::kTransfer && wanted.to_unit == 0) {
    co_return bad_request(request, "a transfer names the unit: to");
  }
  if (!move && (wanted.to_unit != 0 || !wanted.reason.empty() || !wanted.key_entries.empty())) {
    co_return bad_request(request, "to, reason and key_entries go with transfer and recuse");
  }
  if (move && (!wanted.outcome.empty() || wanted.other)) {
    co_return bad_request(request, "outcome and duplicate_of go with close and link_duplicate");
  }
  if (wanted.action == services::ClueAction::kRecuse && wanted.to_unit != 0) {
    co_return bad_request(request, "a recusal names no unit: the routing rules choose it");
  }
  const services::Actor acting = std::get<services::Actor>(actor);
  services::Outcome<services::ClueMoveAnswer> answer =
      services::refuse(errc::internal, "internal error");
  if (move) {
    answer = co_await services::move_clue(*context, acting, *id, std::move(wanted));
  } else {
    auto acted = co_await services::act_on_clue(*context, acting, *id, std::move(wanted));
    if (acted) {
      answer = services::ClueMoveAnswer(std::move(*acted));
    } else {
      answer = acted.error();
    }
  }
  if (!answer) co_return refusal_response(request, answer.error());
  if (const auto* reseal = std::get_if<services::ResealForUnit>(&*answer)) {
    co_return reseal_response(request, *reseal);
  }
  const storage::Clue& clue = std::get<storage::Clue>(*answer);
  const services::ClueAccess access = services::clue_access(clue, acting.unit_id);
  // After a move the unit that moved it may no longer see it.
  const std::string_view relation =
      access == services::ClueAccess::kNone ? "none" : relation_of(access);
  co_return json_response(request, http::status::ok,
                          json::object{{"clue", services::clue_json(clue, relation)}});
}

asio::awaitable<Response> serve_clue_reply(ClueWorkContext* context, Request request) {
  auto actor = signed_in_actor(request, *context->auth);
  if (auto* refused = std::get_if<Response>(&actor)) co_return std::move(*refused);
  const auto id = clue_id_before(request, "/replies");
  if (!id) co_return clue_path_error(request, "/replies");
  if (!is_octet_stream(request)) {
    co_return error_response(request, errc::unsupported_media_type,
                             "send the sealed reply as application/octet-stream");
  }
  services::ClueActionRequest wanted;
  wanted.action = services::ClueAction::kReply;
  wanted.sealed_reply = std::move(request.body());
  auto clue = co_await services::act_on_clue(*context, std::get<services::Actor>(actor), *id,
                                             std::move(wanted));
  if (!clue) co_return refusal_response(request, clue.error());
  co_return json_response(request, http::status::created,
                          json::object{{"seq", clue->replies},
                                       {"sent_at", utc_text(clue->events.back().at)},
                                       {"clue", services::clue_json(*clue, "handling")}});
}

// The query of GET /api/v1/stats, whether CSV was asked for, or the message
// saying what is accepted.
struct StatsRequest {
  services::StatsQuery query;
  bool csv = false;
};
std::variant<StatsRequest, std::string> stats_query(const Request& request) {
  StatsRequest parsed;
  auto target = boost::urls::parse_origin_form(request.target());
  if (!target) return std::string("malformed target");
  for (const auto& param : target->params()) {
    const std::string& value = param.value;
    const auto month = services::parse_stats_month(value);
    const auto dimension = services::parse_stats_dimension(value);
    const auto unit = decimal_number(value, UINT32_MAX);
    if (param.key == "unit" && unit && *unit != 0) {
      parsed.query.unit_id = *unit;
    } else if (param.key == "from" && month) {
      parsed.query.from_month = *month;
    } else if (param.key == "to" && month) {
      parsed.query.to_month = *month;
    } else if (param.key == "by" && dimension) {
      parsed.query.by = *dimension;
    } else if (param.key == "format" && (value == "json" || value == "csv")) {
      parsed.csv = value == "csv";
    } else {
      return "query parameter " + std::string(param.key) +
             ": accepted are unit=ID, from=YYYY-MM, to=YYYY-MM, "
             "by=site|category|status|accused_level|month and format=json|csv";
    }
  }
  return parsed;
}

json::object count_json(const storage::StatsCount& count) {
  return {{"clues", count.clues}, {"escalated", count.escalated}, {"overdue", count.overdue}};
}

asio::awaitable<Response> serve_stats(ClueWorkContext* context, Request request) {
  auto actor = signed_in_actor(request, *context->auth);
  if (auto* refused = std::get_if<Response>(&actor)) co_return std::move(*refused);
  auto parsed = stats_query(request);
  if (auto* problem = std::get_if<std::string>(&parsed)) co_return bad_request(request, *problem);
  const StatsRequest wanted = std::get<StatsRequest>(std::move(parsed));
  auto report =
      co_await services::read_stats(*context, std::get<services::Actor>(actor), wanted.query);
  if (!report) co_return refusal_response(request, report.error());
  const std::string_view by = services::stats_dimension_name(report->by);
  if (wanted.csv) {
    // Values are ids, month texts and [a-z0-9_] names; a site's name is
    // quoted with its quotes doubled (RFC 4180).
    std::string csv = std::string(by) + ",label,clues,escalated,overdue\r\n";
    for (const services::StatsRow& row : report->rows) {
      std::string label;
      for (const char c : row.label) label += c == '"' ? std::string("\"\"") : std::string(1, c);
      csv += row.value + ",\"" + label + "\"," + std::to_string(row.count.clues) + "," +
             std::to_string(row.count.escalated) + "," + std::to_string(row.count.overdue) + "\r\n";
    }
    Response response{http::status::ok, request.version()};
    response.set(http::field::content_type, "text/csv; charset=utf-8");
    response.body() = std::move(csv);
    co_return response;
  }
  json::array rows;
  for (const services::StatsRow& row : report->rows) {
    json::object item = count_json(row.count);
    item["value"] = row.value;
    item["label"] = row.label;
    rows.push_back(std::move(item));
  }
  co_return json_response(request, http::status::ok,
                          json::object{{"unit_id", report->unit_id},
                                       {"from", services::stats_month_text(report->from_month)},
                                       {"to", services::stats_month_text(report->to_month)},
                                       {"by", by},
                                       {"total", count_json(report->total)},
                                       {"rows", std::move(rows)}});
}

// ---- POST /api/v1/qr/verify ------------------------------------------------------

// A header value that can stand in a URL as a host: printable ASCII without
// spaces, slashes or the characters that end an authority.
bool plain_host(std::string_view host) {
  return !host.empty() && host.size() <= 255 && std::all_of(host.begin(), host.end(), [](char c) {
    return static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7f &&
           c != '/' && c != '?' && c != '#' && c != '@' && c != '\\';
  });
}

// What posters print before /s/: the configured public URL, else this
// server as the request named it; nothing if the Host header is unusable.
std::optional<std::string> poster_base_url(const ClueWorkContext& context, const Request& request) {
  if (!context.public_base_url.empty()) return context.public_base_url;
  const std::string_view host = request[http::field::host];
  if (!plain_host(host)) return std::nullopt;
  return "https://" + std::string(host);
}

asio::awaitable<Response> serve_poster_check(ClueWorkContext* context, Request request) {
  auto actor = signed_in_actor(request, *context->auth);
  if (auto* refused = std::get_if<Response>(&actor)) co_return std::move(*refused);
  const std::string_view type = request[http::field::content_type];
  if (type != "image/jpeg" && type != "image/png") {
    co_return error_response(request, errc::unsupported_media_type,
                             "send the photo as image/jpeg or image/png");
  }
  std::optional<std::string> base_url = poster_base_url(*context, request);
  if (!base_url) co_return bad_request(request, "the Host header is not a host name");
  auto checked = co_await services::verify_poster_photo(*context, std::move(request.body()),
                                                        std::move(*base_url));
  if (!checked) co_return refusal_response(request, checked.error());
  json::array codes;
  for (const services::PosterCodeCheck& code : checked->codes) {
    json::object item{{"verdict", services::verdict_name(code.verdict)},
                      {"text", code.text},
                      {"reason", code.reason}};
    if (code.site_id != 0) {
      item["site"] = json::object{{"id", code.site_id},
                                  {"name", code.site_name},
                                  {"unit_name", code.unit_name},
                                  {"poster_code", code.poster_code}};
    }
    codes.push_back(std::move(item));
  }
  co_return json_response(
      request, http::status::ok,
      json::object{{"verdict", checked->codes.empty() ? std::string_view("no_code")
                                                      : services::verdict_name(checked->overall)},
                   {"codes", std::move(codes)}});
}

// ---- POST /api/v1/admin/posters -------------------------------------------------

// The strings of member `name` if it is an array of at most `most` strings.
std::optional<std::vector<std::string>> strings_of(const JsonRequest& body, std::string_view name,
                                                   std::size_t most) {
  std::vector<std::string> out;
  if (!body.has(name)) return out;
  const json::array* items = body.object().at(name).if_array();
  if (items == nullptr || items->size() > most) return std::nullopt;
  for (const json::value& item : *items) {
    if (!item.is_string()) return std::nullopt;
    out.emplace_back(item.as_string());
  }
  return out;
}

asio::awaitable<Response> serve_print_posters(ClueWorkContext* context, Request request) {
  auto actor = signed_in_actor(request, *context->auth);
  if (auto* refused = std::get_if<Response>(&actor)) co_return std::move(*refused);
  auto parsed = body_of(request, {"tokens", "languages"});
  if (auto* refused = std::get_if<Response>(&parsed)) co_return std::move(*refused);
  const JsonRequest& body = std::get<JsonRequest>(parsed);
  services::PosterPrintRequest wanted;
  auto tokens = strings_of(body, "tokens", services::kMaxPostersPerRequest);
  auto languages = strings_of(body, "languages", 8);
  if (!tokens || !languages) {
    co_return bad_request(request,
                          "expected tokens (1 to 20 site tokens, signed with the site-signing "
                          "key) and optionally languages (page language tags, e.g. zh-CN)");
  }
  wanted.tokens = std::move(*tokens);
  wanted.languages = std::move(*languages);
  std::optional<std::string> base_url = poster_base_url(*context, request);
  if (!base_url) co_return bad_request(request, "the Host header is not a host name");
  wanted.base_url = std::move(*base_url);
  auto pdf = co_await services::print_posters(*context, std::get<services::Actor>(actor),
                                              std::move(wanted));
  if (!pdf) co_return refusal_response(request, pdf.error());
  Response response{http::status::ok, request.version()};
  response.set(http::field::content_type, "application/pdf");
  response.set(http::field::content_disposition, "attachment; filename=\"posters.pdf\"");
  response.body() = std::move(*pdf);
  response.keep_alive(request.keep_alive());
  co_return response;
}

}  // namespace

void add_clue_routes(Router& router, ClueWorkContext* context) {
  using http::verb;
  router.add({.method = verb::get,
              .path = "/api/v1/queue",
              .name = "queue",
              .body_limit = 0,
              .handler = std::bind_front(&serve_queue, context)});
  // A phone photo of a poster; qr::ImageLimits refuses more pixels.
  constexpr std::size_t kPhotoLimit = std::size_t{8} << 20;
  router.add({.method = verb::post,
              .path = "/api/v1/qr/verify",
              .name = "qr_verify",
              .body_limit = kPhotoLimit,
              .handler = std::bind_front(&serve_poster_check, context)});
  router.add({.method = verb::post,
              .path = "/api/v1/admin/posters",
              .name = "admin_posters",
              .body_limit = 8192,
              .handler = std::bind_front(&serve_print_posters, context)});
  router.add({.method = verb::get,
              .path = "/api/v1/stats",
              .name = "stats",
              .body_limit = 0,
              .handler = std::bind_front(&serve_stats, context)});
  router.add({.method = verb::get,
              .path = "/api/v1/clues/",
              .is_prefix = true,
              .name = "clue",
              .body_limit = 0,
              .handler = std::bind_front(&serve_clue, context)});
  router.add({.method = verb::post,
              .path = "/api/v1/clues/{}/actions",
              .name = "clue_action",
              .body_limit = kActionBody,
              .handler = std::bind_front(&serve_clue_action, context)});
  router.add({.method = verb::post,
              .path = "/api/v1/clues/{}/replies",
              .name = "clue_reply",
              .body_limit = crypto::kMaxPayloadBytes,
              .handler = std::bind_front(&serve_clue_reply, context)});
}

}  // namespace clueline::server
