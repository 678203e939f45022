// The escalation job: makes clues past a deadline visible to the units above
// the one handling them (routing/escalation.hpp decides who and when), with
// an audit entry per escalation.
//
// A clue to look at is found through the kDeadlines index (next_check_at ‖
// id), so a pass reads only the clues that are due, however many clues the
// database holds. For each one the pass claims the clue (storage::ClaimSet,
// shared with the follow-up routes, so a reporter's concurrent message
// cannot be lost), re-reads it, and in one group-committed submission
// rewrites the record, moves its queue and deadline index entries, and
// appends one audit entry ("system:escalation", "clue.escalate") per unit
// that now sees it. A clue that is busy or fails stays due and is taken up
// by the next pass.
//
// Both are blocking (RocksDB reads, waiting for the synced write) and never
// run on network threads: `clueline deadlines run` calls run_escalation_pass
// directly, `serve` runs an EscalationJob on its own thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <thread>

#include "clueline/routing/deadlines.hpp"
#include "clueline/routing/tree.hpp"
#include "clueline/services/registry.hpp"
#include "clueline/storage/claims.hpp"
#include "clueline/storage/group_commit.hpp"
#include "clueline/storage/records.hpp"
#include "clueline/storage/store.hpp"

namespace clueline::services {

inline constexpr std::string_view kEscalationActor = "system:escalation";
inline constexpr std::string_view kEscalationAction = "clue.escalate";

struct EscalationPassResult {
  std::size_t due = 0;        // clues whose next check was at or before `now`
  std::size_t escalated = 0;  // clues that became visible to at least one more unit
  std::size_t steps = 0;      // units that now see a clue they did not (audit entries)
  std::size_t busy = 0;       // claimed by another change; left for the next pass
  std::size_t failed = 0;     // unreadable or not written; left for the next pass
  bool index_error = false;   // the kDeadlines index could not be read at all
};

// One pass at `now` (seconds since the epoch; tests pass a fake clock) over
// every clue due at or before it, at most `max_clues` of them (the rest wait
// for the next pass). The references must stay valid for the call. A clue
// whose record was removed has its stale index entry deleted. Never throws
// for storage errors; they are counted in the result.
EscalationPassResult run_escalation_pass(storage::Store& store, storage::GroupCommitWriter& writer,
                                         const routing::Tree& tree,
                                         const routing::DeadlinePolicy& policy,
                                         storage::ClaimSet& claims, storage::UnixSeconds now,
                                         std::size_t max_clues = 100000);

// A thread named "escalation" that runs a pass at start and then every
// `interval` with the system clock, until destroyed. Everything passed in is
// not owned and must outlive the job; the GroupCommitWriter must be
// destroyed after the job.
class EscalationJob {
 public:
  // Each pass routes over the registry's snapshot of the moment.
  EscalationJob(storage::Store& store, storage::GroupCommitWriter& writer, const Registry& registry,
                const routing::DeadlinePolicy& policy, storage::ClaimSet& claims,
                std::chrono::seconds interval);
  // Stops: waits for a pass in progress to end.
  ~EscalationJob();
  EscalationJob(const EscalationJob&) = delete;
  EscalationJob& operator=(const EscalationJob&) = delete;

  struct Stats {
    std::uint64_t passes = 0;
    std::uint64_t escalations = 0;          // units that came to see a clue, in total
    std::uint64_t clue_failures = 0;        // clues left over after a failure, summed over passes
    storage::UnixSeconds last_pass_at = 0;  // 0 before the first pass ends
  };
  // Safe from any thread.
  Stats stats() const;

 private:
  void run();

  storage::Store& store_;
  storage::GroupCommitWriter& writer_;
  const Registry& registry_;
  const routing::DeadlinePolicy& policy_;
  storage::ClaimSet& claims_;
  const std::chrono::seconds interval_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  Stats stats_;
  std::thread thread_;  // last: starts after every other member exists
};

}  // namespace clueline::services
