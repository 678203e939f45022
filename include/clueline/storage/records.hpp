// The records clueline keeps, their keys and their encoding.
//
// Every value is versioned JSON ({"v":1,...}) except bulk bytes (a sealed
// envelope, attachment parts), which are stored raw under their own keys.
// Binary fields inside JSON are lower-case hex. Keys are fixed-width big-endian so
// that bytewise order is numeric order (queues scan by unit, then status,
// then time).
//
// Decoding untrusted-looking bytes (a corrupt or foreign value) never
// throws: decode_* return errc::storage_corruption for anything that is not a
// record this version wrote.
//
// The registry functions (units, sites, deployment) read and write a Store
// directly and are meant for the command-line tools and start-up; they are
// blocking and not meant for network threads. Thread safety: the functions
// are stateless; allocating ids (add_unit, add_site) is not safe against a
// concurrent allocation in another thread or process (the CLI holds the
// database lock, the server never allocates ids).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "clueline/common/error.hpp"
#include "clueline/storage/store.hpp"

namespace clueline::storage {

using Bytes16 = std::array<std::byte, 16>;
using Bytes32 = std::array<std::byte, 32>;
using ClueId = Bytes16;

// Seconds since the Unix epoch, UTC.
using UnixSeconds = std::int64_t;

// Deployment-wide settings kept in the database (kMeta "deployment").
struct Deployment {
  Bytes32 site_signing_public_key{};  // Ed25519: verifies every site token
  Bytes16 receipt_salt{};             // crypto-spec §6, random per deployment
  friend bool operator==(const Deployment&, const Deployment&) = default;
};

struct UnitKey {
  Bytes16 key_id{};
  Bytes32 public_key{};  // X25519
  bool current = true;   // new envelopes are sealed to current keys only
  // crypto-spec §3.1, raw bytes (at most 169); empty for a key stored before
  // certificates, which clients refuse until it is certified.
  std::string certificate;
  friend bool operator==(const UnitKey&, const UnitKey&) = default;
};

struct Unit {
  std::uint32_t id = 0;         // >= 1, assigned by add_unit
  std::string name;             // 1..200 bytes of UTF-8
  std::string level;            // a configured routing level name
  std::uint32_t parent_id = 0;  // 0 for the root
  std::vector<UnitKey> keys;    // a unit with a current key is "receiving"
  bool active = true;
  bool receiving() const noexcept;
  friend bool operator==(const Unit&, const Unit&) = default;
};

struct Site {
  std::uint32_t id = 0;             // >= 1, assigned by add_site
  std::string name;                 // 1..200 bytes of UTF-8
  std::uint32_t unit_id = 0;        // the locality the site belongs to
  std::string kind;                 // e.g. village_board, school, clinic ([a-z0-9_]{1,32})
  std::uint16_t token_version = 1;  // bumped by revoke_site
  friend bool operator==(const Site&, const Site&) = default;
};

enum class ClueStatus : std::uint8_t { kReceived = 1, kAcknowledged, kInvestigating, kClosed };
std::string_view status_name(ClueStatus status) noexcept;

struct AttachmentState {
  std::uint8_t index = 0;
  std::uint64_t bytes = 0;
  std::uint32_t parts = 0;
  bool complete = false;
  friend bool operator==(const AttachmentState&, const AttachmentState&) = default;
};

// One rule of a routing decision, as stored with the clue and shown to
// supervisors (routing::Step, without the dependency on routing/).
struct RouteStep {
  std::string rule;  // routing::rule_name(), e.g. "graded_jurisdiction"
  std::uint32_t unit_id = 0;
  std::string text;
  friend bool operator==(const RouteStep&, const RouteStep&) = default;
};

// The clue became visible to a unit above the handling unit because a
// deadline passed (routing/escalation.hpp).
struct Escalation {
  std::uint32_t unit_id = 0;  // the unit that now sees the clue in its queue
  std::string reason;         // routing::reason_name(), e.g. "acknowledge_overdue"
  UnixSeconds deadline = 0;   // the deadline that was missed
  UnixSeconds at = 0;         // when the escalation job made it visible
  friend bool operator==(const Escalation&, const Escalation&) = default;
};

// One step of a clue's handling, as supervisors and (in plain words) the
// reporter see it. It names the unit that acted, never a person: who in the
// unit acted is in the audit log.
struct ClueEvent {
  UnixSeconds at = 0;
  std::string action;         // services::clue_action_name(), e.g. "acknowledge"
  std::uint32_t unit_id = 0;  // the unit that acted
  std::string detail;         // the outcome of a close, the clue a duplicate links; or empty
  friend bool operator==(const ClueEvent&, const ClueEvent&) = default;
};
// A clue's history holds at most this many events; more actions are refused.
inline constexpr std::size_t kMaxClueEvents = 256;

// A key entry added to a sealed envelope after the fact (crypto-spec §9.3,
// transfer): key_id ‖ the data key sealed to that key, made on the
// device of a supervisor who could open the clue.
struct KeyEntry {
  Bytes16 key_id{};
  std::array<std::byte, 80> sealed_key{};
  friend bool operator==(const KeyEntry&, const KeyEntry&) = default;
};
// A clue holds at most this many added key entries.
inline constexpr std::size_t kMaxKeyEntries = 32;

// What the server knows about a clue, apart from its sealed bytes.
struct Clue {
  ClueId id{};
  std::uint32_t site_id = 0;
  UnixSeconds received_at = 0;
  std::string category;
  std::string accused_level;  // empty = unknown
  std::uint32_t unit_id = 0;  // the unit currently handling it
  ClueStatus status = ClueStatus::kReceived;
  UnixSeconds acknowledge_by = 0;
  UnixSeconds handle_by = 0;
  Bytes32 receipt_lookup_hash{};
  Bytes32 reply_public_key{};
  std::vector<Bytes16> recipient_key_ids;  // the keys the envelope was sealed to
  std::uint32_t messages = 0;              // reporter -> unit, numbered 1..messages
  // When each message was sent, in seq order, so that listing them needs no
  // message read; clues stored before this field have none (and
  // message_bytes 0), which readers take from the messages themselves.
  std::vector<UnixSeconds> message_times;
  std::uint64_t message_bytes = 0;  // the sealed bytes of all messages
  std::uint32_t replies = 0;        // unit -> reporter, numbered 1..replies
  std::vector<AttachmentState> attachments;
  std::vector<RouteStep> route;              // why unit_id handles it, rule by rule
  std::vector<Escalation> escalations;       // oldest first; each unit at most once
  std::vector<ClueEvent> events;             // oldest first, at most kMaxClueEvents
  std::string outcome;                       // set while closed: services::kClueOutcomes
  std::optional<ClueId> duplicate_of;        // the earlier clue this one repeats
  std::vector<std::uint32_t> recused_units;  // units that recused themselves; never again
  std::vector<KeyEntry> key_entries;         // added by transfers, at most kMaxKeyEntries
  // When the escalation job must look at the clue next; 0 = never (closed,
  // or already visible all the way up). Indexed in kDeadlines.
  UnixSeconds next_check_at = 0;
  friend bool operator==(const Clue&, const Clue&) = default;
};

// A sealed follow-up message or reply as stored.
struct SealedNote {
  UnixSeconds sent_at = 0;
  std::string payload;  // the sealed payload bytes (crypto-spec §4)
};

// ---- keys -------------------------------------------------------------------

std::string unit_key(std::uint32_t unit_id);                        // kUnits
std::string site_key(std::uint32_t site_id);                        // kSites
inline constexpr std::string_view kDeploymentKey = "deployment";    // kMeta
inline constexpr std::string_view kNextUnitIdKey = "next_unit_id";  // kMeta
inline constexpr std::string_view kNextSiteIdKey = "next_site_id";  // kMeta

// kClues: the clue record, its envelope, its notes and attachment parts, all
// under the 16-byte id so that one prefix scan finds everything of a clue.
std::string clue_key(const ClueId& id);                        // id ‖ 'm'
std::string envelope_key(const ClueId& id);                    // id ‖ 'e'
std::string message_key(const ClueId& id, std::uint32_t seq);  // id ‖ 'x' ‖ u32be
std::string reply_key(const ClueId& id, std::uint32_t seq);    // id ‖ 'r' ‖ u32be
std::string attachment_part_key(const ClueId& id, std::uint8_t index, std::uint32_t part);
// kQueue: u32be unit ‖ u8 status ‖ u64be received_at ‖ id; value: see
// QueueEntry.
std::string queue_key(std::uint32_t unit_id, ClueStatus status, UnixSeconds received_at,
                      const ClueId& id);
std::string queue_prefix(std::uint32_t unit_id);
// The ClaimSet key (storage/claims.hpp) of whoever rewrites clue `id`'s record.
std::string clue_claim_key(const ClueId& id);  // "clue:" ‖ id
// kReceipts: the 32-byte lookup hash; value = clue id.
std::string receipt_key(const Bytes32& lookup_hash);
// kDeadlines: u64be next_check_at ‖ id; empty value. Bytewise order is time
// order, so the clues due first are the first keys of the family.
std::string deadline_key(UnixSeconds next_check_at, const ClueId& id);
// The parts of a kDeadlines key; storage_corruption if it is not one.
result<std::pair<UnixSeconds, ClueId>> parse_deadline_key(std::string_view key);

// A queue entry (kQueue value): how a unit relates to a clue in its queue,
// then a copy of the clue record as encode() writes it, so that a page of a
// queue is one scan of adjacent entries rather than one lookup per clue at a
// random place of the database. index_mutations keeps the copies equal to
// the record: every change of a clue rewrites its queue entries in the same
// batch.
struct QueueEntry {
  bool escalated = false;  // overdue below, visible here; false: the unit handles it
  Clue clue;
};
// storage_corruption unless `value` is a queue entry.
result<QueueEntry> decode_queue_entry(std::string_view value);

// The kQueue and kDeadlines mutations that move the indexes of a clue from
// `before` (nullptr for a new clue) to `after`: the handling unit's queue
// entry, one entry per escalation unit, and the deadline entry. Entries
// that do not change are left alone. `before` and `after` must be the same
// clue (same id).
std::vector<Mutation> index_mutations(const Clue* before, const Clue& after);

// ---- encoding ---------------------------------------------------------------

std::string encode(const Deployment& value);
std::string encode(const Unit& value);
std::string encode(const Site& value);
std::string encode(const Clue& value);
std::string encode(const SealedNote& value);
result<Deployment> decode_deployment(std::string_view bytes);
result<Unit> decode_unit(std::string_view bytes);
result<Site> decode_site(std::string_view bytes);
result<Clue> decode_clue(std::string_view bytes);
result<SealedNote> decode_note(std::string_view bytes);

// ---- registry changes -----------------------------------------------------------
//
// A change of the registry as both the offline tools (below) and the running
// server (services/admin.hpp, through the group-commit writer) write it: the
// mutations and what its audit entry says. Pure; no I/O.
struct RegistryChange {
  std::vector<Mutation> mutations;
  std::string action;  // "unit.add", "site.revoke", ...
  std::string object;  // "unit:7", "site:3", "deployment", ...
  std::string detail;  // JSON object text: the new values
};
// `unit.id` must be assigned; also sets kMeta next_unit_id to id + 1.
RegistryChange unit_added(const Unit& unit);
// `action` is "unit.update", "unit.add_key" or "unit.deactivate".
RegistryChange unit_updated(const Unit& unit, std::string action);
// `site.id` must be assigned; also sets kMeta next_site_id to id + 1.
RegistryChange site_added(const Site& site);
// `site` with its new token_version.
RegistryChange site_revoked(const Site& site);
RegistryChange deployment_saved(const Deployment& deployment);

// ---- registry (blocking) ------------------------------------------------------
//
// Every change below is written, in the same synced batch, with its audit
// entry (storage/audit.hpp): actor "operator:cli", actions
// "deployment.save", "unit.add", "unit.update", "site.add", "site.revoke",
// objects "deployment", "unit:<id>", "site:<id>", the new values as detail.
// An audit head that cannot be read fails the change (nothing is written).

// not_found if the deployment was never initialised.
result<Deployment> load_deployment(const Store& store);
// Writes the record (synced). Overwrites.
result<void> save_deployment(Store& store, const Deployment& deployment);

// Stores `unit` under the next free id (unit.id is ignored) and returns the
// id. invalid_argument for an empty or overlong name, a parent_id that does
// not exist, or duplicate key ids. The level is not checked here (the
// routing levels are configuration): callers check it.
result<std::uint32_t> add_unit(Store& store, Unit unit);
// Replaces an existing unit (same id), audited as `action`. not_found if
// absent.
result<void> put_unit(Store& store, const Unit& unit, std::string_view action = "unit.update");
result<Unit> get_unit(const Store& store, std::uint32_t unit_id);
// Every unit in id order (at most 1,000,000).
result<std::vector<Unit>> list_units(const Store& store);

// As add_unit, for sites; invalid_argument if unit_id does not exist or the
// kind is malformed.
result<std::uint32_t> add_site(Store& store, Site site);
result<Site> get_site(const Store& store, std::uint32_t site_id);
result<std::vector<Site>> list_sites(const Store& store);
// The id the next add_unit / add_site would assign (kMeta counters).
result<std::uint32_t> next_unit_id(const Store& store);
result<std::uint32_t> next_site_id(const Store& store);
// Increments token_version so that every poster printed before is refused
// (410); returns the updated site. not_found if absent.
result<Site> revoke_site(Store& store, std::uint32_t site_id);

}  // namespace clueline::storage
