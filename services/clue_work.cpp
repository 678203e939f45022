#include "clueline/services/clue_work.hpp"

#include <algorithm>
#include <functional>
#include <utility>

#include "blocking_read.hpp"
#include "clueline/crypto/encoding.hpp"
#include "clueline/services/blocking.hpp"
#include "clueline/storage/stats.hpp"
#include "commit.hpp"

namespace clueline::services {
namespace {

using storage::Family;

constexpr std::size_t kMaxCursorBytes = 64;

storage::UnixSeconds now_seconds(const ClueWorkContext& context) {
  return now_seconds(*context.auth);
}

Refusal unreadable() {
  return refuse(errc::unavailable, "the clue could not be read; try again", 1);
}

Read<storage::Clue> read_clue(const storage::Store* store, storage::ClueId id) {
  auto stored = store->get(Family::kClues, storage::clue_key(id));
  if (!stored) return {errc_of(stored.error()), std::nullopt};
  return read_of(storage::decode_clue(*stored));
}

bool matches(const QueueQuery& query, const storage::Clue& clue, storage::UnixSeconds now) {
  if (!query.category.empty() && clue.category != query.category) return false;
  if (query.site_id != 0 && clue.site_id != query.site_id) return false;
  return !query.overdue || clue_overdue(clue, now);
}

// The page of `query` from the index entries at or after `start` under
// `prefix`: at most kQueueScanBudget entries looked at, read in chunks so
// that a page without filters reads only the entries it shows (and one
// entry more, to tell whether there is a next page). Each entry holds a copy
// of its clue's record (storage::QueueEntry), so a chunk is one scan.
Read<QueuePage> read_queue_page(const storage::Store* store, std::uint32_t unit, std::string prefix,
                                std::string start, QueueQuery query, storage::UnixSeconds now) {
  // Filters that skip entries; without them a chunk is the page plus one.
  const bool filtered =
      !query.category.empty() || query.site_id != 0 || query.overdue || query.escalated.has_value();
  QueuePage page;
  std::size_t looked_at = 0;
  bool exhausted = false;
  while (page.items.size() < query.limit && looked_at < kQueueScanBudget && !exhausted) {
    const std::size_t wanted = query.limit - page.items.size();
    const std::size_t chunk =
        std::min(kQueueScanBudget - looked_at,
                 filtered ? std::max<std::size_t>(wanted + 1, 64) : wanted + 1);
    const auto entries = store->scan_from(Family::kQueue, prefix, start, chunk);
    if (!entries) return {errc_of(entries.error()), std::nullopt};
    exhausted = entries->size() < chunk;
    std::size_t next = 0;  // the first entry not looked at
    for (; next < entries->size() && page.items.size() < query.limit; ++next) {
      auto entry = storage::decode_queue_entry((*entries)[next].second);
      if (!entry) return {errc_of(entry.error()), std::nullopt};
      if (query.escalated && *query.escalated != entry->escalated) continue;
      // Written in the same batch as the record, so this is the clue as it
      // is; the check only guards against a record that names another unit.
      if (clue_access(entry->clue, unit) == ClueAccess::kNone) continue;
      if (matches(query, entry->clue, now)) {
        page.items.push_back({.clue = std::move(entry->clue), .escalated = entry->escalated});
      }
    }
    if (next < entries->size()) exhausted = false;  // more after the page
    looked_at += next;
    if (next == 0) break;
    start = (*entries)[next - 1].first;
    start.push_back('\0');  // the successor of the last key looked at
  }
  if (!exhausted && looked_at > 0) page.next_cursor = crypto::to_base64url(crypto::as_bytes(start));
  return {errc::internal, std::move(page)};
}

Read<ClueView> read_clue_view(const storage::Store* store, storage::ClueId id) {
  auto clue = read_clue(store, id);
  if (!clue.value) return {clue.error, std::nullopt};
  ClueView view;
  auto envelope = store->get(Family::kClues, storage::envelope_key(id));
  if (!envelope) return {errc_of(envelope.error()), std::nullopt};
  view.envelope = std::move(*envelope);
  const auto notes = [&](std::uint32_t count, auto key_of, std::vector<SealedNoteView>& into) {
    const std::uint32_t first = count > kMaxNotesShown ? count - kMaxNotesShown + 1 : 1;
    for (std::uint32_t seq = first; seq <= count; ++seq) {
      auto stored = store->get(Family::kClues, key_of(id, seq));
      if (!stored) return errc_of(stored.error());
      auto note = storage::decode_note(*stored);
      if (!note) return errc_of(note.error());
      into.push_back({.seq = seq, .sent_at = note->sent_at, .payload = std::move(note->payload)});
    }
    return errc{};
  };
  if (const errc failed = notes(clue.value->messages, &storage::message_key, view.messages);
      failed != errc{}) {
    return {failed, std::nullopt};
  }
  if (const errc failed = notes(clue.value->replies, &storage::reply_key, view.replies);
      failed != errc{}) {
    return {failed, std::nullopt};
  }
  view.clue = std::move(*clue.value);
  return {errc::internal, std::move(view)};
}

struct ReadPart {
  Read<storage::Clue> clue;
  Read<std::string> part;
};

ReadPart read_part(const storage::Store* store, storage::ClueId id, std::uint8_t index,
                   std::uint32_t part) {
  ReadPart read{.clue = read_clue(store, id), .part = {}};
  if (!read.clue.value) return read;
  const auto& attachments = read.clue.value->attachments;
  const auto state = std::find_if(attachments.begin(), attachments.end(),
                                  [index](const auto& a) { return a.index == index; });
  if (state == attachments.end() || !state->complete || part >= state->parts) {
    read.part.error = errc::not_found;
    return read;
  }
  auto stored = store->get(Family::kClues, storage::attachment_part_key(id, index, part));
  if (!stored) {
    read.part.error = errc_of(stored.error());
    return read;
  }
  read.part.value = std::move(*stored);
  return read;
}

struct ReadForAction {
  Read<storage::Clue> clue;
  Read<storage::Clue> other;  // the clue a duplicate links, when asked
};

ReadForAction read_for_action(const storage::Store* store, storage::ClueId id,
                              std::optional<storage::ClueId> other) {
  ReadForAction read{.clue = read_clue(store, id), .other = {}};
  if (other) read.other = read_clue(store, *other);
  return read;
}

// The change an action stores. (Outside the coroutine: g++ 12 mis-handles
// aggregates with array members in coroutine frames.)
storage::GroupCommitWriter::Submission submission_for(const storage::Clue& before,
                                                      ClueTransition transition) {
  storage::GroupCommitWriter::Submission submission;
  submission.mutations.push_back(
      {Family::kClues, storage::clue_key(transition.after.id), storage::encode(transition.after)});
  for (storage::Mutation& mutation : storage::index_mutations(&before, transition.after)) {
    submission.mutations.push_back(std::move(mutation));
  }
  for (storage::Mutation& mutation : storage::stats_mutations(&before, transition.after)) {
    submission.mutations.push_back(std::move(mutation));
  }
  for (storage::Mutation& record : transition.records) {
    submission.mutations.push_back(std::move(record));
  }
  submission.audit.push_back(std::move(transition.audit));
  return submission;
}

storage::GroupCommitWriter::Submission audit_only(storage::AuditRecord record) {
  storage::GroupCommitWriter::Submission submission;
  submission.audit.push_back(std::move(record));
  return submission;
}

}  // namespace

bool clue_overdue(const storage::Clue& clue, storage::UnixSeconds now) noexcept {
  if (clue.status == storage::ClueStatus::kClosed) return false;
  const bool unacknowledged = clue.status == storage::ClueStatus::kReceived;
  return (unacknowledged && clue.acknowledge_by < now) || clue.handle_by < now;
}

boost::asio::awaitable<Outcome<QueuePage>> read_queue(ClueWorkContext context, Actor actor,
                                                      QueueQuery query) {
  const std::uint32_t unit = query.unit_id == 0 ? actor.unit_id : query.unit_id;
  const auto registry = context.auth->registry->current();
  if (unit != actor.unit_id ||
      authorize(actor, Action::kWorkClues, {.unit_id = unit}, registry->tree) != Verdict::kAllow) {
    co_return refuse(errc::forbidden,
                     "only handlers and unit admins see a queue, that of their own unit");
  }
  if (query.limit == 0 || query.limit > kMaxQueuePage) {
    co_return refuse(errc::invalid_argument, "limit must be 1 to 200");
  }
  std::string prefix = storage::queue_prefix(unit);
  if (query.status) prefix.push_back(static_cast<char>(*query.status));
  std::string start = prefix;
  if (!query.cursor.empty()) {
    const auto decoded = crypto::from_base64url(query.cursor);
    if (!decoded || decoded->size() > kMaxCursorBytes) {
      co_return refuse(errc::invalid_argument, "cursor: not one this server gave");
    }
    start.assign(reinterpret_cast<const char*>(decoded->data()), decoded->size());
    if (!start.starts_with(prefix)) {
      co_return refuse(errc::invalid_argument,
                       "cursor: from another query (keep the filters of the first page)");
    }
  }
  auto page = co_await run_blocking(
      *context.auth->blocking_pool,
      std::bind_front(&read_queue_page, context.auth->store, unit, std::move(prefix),
                      std::move(start), std::move(query), now_seconds(context)));
  if (!page.value) co_return refuse(page.error, "the queue could not be read; try again", 1);
  co_return std::move(*page.value);
}

boost::asio::awaitable<Outcome<ClueView>> open_clue(ClueWorkContext context, Actor actor,
                                                    storage::ClueId id) {
  const auto registry = context.auth->registry->current();
  // A role that never sees clues learns nothing, not even whether one exists.
  if (!works_clues(actor, registry->tree)) co_return refuse(errc::not_found, "no such clue");
  auto view = co_await run_blocking(*context.auth->blocking_pool,
                                    std::bind_front(&read_clue_view, context.auth->store, id));
  if (!view.value) {
    if (view.error == errc::not_found) co_return refuse(errc::not_found, "no such clue");
    co_return unreadable();
  }
  if (auto refused = may_see_clue(actor, view.value->clue, registry->tree)) co_return *refused;
  view.value->access = clue_access(view.value->clue, actor.unit_id);
  view.value->transfer_targets = transfer_targets(
      view.value->clue, actor,
      {.registry = registry.get(), .policy = context.policy, .deadlines = context.deadlines},
      now_seconds(context));
  auto written = co_await commit(
      context.auth->writer,
      audit_only(clue_opened_record(view.value->clue, actor, now_seconds(context))));
  if (!written) {
    co_return refuse(errc::unavailable, "the opening could not be logged; try again", 1);
  }
  co_return std::move(*view.value);
}

boost::asio::awaitable<Outcome<std::string>> read_attachment_part(ClueWorkContext context,
                                                                  Actor actor, storage::ClueId id,
                                                                  std::uint8_t index,
                                                                  std::uint32_t part) {
  const auto registry = context.auth->registry->current();
  if (!works_clues(actor, registry->tree)) co_return refuse(errc::not_found, "no such clue");
  auto read =
      co_await run_blocking(*context.auth->blocking_pool,
                            std::bind_front(&read_part, context.auth->store, id, index, part));
  if (!read.clue.value) {
    if (read.clue.error == errc::not_found) co_return refuse(errc::not_found, "no such clue");
    co_return unreadable();
  }
  if (auto refused = may_see_clue(actor, *read.clue.value, registry->tree)) co_return *refused;
  if (!read.part.value) {
    if (read.part.error == errc::not_found) {
      co_return refuse(errc::not_found, "no such attachment part (or the upload is incomplete)");
    }
    co_return unreadable();
  }
  co_return std::move(*read.part.value);
}

namespace {

// Everything act_on_clue and move_clue share: authorization, the claim, the
// reads, the plan and the synced batch.
boost::asio::awaitable<Outcome<ClueMoveAnswer>> apply_action(ClueWorkContext context, Actor actor,
                                                             storage::ClueId id,
                                                             ClueActionRequest request) {
  const auto registry = context.auth->registry->current();
  if (!works_clues(actor, registry->tree)) co_return refuse(errc::not_found, "no such clue");
  // Held until the change is synced: the escalation job and a reporter's
  // message rewrite the same record under the same claim.
  auto claim = context.auth->claims->claim(storage::clue_claim_key(id));
  if (!claim) {
    co_return refuse(errc::unavailable, "another change of this clue is being written; try again",
                     1);
  }
  auto read = co_await run_blocking(
      *context.auth->blocking_pool,
      std::bind_front(&read_for_action, context.auth->store, id, request.other));
  if (!read.clue.value) {
    if (read.clue.error == errc::not_found) co_return refuse(errc::not_found, "no such clue");
    co_return unreadable();
  }
  if (request.other) {
    // The earlier clue must be one this unit sees too, or linking it would
    // tell whether a clue exists.
    if (!read.other.value && read.other.error != errc::not_found) co_return unreadable();
    if (!read.other.value || may_see_clue(actor, *read.other.value, registry->tree)) {
      if (may_see_clue(actor, *read.clue.value, registry->tree)) {
        co_return refuse(errc::not_found, "no such clue");
      }
      co_return refuse(errc::invalid_argument,
                       "duplicate_of: no such clue among those your unit sees");
    }
  }
  const bool move =
      request.action == ClueAction::kTransfer || request.action == ClueAction::kRecuse;
  std::optional<ClueTransition> transition;
  if (move) {
    auto planned = plan_clue_move(
        *read.clue.value, request, actor,
        {.registry = registry.get(), .policy = context.policy, .deadlines = context.deadlines},
        now_seconds(context));
    if (!planned) co_return planned.error();
    if (auto* reseal = std::get_if<ResealForUnit>(&*planned)) {
      if (registry->deployment)
        reseal->deployment_key = registry->deployment->site_signing_public_key;
      co_return std::move(*reseal);
    }
    transition = std::get<ClueTransition>(std::move(*planned));
  } else {
    auto planned = plan_clue_action(*read.clue.value, request, actor, registry->tree,
                                    *context.deadlines, now_seconds(context));
    if (!planned) co_return planned.error();
    transition = std::move(*planned);
  }
  storage::Clue after = transition->after;
  auto written = co_await commit(context.auth->writer,
                                 submission_for(*read.clue.value, std::move(*transition)));
  if (!written) {
    co_return refuse(errc::unavailable,
                     "the change could not be stored; nothing was changed, try again", 1);
  }
  co_return after;
}

}  // namespace

boost::asio::awaitable<Outcome<storage::Clue>> act_on_clue(ClueWorkContext context, Actor actor,
                                                           storage::ClueId id,
                                                           ClueActionRequest request) {
  if (request.action == ClueAction::kTransfer || request.action == ClueAction::kRecuse) {
    co_return refuse(errc::invalid_argument, "a transfer or recusal is a move (move_clue)");
  }
  auto answer = co_await apply_action(context, actor, id, std::move(request));
  if (!answer) co_return answer.error();
  co_return std::get<storage::Clue>(std::move(*answer));
}

boost::asio::awaitable<Outcome<ClueMoveAnswer>> move_clue(ClueWorkContext context, Actor actor,
                                                          storage::ClueId id,
                                                          ClueActionRequest request) {
  if (request.action != ClueAction::kTransfer && request.action != ClueAction::kRecuse) {
    co_return refuse(errc::invalid_argument, "not a move: transfer or recuse");
  }
  co_return co_await apply_action(context, actor, id, std::move(request));
}

}  // namespace clueline::services
