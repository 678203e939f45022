#include "clueline/services/citizen.hpp"

#include <algorithm>
#include <cstring>
#include <functional>
#include <iterator>
#include <memory>
#include <utility>

#include "clueline/crypto/attachment.hpp"
#include "clueline/crypto/bytes.hpp"
#include "clueline/crypto/encoding.hpp"
#include "clueline/crypto/envelope.hpp"
#include "clueline/crypto/receipt.hpp"
#include "clueline/crypto/sealed_payload.hpp"
#include "clueline/crypto/site_token.hpp"
#include "clueline/services/blocking.hpp"
#include "clueline/storage/stats.hpp"
#include "commit.hpp"

namespace clueline::services {
namespace {

using storage::Family;
using storage::Mutation;

std::span<const std::byte> bytes_of(std::string_view text) { return crypto::as_bytes(text); }

Refusal poster_refusal(const boost::system::error_code& ec) {
  const errc e = errc_of(ec);
  if (e == errc::gone) {
    return refuse(e, "this poster has been withdrawn; look for a current one");
  }
  return refuse(errc::not_found, "unknown or forged site code");
}

std::string joined(std::span<const std::string> names) {
  std::string text;
  for (const std::string& name : names) {
    if (!text.empty()) text += ", ";
    text += name;
  }
  return text;
}

std::vector<std::string> category_names(const Intake& intake) {
  std::vector<std::string> names;
  for (const auto& category : intake.policy().categories()) names.push_back(category.name);
  return names;
}

Refusal route_refusal(const Intake& intake, const boost::system::error_code& ec,
                      std::string_view category) {
  const errc e = errc_of(ec);
  if (e != errc::invalid_argument) {
    return refuse(e == errc::not_found ? e : errc::internal,
                  "no unit can receive reports from this site yet");
  }
  const std::vector<std::string> categories = category_names(intake);
  if (std::find(categories.begin(), categories.end(), category) == categories.end()) {
    return refuse(e, "unknown category; accepted: " + joined(categories));
  }
  return refuse(e, "unknown accused level; accepted: " + joined(intake.levels().names()) +
                       ", or none when unknown");
}

// `token` is the poster's raw token, which the challenge is bound to.
Outcome<RouteOffer> offer_for(Intake& intake, const SiteContext& site,
                              std::span<const std::byte> token, std::string_view category,
                              std::string_view accused_level, SystemClock::time_point now) {
  auto route = intake.route(site, category, accused_level);
  if (!route) return route_refusal(intake, route.error(), category);
  const storage::Deployment deployment = *intake.deployment();
  RouteOffer offer{.route = std::move(*route),
                   .challenge = intake.issue_challenge(
                       {.site_token = token, .category = category, .accused_level = accused_level},
                       site.site->id, now),
                   .receipt_salt = deployment.receipt_salt,
                   .deployment_key = deployment.site_signing_public_key};
  return offer;
}

bool same_key_set(const std::vector<crypto::PayloadRecipient>& sealed,
                  const std::vector<const storage::UnitKey*>& keys) {
  if (sealed.size() != keys.size()) return false;
  for (const storage::UnitKey* key : keys) {
    const bool found = std::any_of(sealed.begin(), sealed.end(), [key](const auto& recipient) {
      return recipient.key_id == key->key_id;
    });
    if (!found) return false;
  }
  return true;
}

std::vector<const storage::UnitKey*> current_keys(const storage::Unit& unit) {
  std::vector<const storage::UnitKey*> keys;
  for (const storage::UnitKey& key : unit.keys) {
    if (key.current) keys.push_back(&key);
  }
  return keys;
}

// ---- blocking reads (on the blocking pool) -------------------------------------

struct ClueLookup {
  errc error = errc::internal;
  std::optional<storage::ClueId> clue;
};

ClueLookup find_clue_by_receipt(storage::Store* store, storage::Bytes32 lookup_hash) {
  auto stored = store->get(Family::kReceipts, storage::receipt_key(lookup_hash));
  if (!stored) return {errc_of(stored.error()), std::nullopt};
  if (stored->size() != 16) return {errc::storage_corruption, std::nullopt};
  storage::ClueId id;
  std::memcpy(id.data(), stored->data(), id.size());
  return {errc::internal, id};
}

struct ClueRead {
  errc error = errc::internal;
  std::optional<storage::Clue> clue;
  std::vector<SealedNoteView> replies;
  std::vector<SealedNoteView> messages;
};

// Clues stored before message_times existed: takes the times and sizes of
// the messages from the messages themselves, so that limits and listings
// treat every clue alike.
void complete_message_times(storage::Store* store, storage::Clue& clue) {
  for (auto seq = static_cast<std::uint32_t>(clue.message_times.size() + 1); seq <= clue.messages;
       ++seq) {
    storage::UnixSeconds sent_at = 0;
    if (auto note = store->get(Family::kClues, storage::message_key(clue.id, seq))) {
      if (auto decoded = storage::decode_note(*note)) {
        sent_at = decoded->sent_at;
        clue.message_bytes += decoded->payload.size();
      }
    }
    clue.message_times.push_back(sent_at);
  }
}

ClueRead read_clue(storage::Store* store, storage::ClueId id, bool with_replies) {
  ClueRead read;
  auto stored = store->get(Family::kClues, storage::clue_key(id));
  if (!stored) {
    read.error = errc_of(stored.error());
    return read;
  }
  auto clue = storage::decode_clue(*stored);
  if (!clue) {
    read.error = errc_of(clue.error());
    return read;
  }
  complete_message_times(store, *clue);
  if (with_replies) {
    for (std::uint32_t seq = 1; seq <= clue->replies; ++seq) {
      auto note = store->get(Family::kClues, storage::reply_key(id, seq));
      if (!note) continue;
      if (auto decoded = storage::decode_note(*note)) {
        read.replies.push_back({seq, decoded->sent_at, std::move(decoded->payload)});
      }
    }
    // The reporter's own messages are listed from the record, never read
    // or sent back.
    for (std::uint32_t seq = 1; seq <= clue->messages; ++seq) {
      read.messages.push_back({seq, clue->message_times[seq - 1], {}});
    }
  }
  read.clue = std::move(*clue);
  return read;
}

// The batches of the follow-up writes: the note or part, the clue record
// that counts it, and for a part the deployment's attachment total.
std::vector<Mutation> part_batch(const storage::Clue& clue, std::uint8_t index, std::uint32_t part,
                                 std::string bytes) {
  const auto size = static_cast<std::int64_t>(bytes.size());
  std::vector<Mutation> batch;
  batch.push_back(
      {Family::kClues, storage::attachment_part_key(clue.id, index, part), std::move(bytes)});
  batch.push_back({Family::kClues, storage::clue_key(clue.id), storage::encode(clue)});
  batch.push_back(storage::attachment_bytes_delta(size));
  return batch;
}

std::vector<Mutation> message_batch(const storage::Clue& clue, const storage::SealedNote& note) {
  std::vector<Mutation> batch;
  batch.push_back(
      {Family::kClues, storage::message_key(clue.id, clue.messages), storage::encode(note)});
  batch.push_back({Family::kClues, storage::clue_key(clue.id), storage::encode(clue)});
  return batch;
}

Refusal read_refusal(errc e) { return refuse(e, "the report could not be read"); }

// The free-space answer, renewed on the blocking pool at most once a second.
boost::asio::awaitable<result<void>> free_space(Intake* intake, boost::asio::thread_pool* pool) {
  if (intake->free_space_stale()) {
    co_await run_blocking(*pool, std::bind_front(&Intake::refresh_free_space, intake));
  }
  co_return intake->check_free_space();
}

Refusal disk_full_refusal() {
  return refuse(errc::storage_no_space,
                "the server's disk is nearly full: nothing was stored; try again later");
}

// A failed durable write of `what`; the busy writer and the full disk are
// the saturation everyone meets alike, counted for /metrics.
Refusal write_refusal(Intake& intake, const boost::system::error_code& ec, std::string_view what) {
  const errc e = errc_of(ec);
  if (e == errc::unavailable) {
    intake.count_writer_busy();
    return refuse(e, "the server is busy: " + std::string(what) + " was not stored; send it again");
  }
  if (e == errc::storage_no_space) return disk_full_refusal();
  return refuse(e, std::string(what) + " could not be stored; send it again");
}

// The per-clue message limits (citizen.hpp) for one more message of
// `size` bytes at `now`.
Outcome<void> message_limits(const storage::Clue& clue, std::size_t size,
                             storage::UnixSeconds now) {
  if (clue.messages >= kMaxClueMessages) {
    return refuse(errc::payload_too_large,
                  "a report takes at most " + std::to_string(kMaxClueMessages) + " messages");
  }
  if (clue.message_bytes + size > kMaxClueMessageBytes) {
    return refuse(errc::payload_too_large, "the messages of a report take at most " +
                                               std::to_string(kMaxClueMessageBytes >> 20) + " MiB");
  }
  constexpr storage::UnixSeconds kHour = 3600;
  const auto in_last_hour =
      std::count_if(clue.message_times.begin(), clue.message_times.end(),
                    [now](storage::UnixSeconds at) { return at > now - kHour; });
  if (static_cast<std::size_t>(in_last_hour) >= kMaxClueMessagesPerHour) {
    // The oldest message within the hour leaves it first.
    const auto oldest = std::find_if(clue.message_times.begin(), clue.message_times.end(),
                                     [now](storage::UnixSeconds at) { return at > now - kHour; });
    return refuse(
        errc::rate_limited,
        "at most " + std::to_string(kMaxClueMessagesPerHour) + " messages an hour; retry later",
        static_cast<unsigned>(std::max<storage::UnixSeconds>(1, *oldest + kHour - now)));
  }
  return {};
}

// Wipes a coroutine's copy of a session token when the use case ends.
struct WipedToken {
  FollowupToken& token;
  ~WipedToken() { crypto::wipe(token); }
};

Outcome<storage::ClueId> session_clue(const CitizenContext& context, const FollowupToken& token) {
  auto clue = context.intake->sessions().find(token, SystemClock::now());
  if (!clue) return refuse(errc::not_found, "unknown or expired session");
  return *clue;
}

}  // namespace

[[noreturn]] void throw_exception_from_error(const Refusal& refusal,
                                             const boost::source_location&) {
  throw std::runtime_error(std::string(error_name(refusal.code)) + ": " + refusal.message);
}

Outcome<SiteContext> check_poster(const Intake& intake, std::string_view token) {
  auto site = intake.verify_token(token);
  if (!site) return poster_refusal(site.error());
  return *site;
}

Outcome<SiteInfo> site_info(const Intake& intake, std::string_view token,
                            std::vector<std::string> languages) {
  auto site = intake.verify_token(token);
  if (!site) return poster_refusal(site.error());
  // The token verified, so it has the length the code needs.
  auto poster_code = crypto::poster_code(token);
  SiteInfo info{.site = *site,
                .categories = category_names(intake),
                .accused_levels = {intake.levels().names().begin(), intake.levels().names().end()},
                .languages = std::move(languages),
                .receipt_salt = intake.deployment()->receipt_salt,
                .poster_code = poster_code ? std::move(*poster_code) : std::string()};
  return info;
}

Outcome<RouteOffer> offer_route(Intake& intake, std::string_view token, std::string_view category,
                                std::string_view accused_level, SystemClock::time_point now) {
  auto site = intake.verify_token(token);
  if (!site) return poster_refusal(site.error());
  // The token verified, so it decodes.
  const auto raw = crypto::from_base64url(token);
  if (!raw) return poster_refusal(raw.error());
  return offer_for(intake, *site, *raw, category, accused_level, now);
}

boost::asio::awaitable<Outcome<SubmitAnswer>> submit_report(CitizenContext context,
                                                            std::string envelope_bytes) {
  Intake& intake = *context.intake;
  auto envelope = crypto::parse_envelope(bytes_of(envelope_bytes));
  if (!envelope) co_return refuse(errc::invalid_argument, "malformed envelope");
  const crypto::EnvelopeHeader& header = envelope->header;
  // The proof of work first: a request without a valid one costs its
  // parsing and two BLAKE2b, and touches nothing honest reporters need —
  // no bucket token, no difficulty count, no one else's challenge.
  const auto now = SystemClock::now();
  if (!intake.challenges().check(header.pow_challenge, header.pow_nonce,
                                 {.site_token = header.site_token,
                                  .category = header.category,
                                  .accused_level = header.accused_level},
                                 now)) {
    co_return refuse(errc::authentication_failed,
                     "proof of work missing, wrong, expired or issued for another poster or "
                     "route; fetch a new route");
  }
  auto site = intake.verify_token_bytes(header.site_token);
  if (!site) co_return poster_refusal(site.error());
  auto route = intake.route(*site, header.category, header.accused_level);
  if (!route) {
    co_return route_refusal(intake, route.error(), header.category);
  }
  const auto steady_now = std::chrono::steady_clock::now();
  // Both checked before spending the challenge, so that a client that raced
  // a key change only needs to reseal, and one whose price rose meanwhile
  // pays the new price with the same report.
  if (!same_key_set(envelope->payload.recipients, route->keys) ||
      !intake.price_paid(ChallengeBook::difficulty_of(header.pow_challenge), site->site->id,
                         steady_now)) {
    auto offer =
        offer_for(intake, *site, header.site_token, header.category, header.accused_level, now);
    if (!offer) co_return offer.error();
    co_return SubmitAnswer{ResealRequired{std::move(*offer)}};
  }
  const result<void> room = co_await free_space(context.intake, context.blocking_pool);
  if (!room) co_return disk_full_refusal();
  if (!intake.challenges().spend(header.pow_challenge, now)) {
    co_return refuse(errc::conflict, "this proof of work was used already; fetch a new route");
  }
  const storage::Bytes32 lookup_hash = envelope->header.receipt_lookup_hash;
  Intake::AcceptedReport accepted =
      intake.accept(*envelope, bytes_of(envelope_bytes), *site, *route, now);
  // The writer checks that the receipt is new just before the batch, on its
  // own thread, where no other write of that key can come in between.
  storage::GroupCommitWriter::Submission submission{
      .mutations = std::move(accepted.mutations),
      .must_be_absent = {{Family::kReceipts, storage::receipt_key(lookup_hash)}},
      .audit = {std::move(accepted.audit)}};
  const auto written = co_await commit(context.writer, std::move(submission));
  if (!written && written.error() == errc::conflict) {
    co_return refuse(errc::conflict, "this receipt is in use; make a new one");
  }
  if (!written) co_return write_refusal(intake, written.error(), "the report");
  // Only a stored report counts towards the price: forged, replayed and
  // refused ones move nothing.
  intake.record_report(site->site->id, std::chrono::steady_clock::now());
  ReportAccepted answer{.clue = std::move(accepted.clue), .session = std::nullopt};
  answer.session = intake.sessions().open(answer.clue.id, now);
  co_return SubmitAnswer{std::move(answer)};
}

ChallengeBook::Issued followup_challenge(Intake& intake, SystemClock::time_point now) {
  return intake.issue_lookup_challenge(now);
}

boost::asio::awaitable<Outcome<SessionTable::Opened>> open_followup_session(
    CitizenContext context, SessionRequest request) {
  Intake& intake = *context.intake;
  // The key leaves memory however this ends.
  const std::unique_ptr<std::vector<std::byte>, void (*)(std::vector<std::byte>*)> wiped(
      &request.lookup_key, [](std::vector<std::byte>* key) { crypto::wipe(*key); });
  const auto now = SystemClock::now();
  if (!intake.challenges().check(request.challenge, request.nonce,
                                 ChallengeBook::kFollowupSessionScope, now)) {
    co_return refuse(errc::authentication_failed,
                     "proof of work missing, wrong or expired; fetch a new challenge");
  }
  if (request.lookup_key.size() != 32) {
    co_return refuse(errc::invalid_argument, "lookup_key must be 32 bytes");
  }
  if (!intake.lookup_price_paid(ChallengeBook::difficulty_of(request.challenge),
                                std::chrono::steady_clock::now())) {
    co_return refuse(errc::conflict,
                     "the price of a lookup has risen; fetch a new challenge and solve it");
  }
  if (!intake.challenges().spend(request.challenge, now)) {
    co_return refuse(errc::conflict, "this proof of work was used already; fetch a new challenge");
  }
  const storage::Bytes32 lookup_hash = crypto::receipt_lookup_hash(request.lookup_key);
  const ClueLookup found = co_await run_blocking(
      *context.blocking_pool, std::bind_front(&find_clue_by_receipt, context.store, lookup_hash));
  if (!found.clue) {
    if (found.error == errc::not_found) {
      intake.record_failed_lookup(std::chrono::steady_clock::now());
      co_return refuse(errc::not_found, "no report has this receipt");
    }
    co_return read_refusal(found.error);
  }
  co_return intake.sessions().open(*found.clue, SystemClock::now());
}

bool followup_session_open(const CitizenContext& context, const FollowupToken& session) {
  return context.intake->sessions().find(session, SystemClock::now()).has_value();
}

boost::asio::awaitable<Outcome<FollowupView>> read_followup(CitizenContext context,
                                                            FollowupToken session) {
  const WipedToken wiped{session};
  auto clue_id = session_clue(context, session);
  if (!clue_id) co_return clue_id.error();
  ClueRead read = co_await run_blocking(*context.blocking_pool,
                                        std::bind_front(&read_clue, context.store, *clue_id, true));
  if (!read.clue) co_return read_refusal(read.error);
  FollowupView view{.clue = std::move(*read.clue),
                    .unit = std::nullopt,
                    .deployment_key = {},
                    .history = {},
                    .replies = std::move(read.replies),
                    .messages = std::move(read.messages)};
  view.unit = context.intake->unit(view.clue.unit_id);
  if (const auto deployment = context.intake->deployment()) {
    view.deployment_key = deployment->site_signing_public_key;
  }
  const Intake* intake = context.intake;
  view.history = followup_history(view.clue, [intake](std::uint32_t id) {
    const auto unit = intake->unit(id);
    return unit ? unit->name : "unit " + std::to_string(id);
  });
  co_return view;
}

boost::asio::awaitable<Outcome<MessageAnswer>> post_followup_message(CitizenContext context,
                                                                     FollowupToken session,
                                                                     std::string sealed) {
  const WipedToken wiped{session};
  auto clue_id = session_clue(context, session);
  if (!clue_id) co_return clue_id.error();
  auto payload = crypto::parse_payload(bytes_of(sealed));
  if (!payload) co_return refuse(errc::invalid_argument, "malformed sealed message");
  // One writer per clue at a time: the message number comes from the record.
  auto claim = context.intake->claims().claim(storage::clue_claim_key(*clue_id));
  if (!claim) co_return refuse(errc::conflict, "another change is in progress; retry");
  ClueRead read = co_await run_blocking(
      *context.blocking_pool, std::bind_front(&read_clue, context.store, *clue_id, false));
  if (!read.clue) co_return read_refusal(read.error);
  storage::Clue& clue = *read.clue;
  const std::optional<storage::Unit> unit = context.intake->unit(clue.unit_id);
  if (!unit) co_return refuse(errc::internal, "internal error");
  if (!same_key_set(payload->recipients, current_keys(*unit))) {
    ResealToUnit reseal{.unit = *unit, .deployment_key = {}};
    if (const auto deployment = context.intake->deployment()) {
      reseal.deployment_key = deployment->site_signing_public_key;
    }
    co_return MessageAnswer{std::move(reseal)};
  }
  const storage::UnixSeconds now = citizen_time(SystemClock::now());
  if (auto within = message_limits(clue, sealed.size(), now); !within) co_return within.error();
  const result<void> room = co_await free_space(context.intake, context.blocking_pool);
  if (!room) co_return disk_full_refusal();
  clue.message_bytes += sealed.size();
  clue.message_times.push_back(now);
  const storage::SealedNote note{now, std::move(sealed)};
  clue.messages += 1;
  std::vector<Mutation> batch = message_batch(clue, note);
  const auto written = co_await commit_mutations(context.writer, std::move(batch));
  if (!written) co_return write_refusal(*context.intake, written.error(), "the message");
  co_return MessageAnswer{MessageStored{clue.messages, note.sent_at}};
}

boost::asio::awaitable<Outcome<PartStored>> put_attachment_part(CitizenContext context,
                                                                FollowupToken session,
                                                                AttachmentPart upload) {
  const WipedToken wiped{session};
  auto clue_id = session_clue(context, session);
  if (!clue_id) co_return clue_id.error();
  if (upload.index >= kMaxAttachments) {
    co_return refuse(errc::invalid_argument, "at most 8 attachments per report (n is 0..7)");
  }
  if (upload.bytes.empty()) co_return refuse(errc::invalid_argument, "empty part");
  auto claim = context.intake->claims().claim(storage::clue_claim_key(*clue_id));
  if (!claim) co_return refuse(errc::conflict, "another upload is in progress; retry");
  ClueRead read = co_await run_blocking(
      *context.blocking_pool, std::bind_front(&read_clue, context.store, *clue_id, false));
  if (!read.clue) co_return read_refusal(read.error);
  storage::Clue& clue = *read.clue;
  if (clue.status == storage::ClueStatus::kClosed) {
    co_return refuse(errc::conflict, "this report is closed: it takes no more attachments");
  }
  const std::uint32_t index = upload.index;
  auto state =
      std::find_if(clue.attachments.begin(), clue.attachments.end(),
                   [index](const storage::AttachmentState& a) { return a.index == index; });
  if (state == clue.attachments.end()) {
    clue.attachments.push_back({.index = static_cast<std::uint8_t>(index)});
    state = std::prev(clue.attachments.end());
  }
  if (state->complete) co_return refuse(errc::conflict, "attachment already complete");
  if (state->parts != upload.part) {
    co_return refuse(errc::conflict,
                     "parts must come in order; the next part is " + std::to_string(state->parts));
  }
  std::uint64_t clue_total = 0;
  for (const storage::AttachmentState& a : clue.attachments) clue_total += a.bytes;
  if (state->bytes + upload.bytes.size() > kMaxAttachmentBytes ||
      clue_total + upload.bytes.size() > kMaxClueAttachmentBytes) {
    co_return refuse(errc::payload_too_large,
                     "attachment limit reached (16 MiB per attachment, 64 MiB per report)");
  }
  const std::uint64_t total = state->bytes + upload.bytes.size();
  if (upload.final_part) {
    const bool valid_length =
        total > crypto::kAttachmentHeaderBytes &&
        (total - crypto::kAttachmentHeaderBytes) % crypto::kAttachmentCipherChunkBytes == 0;
    if (!valid_length) {
      co_return refuse(errc::invalid_argument, "the attachment is not a whole encrypted stream");
    }
  }
  const result<void> room = co_await free_space(context.intake, context.blocking_pool);
  if (!room) co_return disk_full_refusal();
  const std::uint64_t part_bytes = upload.bytes.size();
  if (auto reserved = context.intake->reserve_attachment_bytes(part_bytes); !reserved) {
    co_return refuse(errc::storage_no_space,
                     "the server's room for attachments is used up: the part was not stored");
  }
  state->bytes = total;
  state->parts += 1;
  state->complete = upload.final_part;
  std::vector<Mutation> batch =
      part_batch(clue, static_cast<std::uint8_t>(index), upload.part, std::move(upload.bytes));
  const auto written = co_await commit_mutations(context.writer, std::move(batch));
  if (!written) {
    // Given back only when the batch surely was not applied; after a disk
    // error it may have been, and the stored total is then the truth (read
    // again at the next start).
    const errc e = errc_of(written.error());
    if (e == errc::unavailable || e == errc::invalid_argument || e == errc::conflict) {
      context.intake->release_attachment_bytes(part_bytes);
    }
    co_return write_refusal(*context.intake, written.error(), "the part");
  }
  context.intake->record_attachment_bytes(clue.site_id, part_bytes,
                                          std::chrono::steady_clock::now());
  co_return PartStored{index, upload.part, total, upload.final_part};
}

}  // namespace clueline::services
