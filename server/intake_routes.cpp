#include "intake_routes.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/post.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>

#include <cstring>
#include <functional>
#include <memory>
#include <string>

#include "blocking.hpp"
#include "clueline/crypto/attachment.hpp"
#include "clueline/crypto/encoding.hpp"
#include "clueline/crypto/keys.hpp"
#include "clueline/crypto/receipt.hpp"
#include "clueline/storage/group_commit.hpp"
#include "clueline/storage/store.hpp"
#include "responses.hpp"

namespace clueline::server {
namespace {

namespace json = boost::json;
using storage::Family;
using storage::Mutation;

std::string b64(std::span<const std::byte> bytes) { return crypto::to_base64url(bytes); }

std::span<const std::byte> bytes_of(std::string_view text) { return crypto::as_bytes(text); }

errc error_of(const boost::system::error_code& ec) {
  return ec.category() == error_category() ? static_cast<errc>(ec.value()) : errc::internal;
}

// ---- durable writes ------------------------------------------------------------

// Resumes the waiting coroutine on its own executor: the writer's callback
// runs on the writer thread, which must never run request code.
template <typename Handler>
struct ResumeOnOwnExecutor {
  std::shared_ptr<Handler> handler;
  void operator()(result<void> outcome) const {
    auto executor = asio::get_associated_executor(*handler);
    asio::post(executor, std::bind_front(Invoke{}, handler, outcome));
  }
  struct Invoke {
    void operator()(std::shared_ptr<Handler> target, result<void> outcome) const {
      (*target)(outcome);
    }
  };
};

struct EnqueueCommit {
  storage::GroupCommitWriter* writer;
  template <typename Handler>
  void operator()(Handler handler, storage::GroupCommitWriter::Submission submission) const {
    // GroupCommitWriter keeps a copyable std::function; the handler is
    // move-only, so it travels behind a shared_ptr.
    auto shared = std::make_shared<Handler>(std::move(handler));
    writer->enqueue(std::move(submission), ResumeOnOwnExecutor<Handler>{std::move(shared)});
  }
};

// Hands `batch` to the group-commit writer and resumes when it has been
// synced to the write-ahead log (or failed).
asio::awaitable<result<void>> commit(storage::GroupCommitWriter* writer,
                                     storage::GroupCommitWriter::Submission submission) {
  co_return co_await asio::async_initiate<const asio::use_awaitable_t<>, void(result<void>)>(
      EnqueueCommit{writer}, asio::use_awaitable, std::move(submission));
}

// A batch without preconditions. The Submission is a named local here: g++ 12
// destroys temporaries inside a co_await expression twice.
asio::awaitable<result<void>> commit_mutations(storage::GroupCommitWriter* writer,
                                               std::vector<Mutation> batch) {
  storage::GroupCommitWriter::Submission submission{.mutations = std::move(batch),
                                                    .must_be_absent = {}};
  co_return co_await commit(writer, std::move(submission));
}

// ---- pieces of answers -------------------------------------------------------------

json::array unit_keys_json(const storage::Unit& unit) {
  json::array keys;
  for (const storage::UnitKey& key : unit.keys) {
    if (!key.current) continue;
    keys.push_back(json::object{{"key_id", b64(key.key_id)}, {"public_key", b64(key.public_key)}});
  }
  return keys;
}

json::object unit_json(const storage::Unit& unit) {
  return {{"id", unit.id}, {"name", unit.name}, {"level", unit.level}};
}

json::object route_json(Intake& intake, const RouteAnswer& route) {
  json::object recipient = {{"unit_id", route.unit->id},
                            {"unit_name", route.unit->name},
                            {"level", route.unit->level},
                            {"keys", unit_keys_json(*route.unit)}};
  const auto issued = intake.issue_challenge(SystemClock::now());
  json::object answer;
  answer["recipients"] = json::array{std::move(recipient)};
  answer["pow"] = json::object{{"challenge", b64(issued.challenge)},
                               {"difficulty", issued.difficulty},
                               {"expires_at", format_time(issued.expires_at)}};
  answer["receipt_salt"] = b64(intake.deployment()->receipt_salt);
  return answer;
}

std::string token_messages(errc e) {
  return e == errc::gone ? "this poster has been withdrawn; look for a current one"
                         : "unknown or forged site code";
}

Response token_error(const Request& request, errc e) {
  return error_response(request, e, token_messages(e));
}

// The segment after `prefix` in the request path, or empty.
std::string_view path_rest(const Request& request, std::string_view prefix) {
  std::string_view path = target_path(request.target());
  if (path.size() <= prefix.size()) return {};
  return path.substr(prefix.size());
}

std::string html_escape(std::string_view text) {
  std::string out;
  for (const char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

bool is_octet_stream(const Request& request) {
  const auto type = request[http::field::content_type];
  return type == "application/octet-stream";
}

// The 32 bytes of "Authorization: Bearer <base64url>", or empty.
std::optional<std::array<std::byte, 32>> bearer(const Request& request) {
  const std::string_view value = request[http::field::authorization];
  constexpr std::string_view kScheme = "Bearer ";
  if (value.substr(0, kScheme.size()) != kScheme) return std::nullopt;
  auto decoded = crypto::from_base64url(value.substr(kScheme.size()));
  if (!decoded || decoded->size() != 32) return std::nullopt;
  std::array<std::byte, 32> token;
  std::memcpy(token.data(), decoded->data(), token.size());
  return token;
}

// ---- GET /s/{token} ---------------------------------------------------------------

asio::awaitable<Response> serve_site_page(const IntakeContext* context, Request request) {
  auto site = context->intake->verify_token(path_rest(request, "/s/"));
  if (!site) co_return token_error(request, error_of(site.error()));
  Response response{http::status::ok, request.version()};
  response.set(http::field::content_type, "text/html; charset=utf-8");
  response.body() =
      "<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"referrer\" content=\"no-referrer\">\n<title>Report — " +
      html_escape(site->site->name) +
      "</title>\n<link rel=\"stylesheet\" href=\"/static/style.css\">\n</head>\n<body>\n<main>\n"
      "<h1>Confidential report</h1>\n<p>Place: <strong>" +
      html_escape(site->site->name) + "</strong> (" + html_escape(site->unit->name) +
      ")</p>\n<p>This poster is genuine. Reports written here are encrypted on your phone "
      "and sent to the supervisory unit with jurisdiction; this server cannot read them.</p>\n"
      "</main>\n</body>\n</html>\n";
  response.keep_alive(request.keep_alive());
  co_return response;
}

// ---- GET /api/v1/sites/{token} ----------------------------------------------------

asio::awaitable<Response> serve_site_info(const IntakeContext* context, Request request) {
  Intake& intake = *context->intake;
  auto site = intake.verify_token(path_rest(request, "/api/v1/sites/"));
  if (!site) co_return token_error(request, error_of(site.error()));
  json::array categories;
  for (const auto& category : intake.policy().categories()) categories.push_back(json::value(category.name));
  json::array levels;
  for (const std::string& level : intake.levels().names()) levels.push_back(json::value(level));
  json::object body{
      {"site", json::object{{"id", site->site->id},
                            {"name", site->site->name},
                            {"kind", site->site->kind}}},
      {"unit", unit_json(*site->unit)},
      {"categories", std::move(categories)},
      {"accused_levels", std::move(levels)},
      {"languages", json::array{"zh-CN", "en"}},
      {"receipt_salt", b64(intake.deployment()->receipt_salt)}};
  co_return json_response(request, http::status::ok, body);
}

// ---- GET /api/v1/route --------------------------------------------------------------

asio::awaitable<Response> serve_route(const IntakeContext* context, Request request) {
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
      co_return error_response(request, errc::invalid_argument, "unknown query parameter");
    }
  }
  Intake& intake = *context->intake;
  auto site = intake.verify_token(token);
  if (!site) co_return token_error(request, error_of(site.error()));
  auto route = intake.route(*site, category, accused_level);
  if (!route) {
    const errc e = error_of(route.error());
    co_return error_response(request, e,
                             e == errc::invalid_argument ? "unknown category or accused level"
                                                         : "no unit can receive reports here yet");
  }
  co_return json_response(request, http::status::ok, route_json(intake, *route));
}

// ---- POST /api/v1/reports -----------------------------------------------------------

bool same_key_set(const std::vector<crypto::PayloadRecipient>& sealed, const RouteAnswer& route) {
  if (sealed.size() != route.keys.size()) return false;
  for (const storage::UnitKey* key : route.keys) {
    bool found = false;
    for (const crypto::PayloadRecipient& recipient : sealed) {
      if (recipient.key_id == key->key_id) found = true;
    }
    if (!found) return false;
  }
  return true;
}

asio::awaitable<Response> submit_report(const IntakeContext* context, Request request) {
  Intake& intake = *context->intake;
  if (!is_octet_stream(request)) {
    co_return error_response(request, errc::unsupported_media_type,
                             "send the envelope as application/octet-stream");
  }
  const std::string& body = request.body();
  auto envelope = crypto::parse_envelope(bytes_of(body));
  if (!envelope) co_return error_response(request, errc::invalid_argument, "malformed envelope");
  auto site = intake.verify_token_bytes(envelope->header.site_token);
  if (!site) co_return token_error(request, error_of(site.error()));
  auto route = intake.route(*site, envelope->header.category, envelope->header.accused_level);
  if (!route) {
    const errc e = error_of(route.error());
    co_return error_response(request, e,
                             e == errc::invalid_argument ? "unknown category or accused level"
                                                         : "no unit can receive reports here yet");
  }
  const auto steady_now = std::chrono::steady_clock::now();
  if (auto admitted = intake.admit_submission(site->site->id, steady_now); !admitted) {
    Response response = error_response(request, errc::rate_limited, "too many reports; retry later");
    response.set(http::field::retry_after, "5");
    co_return response;
  }
  const auto now = SystemClock::now();
  if (!intake.challenges().check(envelope->header.pow_challenge, envelope->header.pow_nonce, now)) {
    co_return error_response(request, errc::authentication_failed,
                             "proof of work missing, wrong or expired; fetch a new route");
  }
  if (!same_key_set(envelope->payload.recipients, *route)) {
    // Checked before spending the challenge, so a client that raced a key
    // change only needs to reseal.
    json::object answer = {
        {"error", json::object{{"code", "conflict"},
                               {"message", "the route changed; seal to the keys given here"}}},
        {"route", route_json(intake, *route)}};
    co_return json_response(request, http::status::conflict, answer);
  }
  if (!intake.challenges().spend(envelope->header.pow_challenge, now)) {
    co_return error_response(request, errc::conflict, "this proof of work was used already");
  }
  const storage::Bytes32 lookup_hash = envelope->header.receipt_lookup_hash;
  Intake::AcceptedReport accepted = intake.accept(*envelope, bytes_of(body), *site, *route, now);
  // The writer checks that the receipt is new just before the batch, on its
  // own thread, where no other write of that key can come in between.
  storage::GroupCommitWriter::Submission submission{
      .mutations = std::move(accepted.mutations),
      .must_be_absent = {{Family::kReceipts, storage::receipt_key(lookup_hash)}},
      .audit = {std::move(accepted.audit)}};
  const auto written = co_await commit(context->writer, std::move(submission));
  if (!written && written.error() == errc::conflict) {
    co_return error_response(request, errc::conflict, "this receipt is in use; make a new one");
  }
  if (!written) {
    co_return error_response(request, error_of(written.error()),
                             "the report could not be stored; send it again");
  }
  const storage::Clue& clue = accepted.clue;
  json::object answer{
      {"clue_id", b64(clue.id)},
      {"status", storage::status_name(clue.status)},
      {"received_at", format_time(SystemClock::time_point(std::chrono::seconds(clue.received_at)))},
      {"acknowledge_by",
       format_time(SystemClock::time_point(std::chrono::seconds(clue.acknowledge_by)))},
      {"handle_by", format_time(SystemClock::time_point(std::chrono::seconds(clue.handle_by)))}};
  if (auto session = intake.sessions().open(clue.id, now)) {
    answer["session"] = b64(session->token);
    answer["session_expires_at"] = format_time(session->expires_at);
  }
  co_return json_response(request, http::status::created, answer);
}

// ---- follow-up ----------------------------------------------------------------------

struct ClueLookup {
  errc error = errc::internal;
  std::optional<storage::ClueId> clue;
};

ClueLookup find_clue_by_receipt(storage::Store* store, storage::Bytes32 lookup_hash) {
  auto stored = store->get(Family::kReceipts, storage::receipt_key(lookup_hash));
  if (!stored) return {error_of(stored.error()), std::nullopt};
  if (stored->size() != 16) return {errc::storage_corruption, std::nullopt};
  storage::ClueId id;
  std::memcpy(id.data(), stored->data(), id.size());
  return {errc::internal, id};
}

asio::awaitable<Response> open_followup_session(const IntakeContext* context, Request request) {
  Intake& intake = *context->intake;
  const auto steady_now = std::chrono::steady_clock::now();
  if (!intake.lookups_allowed(steady_now)) {
    Response response =
        error_response(request, errc::rate_limited, "too many failed receipt lookups; retry later");
    response.set(http::field::retry_after, "10");
    co_return response;
  }
  boost::system::error_code ec;
  const json::value parsed = json::parse(request.body(), ec);
  const json::object* object = ec ? nullptr : parsed.if_object();
  const json::value* lookup = object ? object->if_contains("lookup_key") : nullptr;
  if (lookup == nullptr || !lookup->is_string() || object->size() != 1) {
    co_return error_response(request, errc::malformed_json, "expected {\"lookup_key\": \"...\"}");
  }
  auto key = crypto::from_base64url(lookup->get_string());
  if (!key || key->size() != 32) {
    co_return error_response(request, errc::invalid_argument, "lookup_key must be 32 bytes");
  }
  const storage::Bytes32 lookup_hash = crypto::receipt_lookup_hash(*key);
  const ClueLookup found = co_await run_blocking(
      *context->blocking_pool, std::bind_front(&find_clue_by_receipt, context->store, lookup_hash));
  if (!found.clue) {
    if (found.error == errc::not_found) {
      intake.record_failed_lookup(steady_now);
      co_return error_response(request, errc::not_found, "no report has this receipt");
    }
    co_return error_response(request, found.error, "the report could not be read");
  }
  auto session = intake.sessions().open(*found.clue, SystemClock::now());
  if (!session) co_return error_response(request, errc::unavailable, "too many open sessions");
  co_return json_response(request, http::status::created,
                          json::object{{"session", b64(session->token)},
                                       {"expires_at", format_time(session->expires_at)}});
}

struct ClueView {
  errc error = errc::internal;
  std::optional<storage::Clue> clue;
  std::vector<std::pair<std::uint32_t, storage::SealedNote>> replies;
  std::vector<std::pair<std::uint32_t, storage::SealedNote>> messages;
};

ClueView read_clue(storage::Store* store, storage::ClueId id, bool with_notes) {
  ClueView view;
  auto stored = store->get(Family::kClues, storage::clue_key(id));
  if (!stored) {
    view.error = error_of(stored.error());
    return view;
  }
  auto clue = storage::decode_clue(*stored);
  if (!clue) {
    view.error = error_of(clue.error());
    return view;
  }
  if (with_notes) {
    for (std::uint32_t seq = 1; seq <= clue->replies; ++seq) {
      auto note = store->get(Family::kClues, storage::reply_key(id, seq));
      if (!note) continue;
      if (auto decoded = storage::decode_note(*note)) view.replies.emplace_back(seq, std::move(*decoded));
    }
    for (std::uint32_t seq = 1; seq <= clue->messages; ++seq) {
      auto note = store->get(Family::kClues, storage::message_key(id, seq));
      if (!note) continue;
      if (auto decoded = storage::decode_note(*note)) view.messages.emplace_back(seq, std::move(*decoded));
    }
  }
  view.clue = std::move(*clue);
  return view;
}

std::string time_text(storage::UnixSeconds seconds) {
  return format_time(SystemClock::time_point(std::chrono::seconds(seconds)));
}

// The clue of the request's session, or an error response.
std::optional<storage::ClueId> session_clue(const IntakeContext* context, const Request& request) {
  const auto token = bearer(request);
  if (!token) return std::nullopt;
  auto clue = context->intake->sessions().find(*token, SystemClock::now());
  if (!clue) return std::nullopt;
  return *clue;
}

asio::awaitable<Response> serve_followup(const IntakeContext* context, Request request) {
  const auto clue_id = session_clue(context, request);
  if (!clue_id) co_return error_response(request, errc::not_found, "unknown or expired session");
  const ClueView view = co_await run_blocking(
      *context->blocking_pool, std::bind_front(&read_clue, context->store, *clue_id, true));
  if (!view.clue) co_return error_response(request, view.error, "the report could not be read");
  const storage::Clue& clue = *view.clue;
  json::object body{{"clue_id", b64(clue.id)},
                    {"status", storage::status_name(clue.status)},
                    {"received_at", time_text(clue.received_at)},
                    {"deadlines", json::object{{"acknowledge_by", time_text(clue.acknowledge_by)},
                                               {"handle_by", time_text(clue.handle_by)}}}};
  if (const storage::Unit* unit = context->intake->unit(clue.unit_id)) {
    json::object unit_object = unit_json(*unit);
    unit_object["keys"] = unit_keys_json(*unit);
    body["unit"] = std::move(unit_object);
  }
  json::array replies;
  for (const auto& [seq, note] : view.replies) {
    replies.push_back(json::object{
        {"seq", seq}, {"sent_at", time_text(note.sent_at)}, {"payload", b64(bytes_of(note.payload))}});
  }
  body["replies"] = std::move(replies);
  json::array messages;
  for (const auto& [seq, note] : view.messages) {
    messages.push_back(json::object{{"seq", seq}, {"sent_at", time_text(note.sent_at)}});
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

asio::awaitable<Response> post_followup_message(const IntakeContext* context, Request request) {
  const auto clue_id = session_clue(context, request);
  if (!clue_id) co_return error_response(request, errc::not_found, "unknown or expired session");
  if (!is_octet_stream(request)) {
    co_return error_response(request, errc::unsupported_media_type,
                             "send the sealed message as application/octet-stream");
  }
  auto payload = crypto::parse_payload(bytes_of(request.body()));
  if (!payload) co_return error_response(request, errc::invalid_argument, "malformed sealed message");
  // One writer per clue at a time: the message number comes from the record.
  auto claim = context->intake->claims().claim(storage::clue_claim_key(*clue_id));
  if (!claim) co_return error_response(request, errc::conflict, "another change is in progress; retry");
  ClueView view = co_await run_blocking(*context->blocking_pool,
                                        std::bind_front(&read_clue, context->store, *clue_id, false));
  if (!view.clue) co_return error_response(request, view.error, "the report could not be read");
  storage::Clue& clue = *view.clue;
  const storage::Unit* unit = context->intake->unit(clue.unit_id);
  if (unit == nullptr) co_return error_response(request, errc::internal, "internal error");
  RouteAnswer current;
  current.unit = unit;
  for (const storage::UnitKey& key : unit->keys) {
    if (key.current) current.keys.push_back(&key);
  }
  if (!same_key_set(payload->recipients, current)) {
    json::object unit_object = unit_json(*unit);
    unit_object["keys"] = unit_keys_json(*unit);
    json::object answer = {
        {"error", json::object{{"code", "conflict"},
                               {"message", "seal the message to the unit keys given here"}}},
        {"unit", std::move(unit_object)}};
    co_return json_response(request, http::status::conflict, answer);
  }
  const auto now = SystemClock::now();
  const storage::SealedNote note{
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count(),
      request.body()};
  clue.messages += 1;
  std::vector<Mutation> batch{
      {Family::kClues, storage::message_key(clue.id, clue.messages), storage::encode(note)},
      {Family::kClues, storage::clue_key(clue.id), storage::encode(clue)}};
  const auto written = co_await commit_mutations(context->writer, std::move(batch));
  if (!written) co_return error_response(request, error_of(written.error()), "not stored; send again");
  co_return json_response(request, http::status::created,
                          json::object{{"seq", clue.messages}, {"sent_at", time_text(note.sent_at)}});
}

// PUT /api/v1/followup/attachments/{n}/{part}[?final=1]
asio::awaitable<Response> put_attachment_part(const IntakeContext* context, Request request) {
  const auto clue_id = session_clue(context, request);
  if (!clue_id) co_return error_response(request, errc::not_found, "unknown or expired session");
  if (!is_octet_stream(request)) {
    co_return error_response(request, errc::unsupported_media_type,
                             "send attachment parts as application/octet-stream");
  }
  auto target = boost::urls::parse_origin_form(request.target());
  if (!target) co_return error_response(request, errc::invalid_argument, "malformed path");
  std::vector<std::string> segments(target->segments().begin(), target->segments().end());
  bool final_part = false;
  for (const auto& param : target->params()) {
    if (param.key == "final" && param.value == "1") {
      final_part = true;
    } else {
      co_return error_response(request, errc::invalid_argument, "unknown query parameter");
    }
  }
  // segments: api v1 followup attachments {n} {part}
  std::uint32_t index = 0, part = 0;
  const auto parse_number = [](const std::string& text, std::uint32_t& out) {
    if (text.empty() || text.size() > 6 || text.find_first_not_of("0123456789") != std::string::npos) {
      return false;
    }
    out = static_cast<std::uint32_t>(std::stoul(text));
    return true;
  };
  if (segments.size() != 6 || !parse_number(segments[4], index) || !parse_number(segments[5], part)) {
    co_return error_response(request, errc::not_found, "no such resource");
  }
  if (index >= kMaxAttachments) {
    co_return error_response(request, errc::invalid_argument, "at most 8 attachments per report");
  }
  const std::string& bytes = request.body();
  if (bytes.empty()) co_return error_response(request, errc::invalid_argument, "empty part");
  auto claim = context->intake->claims().claim(storage::clue_claim_key(*clue_id));
  if (!claim) co_return error_response(request, errc::conflict, "another upload is in progress; retry");
  ClueView view = co_await run_blocking(*context->blocking_pool,
                                        std::bind_front(&read_clue, context->store, *clue_id, false));
  if (!view.clue) co_return error_response(request, view.error, "the report could not be read");
  storage::Clue& clue = *view.clue;
  auto state = std::find_if(clue.attachments.begin(), clue.attachments.end(),
                            [index](const storage::AttachmentState& a) { return a.index == index; });
  if (state == clue.attachments.end()) {
    clue.attachments.push_back({.index = static_cast<std::uint8_t>(index)});
    state = std::prev(clue.attachments.end());
  }
  if (state->complete) co_return error_response(request, errc::conflict, "attachment already complete");
  if (state->parts != part) co_return error_response(request, errc::conflict, "parts must come in order");
  std::uint64_t clue_total = 0;
  for (const storage::AttachmentState& a : clue.attachments) clue_total += a.bytes;
  if (state->bytes + bytes.size() > kMaxAttachmentBytes ||
      clue_total + bytes.size() > kMaxClueAttachmentBytes) {
    co_return error_response(request, errc::payload_too_large, "attachment limit reached");
  }
  const std::uint64_t total = state->bytes + bytes.size();
  if (final_part) {
    const bool valid_length =
        total > crypto::kAttachmentHeaderBytes &&
        (total - crypto::kAttachmentHeaderBytes) % crypto::kAttachmentCipherChunkBytes == 0;
    if (!valid_length) {
      co_return error_response(request, errc::invalid_argument,
                               "the attachment is not a whole encrypted stream");
    }
  }
  state->bytes = total;
  state->parts += 1;
  state->complete = final_part;
  std::vector<Mutation> batch{
      {Family::kClues, storage::attachment_part_key(clue.id, static_cast<std::uint8_t>(index), part),
       bytes},
      {Family::kClues, storage::clue_key(clue.id), storage::encode(clue)}};
  const auto written = co_await commit_mutations(context->writer, std::move(batch));
  if (!written) co_return error_response(request, error_of(written.error()), "not stored; send again");
  co_return json_response(request, http::status::created,
                          json::object{{"attachment", index},
                                       {"part", part},
                                       {"bytes", total},
                                       {"complete", final_part}});
}

template <auto Function>
Handler bind_context(const IntakeContext* context) {
  return std::bind_front(Function, context);
}

}  // namespace

void add_intake_routes(Router& router, const IntakeContext* context) {
  constexpr std::size_t kSmallJson = 4096;
  router.add({.method = http::verb::get, .path = "/s/", .is_prefix = true, .name = "site_page",
              .handler = bind_context<&serve_site_page>(context)});
  router.add({.method = http::verb::get, .path = "/api/v1/sites/", .is_prefix = true,
              .name = "site_info", .handler = bind_context<&serve_site_info>(context)});
  router.add({.method = http::verb::get, .path = "/api/v1/route", .name = "route",
              .handler = bind_context<&serve_route>(context)});
  router.add({.method = http::verb::post, .path = "/api/v1/reports", .name = "reports",
              .body_limit = crypto::kMaxEnvelopeBytes,
              .handler = bind_context<&submit_report>(context)});
  router.add({.method = http::verb::post, .path = "/api/v1/followup/session",
              .name = "followup_session", .body_limit = kSmallJson,
              .handler = bind_context<&open_followup_session>(context)});
  router.add({.method = http::verb::get, .path = "/api/v1/followup", .name = "followup",
              .handler = bind_context<&serve_followup>(context)});
  router.add({.method = http::verb::post, .path = "/api/v1/followup/messages",
              .name = "followup_messages", .body_limit = crypto::kMaxPayloadBytes,
              .handler = bind_context<&post_followup_message>(context)});
  router.add({.method = http::verb::put, .path = "/api/v1/followup/attachments/", .is_prefix = true,
              .name = "attachments", .body_limit = kMaxAttachmentPartBytes,
              .handler = bind_context<&put_attachment_part>(context)});
}

}  // namespace clueline::server
