// Supervisors working clues while the server runs: the queue of their unit,
// opening a clue, and acting on it (clue_lifecycle.hpp decides what is
// allowed). Every call is authorized first; opening a clue and every action
// are written to the audit log, in the same synced batch as the change for
// an action, and before the clue is shown for an opening.
//
// Thread safety: every function may be called from any thread; the
// context's pointers are not owned and must outlive every call.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "clueline/routing/deadlines.hpp"
#include "clueline/services/auth.hpp"
#include "clueline/services/citizen.hpp"
#include "clueline/services/clue_lifecycle.hpp"
#include "clueline/services/clue_moves.hpp"
#include "clueline/services/outcome.hpp"
#include "clueline/storage/records.hpp"

namespace clueline::services {

struct ClueWorkContext {
  AuthContext* auth = nullptr;  // store, writer, pool, claims (shared with intake), clock, registry
  const routing::DeadlinePolicy* deadlines = nullptr;
  const routing::Policy* policy = nullptr;  // for transfers and recusals
  // What posters print before /s/ (Config::Server::public_base_url); empty:
  // https:// and the Host of the request (poster checks).
  std::string public_base_url;
};

// ---- the queue ------------------------------------------------------------------

struct QueueQuery {
  std::uint32_t unit_id = 0;                  // 0: the actor's own unit (the only one allowed)
  std::optional<storage::ClueStatus> status;  // only clues in this state
  std::string category;                       // only this category; empty: any
  std::uint32_t site_id = 0;                  // only clues from this site; 0: any
  std::optional<bool> escalated;              // true: escalated to the unit; false: handled by it
  bool overdue = false;                       // only clues past a deadline now
  std::string cursor;                         // next_cursor of the previous page; empty: first
  std::size_t limit = 50;                     // 1..kMaxQueuePage
};
inline constexpr std::size_t kMaxQueuePage = 200;
// At most this many index entries are looked at per page, whatever the
// filters: a page costs the same however many clues the unit has, and a
// page that filters out much comes back short, with a cursor to go on.
inline constexpr std::size_t kQueueScanBudget = 1000;

struct QueueItem {
  storage::Clue clue;
  bool escalated = false;  // visible because a deadline passed below; handled elsewhere
};
struct QueuePage {
  std::vector<QueueItem> items;  // oldest first within a status; statuses in order
  std::string next_cursor;       // empty when there is nothing more
};
// Clues in the queue of the actor's unit, in index order (status, then
// received_at). forbidden for a role that works no clues or another unit;
// invalid_argument for a limit out of range or a malformed cursor.
boost::asio::awaitable<Outcome<QueuePage>> read_queue(ClueWorkContext context, Actor actor,
                                                      QueueQuery query);

// True if the clue is past a deadline at `now` (unacknowledged after
// acknowledge_by, or open after handle_by). Pure.
bool clue_overdue(const storage::Clue& clue, storage::UnixSeconds now) noexcept;

// ---- one clue -------------------------------------------------------------------

// Notes (SealedNoteView, citizen.hpp: payloads sealed per crypto-spec §4)
// shown with a clue: the latest ones, at most this many of each kind.
inline constexpr std::size_t kMaxNotesShown = 100;

struct ClueView {
  storage::Clue clue;
  ClueAccess access = ClueAccess::kNone;
  std::string envelope;                  // the sealed report as stored
  std::vector<SealedNoteView> messages;  // from the reporter, latest kMaxNotesShown
  std::vector<SealedNoteView> replies;   // to the reporter, latest kMaxNotesShown
  // Where the actor's unit may transfer it now (transfer_targets).
  std::vector<std::uint32_t> transfer_targets;
};
// The clue `id` as the actor's unit may see it, after writing "clue.open"
// to the audit log. not_found for a clue the unit does not see (or that does
// not exist); unavailable when the audit entry cannot be written (nothing is
// shown unaudited).
boost::asio::awaitable<Outcome<ClueView>> open_clue(ClueWorkContext context, Actor actor,
                                                    storage::ClueId id);

// Part `part` of attachment `index` of clue `id`, as uploaded (sealed with
// the attachment key that only the envelope holds; crypto-spec §7): for the
// units that see the clue, like open_clue, but not audited again (the key
// to read it comes only from an audited opening). not_found for a clue the
// unit does not see, an attachment that is not complete or a part beyond
// its last.
boost::asio::awaitable<Outcome<std::string>> read_attachment_part(ClueWorkContext context,
                                                                  Actor actor, storage::ClueId id,
                                                                  std::uint8_t index,
                                                                  std::uint32_t part);

// Applies `request` to clue `id` (plan_clue_action) and stores the new
// record, its index entries, the records the action adds (a reply) and the
// audit entry in one synced batch; the stored record is answered.
// unavailable (Retry-After 1) while another change of the same clue is
// being written. A transfer or recusal is invalid_argument here: move_clue.
boost::asio::awaitable<Outcome<storage::Clue>> act_on_clue(ClueWorkContext context, Actor actor,
                                                           storage::ClueId id,
                                                           ClueActionRequest request);

// A transfer or recusal (plan_clue_move), stored like act_on_clue: the
// stored record, or the unit whose keys the data key must be sealed to
// first (nothing is stored then).
using ClueMoveAnswer = std::variant<storage::Clue, ResealForUnit>;
boost::asio::awaitable<Outcome<ClueMoveAnswer>> move_clue(ClueWorkContext context, Actor actor,
                                                          storage::ClueId id,
                                                          ClueActionRequest request);

}  // namespace clueline::services
