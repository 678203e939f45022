#include "clueline/services/escalation.hpp"

#include <pthread.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <future>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "clueline/common/utc_time.hpp"
#include "clueline/crypto/encoding.hpp"
#include "clueline/routing/escalation.hpp"
#include "clueline/storage/stats.hpp"

namespace clueline::services {
namespace {

namespace json = boost::json;
using storage::Family;
using storage::Mutation;

// Entries read per scan beyond the ones already skipped in this pass, so
// that every page brings new due clues even if the first ones stay busy.
constexpr std::size_t kPageSize = 256;

enum class Outcome { kWrite, kBusy, kFailed };

storage::AuditRecord audit_record(const storage::Clue& clue, const routing::EscalationStep& step,
                                  storage::UnixSeconds now) {
  const json::object detail{{"unit_id", step.unit_id},
                            {"handling_unit_id", clue.unit_id},
                            {"reason", routing::reason_name(step.reason)},
                            {"deadline", utc_text(step.deadline)},
                            {"due_at", utc_text(step.due_at)}};
  return {.at = now,
          .actor = std::string(kEscalationActor),
          .action = std::string(kEscalationAction),
          .object = "clue:" + crypto::to_base64url(clue.id),
          .detail = json::serialize(detail)};
}

// What one due clue needs: the claim to hold until its write is synced, and
// the submission that escalates it (or only drops a stale index entry).
struct Prepared {
  Outcome outcome = Outcome::kFailed;
  std::optional<storage::ClaimSet::Claim> claim;
  storage::GroupCommitWriter::Submission submission;
  std::size_t steps = 0;
};

Prepared prepare(const storage::Store& store, const routing::Tree& tree,
                 const routing::DeadlinePolicy& policy, storage::ClaimSet& claims,
                 const std::string& index_key, storage::UnixSeconds indexed_at,
                 const storage::ClueId& id, storage::UnixSeconds now) {
  Prepared prepared;
  // Held until the write is synced: a follow-up message that rewrites the
  // record in between would otherwise be overwritten by the older copy read
  // here, or overwrite the escalation.
  auto claim = claims.claim(storage::clue_claim_key(id));
  if (!claim) {
    prepared.outcome = Outcome::kBusy;
    return prepared;
  }
  prepared.claim.emplace(std::move(*claim));
  const auto stored = store.get(Family::kClues, storage::clue_key(id));
  if (!stored && stored.error() != errc::not_found) return prepared;
  std::optional<storage::Clue> clue;
  if (stored) {
    auto decoded = storage::decode_clue(*stored);
    if (!decoded) return prepared;
    clue = std::move(*decoded);
  }
  prepared.outcome = Outcome::kWrite;
  if (!clue || clue->next_check_at != indexed_at) {
    // The record is gone, or its own index entry is another one: this one
    // is left over from an interrupted change and would come up forever.
    prepared.submission.mutations.push_back({Family::kDeadlines, index_key, std::nullopt});
    return prepared;
  }

  std::vector<std::uint32_t> visible;
  for (const storage::Escalation& escalation : clue->escalations) {
    visible.push_back(escalation.unit_id);
  }
  using Status = storage::ClueStatus;
  const routing::EscalationInput input{.unit_id = clue->unit_id,
                                       .acknowledged = clue->status != Status::kReceived,
                                       .closed = clue->status == Status::kClosed,
                                       .acknowledge_by = clue->acknowledge_by,
                                       .handle_by = clue->handle_by,
                                       .visible_to = visible};
  const routing::EscalationPlan plan = routing::plan_escalation(tree, policy, input, now);

  storage::Clue updated = *clue;
  for (const routing::EscalationStep& step : plan.steps) {
    updated.escalations.push_back({.unit_id = step.unit_id,
                                   .reason = std::string(routing::reason_name(step.reason)),
                                   .deadline = step.deadline,
                                   .at = now});
    prepared.submission.audit.push_back(audit_record(*clue, step, now));
  }
  updated.next_check_at = plan.next_check_at;
  auto& mutations = prepared.submission.mutations;
  mutations.push_back({Family::kClues, storage::clue_key(id), storage::encode(updated)});
  for (Mutation& mutation : storage::index_mutations(&*clue, updated)) {
    mutations.push_back(std::move(mutation));
  }
  for (Mutation& mutation : storage::stats_mutations(&*clue, updated)) {
    mutations.push_back(std::move(mutation));
  }
  prepared.steps = plan.steps.size();
  return prepared;
}

}  // namespace

EscalationPassResult run_escalation_pass(storage::Store& store, storage::GroupCommitWriter& writer,
                                         const routing::Tree& tree,
                                         const routing::DeadlinePolicy& policy,
                                         storage::ClaimSet& claims, storage::UnixSeconds now,
                                         std::size_t max_clues) {
  EscalationPassResult pass;
  // Keys that stayed due in this pass (busy or failed): skipped when a later
  // page returns them again, so the pass moves on and ends.
  std::set<std::string> left_over;
  for (;;) {
    const auto page = store.scan(Family::kDeadlines, "", left_over.size() + kPageSize);
    if (!page) {
      pass.index_error = true;
      return pass;
    }
    bool reached_end = page->size() < left_over.size() + kPageSize;
    // The whole page is enqueued before waiting, so that the group-commit
    // writer syncs it in a batch or two instead of one fsync per clue.
    std::vector<Prepared> pending;
    std::vector<std::string> pending_keys;
    for (const auto& [key, value] : *page) {
      if (left_over.contains(key)) continue;
      const auto parsed = storage::parse_deadline_key(key);
      if (!parsed) {
        ++pass.failed;
        left_over.insert(key);
        continue;
      }
      const auto& [at, id] = *parsed;
      if (at > now || pass.due == max_clues) {
        reached_end = true;
        break;
      }
      ++pass.due;
      Prepared prepared = prepare(store, tree, policy, claims, key, at, id, now);
      if (prepared.outcome == Outcome::kWrite) {
        pending.push_back(std::move(prepared));
        pending_keys.push_back(key);
      } else {
        ++(prepared.outcome == Outcome::kBusy ? pass.busy : pass.failed);
        left_over.insert(key);
      }
    }
    std::vector<std::promise<result<void>>> written(pending.size());
    for (std::size_t i = 0; i < pending.size(); ++i) {
      writer.enqueue(
          std::move(pending[i].submission),
          [promise = &written[i]](result<void> outcome) { promise->set_value(outcome); });
    }
    bool progress = false;
    for (std::size_t i = 0; i < pending.size(); ++i) {
      if (written[i].get_future().get()) {
        progress = true;
        pass.steps += pending[i].steps;
        if (pending[i].steps > 0) ++pass.escalated;
      } else {
        ++pass.failed;
        left_over.insert(pending_keys[i]);
      }
    }
    // `pending`, and with it every claim, is released only here, after the
    // writes the claims guarded are synced.
    if (reached_end || !progress) return pass;
  }
}

EscalationJob::EscalationJob(storage::Store& store, storage::GroupCommitWriter& writer,
                             const Registry& registry, const routing::DeadlinePolicy& policy,
                             storage::ClaimSet& claims, std::chrono::seconds interval)
    : store_(store),
      writer_(writer),
      registry_(registry),
      policy_(policy),
      claims_(claims),
      interval_(interval),
      thread_(&EscalationJob::run, this) {}

EscalationJob::~EscalationJob() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

EscalationJob::Stats EscalationJob::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void EscalationJob::run() {
  pthread_setname_np(pthread_self(), "escalation");
  for (;;) {
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count();
    const auto registry = registry_.current();
    const EscalationPassResult pass =
        run_escalation_pass(store_, writer_, registry->tree, policy_, claims_, now);
    std::unique_lock lock(mutex_);
    ++stats_.passes;
    stats_.escalations += pass.steps;
    stats_.clue_failures += pass.failed + (pass.index_error ? 1 : 0);
    stats_.last_pass_at = now;
    if (wake_.wait_for(lock, interval_, [this] { return stopping_; })) return;
  }
}

}  // namespace clueline::services
