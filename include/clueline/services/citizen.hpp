// The citizen's use cases (docs/api.md): poster check, site information, the
// route with its proof-of-work challenge, report submission, follow-up with
// the receipt, messages and attachment parts. The server's handlers only
// turn HTTP into these calls and their answers into JSON.
//
// Every function is safe to call from any thread at once. The coroutines run
// on the caller's executor and move every RocksDB read to
// `context.blocking_pool` and every write to `context.writer` (answering only
// after the WAL sync); they never block the calling thread.
//
// A refusal changes nothing stored and spends nothing another reporter
// needs; its message says what was wrong (docs/api.md lists each).
#pragma once

#include <array>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "clueline/crypto/pow.hpp"
#include "clueline/services/followup_history.hpp"
#include "clueline/services/intake.hpp"
#include "clueline/services/outcome.hpp"
#include "clueline/storage/group_commit.hpp"
#include "clueline/storage/records.hpp"
#include "clueline/storage/store.hpp"

namespace clueline::services {

// Attachment limits (docs/api.md).
inline constexpr std::size_t kMaxAttachments = 8;
inline constexpr std::size_t kMaxAttachmentPartBytes = std::size_t{1} << 20;
inline constexpr std::uint64_t kMaxAttachmentBytes = std::uint64_t{16} << 20;
inline constexpr std::uint64_t kMaxClueAttachmentBytes = std::uint64_t{64} << 20;

// Follow-up message limits per clue (docs/api.md). A solved report buys at
// most kMaxClueMessageBytes of messages and kMaxClueAttachmentBytes of
// attachments, whoever holds its receipt.
inline constexpr std::uint32_t kMaxClueMessages = 100;
inline constexpr std::uint64_t kMaxClueMessageBytes = std::uint64_t{4} << 20;
inline constexpr std::size_t kMaxClueMessagesPerHour = 20;

// What the citizen use cases work with; not owned, all outlive every call.
struct CitizenContext {
  Intake* intake = nullptr;
  storage::Store* store = nullptr;               // read on blocking_pool only
  storage::GroupCommitWriter* writer = nullptr;  // every durable write
  boost::asio::thread_pool* blocking_pool = nullptr;
  // The languages the citizen page has catalogs for (the embedded web
  // assets, web::page_languages()), advertised by the sites API.
  std::vector<std::string> page_languages;
};

// ---- sites and routes (no I/O) ------------------------------------------------

// The poster of `token` (115 base64url characters): not_found for a malformed
// or forged token, gone for a revoked one.
Outcome<SiteContext> check_poster(const Intake& intake, std::string_view token);

struct SiteInfo {
  SiteContext site;
  std::vector<std::string> categories;      // the policy's, in its order
  std::vector<std::string> accused_levels;  // the levels, highest first
  std::vector<std::string> languages;       // of the citizen page
  storage::Bytes16 receipt_salt{};
  std::string poster_code;  // crypto::poster_code of the token, printed on the poster
};
// `languages` is what the answer advertises (CitizenContext::page_languages).
Outcome<SiteInfo> site_info(const Intake& intake, std::string_view token,
                            std::vector<std::string> languages);

// Where a report from this poster about (category, accused level) goes, the
// keys to seal to and a fresh single-use challenge. invalid_argument names
// the unknown category or level and lists the accepted ones; not_found when
// no unit above the site can receive yet.
struct RouteOffer {
  RouteAnswer route;
  ChallengeBook::Issued challenge;
  storage::Bytes16 receipt_salt{};
  storage::Bytes32 deployment_key{};  // clients check the keys' certificates with it
};
Outcome<RouteOffer> offer_route(Intake& intake, std::string_view token, std::string_view category,
                                std::string_view accused_level, SystemClock::time_point now);

// ---- reports ------------------------------------------------------------------

// A stored report, with a follow-up session when one could be opened.
struct ReportAccepted {
  storage::Clue clue;
  std::optional<SessionTable::Opened> session;
};
// The envelope was sealed to other keys than the route's now, or its proof
// of work was priced too far below the current price: seal again to these
// keys with this route's challenge (the old one was not spent).
struct ResealRequired {
  RouteOffer route;
};
using SubmitAnswer = std::variant<ReportAccepted, ResealRequired>;

// Checks the envelope (docs/api.md, in the order listed there) and stores it
// durably. Refusals: invalid_argument (malformed envelope, unknown category
// or level), not_found / gone (poster), authentication_failed (proof of
// work), conflict (challenge or receipt used already), storage_no_space
// (the disk is under ops.min_free_disk_bytes), unavailable (the writer's
// queue is full), storage errors. A valid proof whose price has since
// risen by more than Intake::kPriceSlackBits gets ResealRequired with a
// challenge at the current price, its own unspent.
boost::asio::awaitable<Outcome<SubmitAnswer>> submit_report(CitizenContext context,
                                                            std::string envelope);

// ---- follow-up ----------------------------------------------------------------

using FollowupToken = std::array<std::byte, 32>;

// A challenge for opening a follow-up session, at the lookup price now
// (Intake::lookup_difficulty). No I/O.
ChallengeBook::Issued followup_challenge(Intake& intake, SystemClock::time_point now);

struct SessionRequest {
  std::vector<std::byte> lookup_key;  // 32 bytes, from the receipt (crypto-spec §6)
  crypto::PowChallenge challenge{};   // from followup_challenge()
  crypto::PowNonce nonce{};
};
// A session for the clue whose receipt gives `lookup_key`. The proof of work
// comes first: authentication_failed for one missing, wrong, expired or
// issued for anything else, conflict for one spent already, neither
// touching shared state. Then invalid_argument for a key of another size
// and not_found for an unknown receipt (which raises the lookup price).
// Nobody who pays the price is refused; the key is wiped before returning.
boost::asio::awaitable<Outcome<SessionTable::Opened>> open_followup_session(CitizenContext context,
                                                                            SessionRequest request);

// Whether `session` is open now: one digest and a map lookup, no I/O; for
// refusing a request before its body is read.
bool followup_session_open(const CitizenContext& context, const FollowupToken& session);

struct SealedNoteView {
  std::uint32_t seq = 0;
  storage::UnixSeconds sent_at = 0;
  std::string payload;  // empty for the reporter's own messages
};
struct FollowupView {
  storage::Clue clue;
  std::optional<storage::Unit> unit;  // the handling unit; none if unknown
  storage::Bytes32 deployment_key{};  // certifies the unit's keys (crypto-spec §3.1)
  std::vector<FollowupStep> history;  // followup_history.hpp
  std::vector<SealedNoteView> replies;
  std::vector<SealedNoteView> messages;
};
// not_found for an unknown or expired session.
boost::asio::awaitable<Outcome<FollowupView>> read_followup(CitizenContext context,
                                                            FollowupToken session);

struct MessageStored {
  std::uint32_t seq = 0;
  storage::UnixSeconds sent_at = 0;
};
// The message was sealed to other keys than the handling unit's: seal again.
struct ResealToUnit {
  storage::Unit unit;
  storage::Bytes32 deployment_key{};
};
using MessageAnswer = std::variant<MessageStored, ResealToUnit>;
// Stores a sealed message (crypto-spec §4, message domain). invalid_argument
// for a malformed payload; conflict while another change of the clue runs;
// payload_too_large past kMaxClueMessages or kMaxClueMessageBytes;
// rate_limited (with retry_after) past kMaxClueMessagesPerHour.
boost::asio::awaitable<Outcome<MessageAnswer>> post_followup_message(CitizenContext context,
                                                                     FollowupToken session,
                                                                     std::string sealed_payload);

struct AttachmentPart {
  std::uint32_t index = 0;  // attachment number, < kMaxAttachments
  std::uint32_t part = 0;   // 0, 1, 2, ... in order
  bool final_part = false;
  std::string bytes;
};
struct PartStored {
  std::uint32_t index = 0;
  std::uint32_t part = 0;
  std::uint64_t total_bytes = 0;
  bool complete = false;
};
// invalid_argument (index, empty part, not a whole stream at the end),
// conflict (out of order, complete already, another upload running, the
// clue closed), payload_too_large (per-attachment or per-clue limit),
// storage_no_space (the deployment's attachment quota or the free disk).
boost::asio::awaitable<Outcome<PartStored>> put_attachment_part(CitizenContext context,
                                                                FollowupToken session,
                                                                AttachmentPart part);

}  // namespace clueline::services
