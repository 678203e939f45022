// Explicit group commit: one writer thread turns many pending submissions
// into one WriteBatch and one WAL sync.
//
// Why not let every caller write with Durability::kSynced? One synced writer
// manages about 2.5k writes/s here (one fdatasync is ~230 us); gathering
// everything that arrived during the previous sync into the next batch lets
// one sync acknowledge hundreds of submissions.
//
// Contract: a submission's callback runs exactly once, on the writer thread,
// after the batch holding it has been synced (success) or has failed. A
// submission is never partly applied. Submissions are applied in the order
// they were enqueued. If a combined batch is refused as invalid, each of its
// submissions is retried on its own, so one bad submission cannot fail the
// others.
//
// A submission may name keys that must not exist yet (a receipt lookup
// index entry, say). The writer checks them on its own thread just before
// the batch, against the store and against the puts of the submissions
// ahead of it in the same batch; as every write of those keys goes through
// the one writer, the check and the write cannot be raced. A failed check
// fails that submission alone with errc::conflict and writes nothing of it.
// (It also spares the caller a round trip to a blocking thread for the
// lookup: on a 2-core virtual machine each thread hand-off costs more than
// the lookup itself.)
//
// Audit records. A submission may carry audit records (audit.hpp) to be
// logged atomically with its mutations. While the server runs this writer is
// the only writer of Family::kAudit, so it owns the chain head: it loads it
// from the store before the first group that has audit records (if that load
// fails, those submissions fail with its error and the next group tries
// again), appends each accepted submission's entries right after that
// submission's mutations, in enqueue order, and ends the batch with one put
// of the new head. A submission whose audit record fails validate() fails
// alone with errc::invalid_argument and writes nothing. If the store refuses
// a batch as invalid (nothing applied), the head goes back to what it was
// before the group; after any other failure the batch may or may not have
// been applied, so the head is forgotten and reloaded from the store for the
// next group: the chain continues from whatever the store holds. On the
// one-at-a-time retry each submission's entries are chained afresh against
// the head as it stands, and the head advances only when that submission is
// written: the seqs of acknowledged entries have no gaps. Nothing else may
// write kAudit or the head record (kMeta kAuditHeadKey) while a writer
// exists.
//
// Thread safety: enqueue() may be called from any thread. Callbacks must be
// quick and must not block (post the result to the caller's executor).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "clueline/storage/audit.hpp"
#include "clueline/storage/store.hpp"

namespace clueline::storage {

class GroupCommitWriter {
 public:
  using Callback = std::function<void(result<void>)>;

  struct Limits {
    // Submissions gathered into one batch at most; the rest wait for the next.
    std::size_t max_submissions_per_batch = 1024;
    // Pending submissions beyond this are refused at once with
    // errc::unavailable rather than queued without bound.
    std::size_t max_pending = 100000;
  };

  // `store` is not owned and must outlive the writer. Starts the thread.
  GroupCommitWriter(Store& store, Limits limits);
  explicit GroupCommitWriter(Store& store) : GroupCommitWriter(store, Limits{}) {}

  // Writes everything already enqueued, runs its callbacks, then stops.
  ~GroupCommitWriter();
  GroupCommitWriter(const GroupCommitWriter&) = delete;
  GroupCommitWriter& operator=(const GroupCommitWriter&) = delete;

  struct Submission {
    std::vector<Mutation> mutations;
    // Keys that must be absent when the batch is written (see above).
    std::vector<std::pair<Family, std::string>> must_be_absent;
    // Logged in the same batch as `mutations`, in this order (see "Audit
    // records" above). Last, and with an initializer, so that
    // Submission{mutations, must_be_absent} still compiles without warnings.
    std::vector<AuditRecord> audit = {};
  };

  // Queues `submission` for the next batch. If the queue is full or the
  // writer is stopping, `done` runs at once, on the calling thread, with
  // errc::unavailable. Other failures: errc::conflict (a must_be_absent key
  // exists), errc::invalid_argument (an invalid audit record, or mutations
  // the store refuses), or the store's write or read error.
  void enqueue(Submission submission, Callback done);
  void enqueue(std::vector<Mutation> mutations, Callback done) {
    enqueue(Submission{std::move(mutations), {}}, std::move(done));
  }

  struct Stats {
    std::uint64_t submissions = 0;  // acknowledged or failed
    std::uint64_t batches = 0;      // synced WriteBatches
    std::uint64_t failed_submissions = 0;
  };
  Stats stats() const;

 private:
  struct Pending {
    Submission submission;
    Callback done;
  };

  void run();
  void write_group(std::vector<Pending>& group);
  // Fills outcomes[i] with errc::conflict (or a read error) for every
  // submission whose must_be_absent keys are taken.
  void check_absent_keys(const std::vector<Pending>& group,
                         std::vector<result<void>>& outcomes) const;
  // Loads audit_head_ if it is not loaded and some submission still to write
  // has audit records; on failure fails those submissions with the error.
  void ensure_audit_head(const std::vector<Pending>& group, std::vector<result<void>>& outcomes);

  Store& store_;
  const Limits limits_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  Stats stats_;
  // The audit chain head as of the last successful write; writer thread
  // only. Empty until needed, and again after a failed batch.
  std::optional<AuditHead> audit_head_;
  // Set after a write the disk refused (full or failing): the store then
  // refuses every write until recovered, so the next group first asks it to
  // recover (Store::check_writable); writes resume by themselves once the
  // disk has room again. Writer thread only.
  bool recover_first_ = false;
  std::thread thread_;  // last: starts after every other member exists
};

}  // namespace clueline::storage
