#include "clueline/storage/group_commit.hpp"

#include <pthread.h>

#include <algorithm>
#include <iterator>
#include <optional>
#include <set>
#include <span>
#include <string_view>

namespace clueline::storage {

GroupCommitWriter::GroupCommitWriter(Store& store, Limits limits)
    : store_(store), limits_(limits), thread_(&GroupCommitWriter::run, this) {}

GroupCommitWriter::~GroupCommitWriter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void GroupCommitWriter::enqueue(Submission submission, Callback done) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_ && queue_.size() < limits_.max_pending) {
      queue_.push_back({std::move(submission), std::move(done)});
      wake_.notify_one();
      return;
    }
  }
  done(make_error_code(errc::unavailable));
}

GroupCommitWriter::Stats GroupCommitWriter::stats() const {
  std::lock_guard lock(mutex_);
  return stats_;
}

void GroupCommitWriter::run() {
  pthread_setname_np(pthread_self(), "group-commit");
  std::vector<Pending> group;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      // Everything that queued up during the previous sync goes into this
      // batch: the busier the server, the more one sync acknowledges.
      const std::size_t take = std::min(queue_.size(), limits_.max_submissions_per_batch);
      for (std::size_t i = 0; i < take; ++i) {
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    write_group(group);
    group.clear();
  }
}

void GroupCommitWriter::check_absent_keys(const std::vector<Pending>& group,
                                          std::vector<result<void>>& outcomes) const {
  // Keys put by the submissions accepted so far in this group: a later
  // submission that needs one of them absent conflicts with it even though
  // the store does not have it yet.
  std::set<std::pair<Family, std::string_view>> put_in_group;
  for (std::size_t i = 0; i < group.size(); ++i) {
    const Submission& submission = group[i].submission;
    for (const auto& [family, key] : submission.must_be_absent) {
      if (put_in_group.contains({family, key})) {
        outcomes[i] = make_error_code(errc::conflict);
        break;
      }
      auto stored = store_.get(family, key);
      if (stored) {
        outcomes[i] = make_error_code(errc::conflict);
        break;
      }
      if (stored.error() != errc::not_found) {
        outcomes[i] = stored.error();
        break;
      }
    }
    if (!outcomes[i]) continue;
    for (const Mutation& mutation : submission.mutations) {
      if (mutation.value) put_in_group.emplace(mutation.family, mutation.key);
    }
  }
}

void GroupCommitWriter::ensure_audit_head(const std::vector<Pending>& group,
                                          std::vector<result<void>>& outcomes) {
  if (audit_head_) return;
  const auto wants_head = [&](std::size_t i) {
    return outcomes[i] && !group[i].submission.audit.empty();
  };
  bool needed = false;
  for (std::size_t i = 0; i < group.size() && !needed; ++i) needed = wants_head(i);
  if (!needed) return;
  // Loaded lazily, on this thread: a server that never logs never reads it,
  // and the writer is the only one to change it from here on.
  auto loaded = load_audit_head(store_);
  if (loaded) {
    audit_head_ = *loaded;
    return;
  }
  for (std::size_t i = 0; i < group.size(); ++i) {
    if (wants_head(i)) outcomes[i] = loaded.error();
  }
}

void GroupCommitWriter::write_group(std::vector<Pending>& group) {
  if (recover_first_ && store_.check_writable()) recover_first_ = false;
  std::vector<result<void>> outcomes(group.size(), result<void>{});
  const bool any_precondition = std::any_of(group.begin(), group.end(), [](const Pending& p) {
    return !p.submission.must_be_absent.empty();
  });
  if (any_precondition) check_absent_keys(group, outcomes);
  ensure_audit_head(group, outcomes);

  // The submissions still to write, and their mutations as one batch: each
  // submission's own mutations, then its audit entries; the audit head last.
  struct Accepted {
    std::size_t index;
    std::size_t offset;  // of its own mutations in `batch`
    std::size_t count;
  };
  const std::optional<AuditHead> head_before = audit_head_;
  std::vector<Accepted> accepted;
  std::vector<Mutation> batch;
  std::optional<Mutation> head_put;
  std::size_t total = 0;
  for (const Pending& pending : group) {
    total += pending.submission.mutations.size() + pending.submission.audit.size();
  }
  batch.reserve(total + 1);
  for (std::size_t i = 0; i < group.size(); ++i) {
    if (!outcomes[i]) continue;
    Submission& submission = group[i].submission;
    std::vector<Mutation> entries;
    if (!submission.audit.empty()) {
      AuditHead head = *audit_head_;
      auto chained = chain_audit_records(head, submission.audit);
      if (!chained) {
        outcomes[i] = chained.error();  // invalid_argument; the head is untouched
        continue;
      }
      entries = std::move(*chained);
      // chain_audit_records ends with the head put; only the last one of the
      // batch is needed.
      head_put = std::move(entries.back());
      entries.pop_back();
      audit_head_ = head;
    }
    accepted.push_back({i, batch.size(), submission.mutations.size()});
    auto& mutations = submission.mutations;
    std::move(mutations.begin(), mutations.end(), std::back_inserter(batch));
    std::move(entries.begin(), entries.end(), std::back_inserter(batch));
  }
  if (head_put) batch.push_back(std::move(*head_put));

  const result<void> written = store_.write(batch, Durability::kSynced);
  if (!written &&
      (written.error() == errc::storage_no_space || written.error() == errc::storage_io)) {
    recover_first_ = true;
  }
  std::uint64_t batches = written && !batch.empty() ? 1 : 0;
  for (const Accepted& a : accepted) outcomes[a.index] = written;
  if (!written) {
    // A refused (invalid_argument) batch was not applied, so the head before
    // it is still the store's. After any other failure the batch may or may
    // not have been applied: forget the head and let the next group reload
    // whatever the store holds, rather than guess and fork the chain.
    audit_head_ = written.error() == errc::invalid_argument ? head_before : std::nullopt;
  }
  if (!written && written.error() == errc::invalid_argument && accepted.size() > 1) {
    // One bad submission made RocksDB refuse the whole batch before applying
    // anything; write each alone so the good ones still land. Audit entries
    // are chained afresh against the head as it stands, which advances only
    // when a submission is written, so the failed ones leave no gap.
    for (const Accepted& a : accepted) {
      const auto own = std::span<const Mutation>(batch).subspan(a.offset, a.count);
      const std::vector<AuditRecord>& records = group[a.index].submission.audit;
      if (records.empty()) {
        outcomes[a.index] = store_.write(own, Durability::kSynced);
      } else {
        if (!audit_head_) {  // forgotten after a failed write below
          auto loaded = load_audit_head(store_);
          if (!loaded) {
            outcomes[a.index] = loaded.error();
            continue;
          }
          audit_head_ = *loaded;
        }
        AuditHead head = *audit_head_;
        auto chained = chain_audit_records(head, records);
        if (!chained) {
          outcomes[a.index] = chained.error();
          continue;
        }
        std::vector<Mutation> alone(own.begin(), own.end());
        std::move(chained->begin(), chained->end(), std::back_inserter(alone));
        outcomes[a.index] = store_.write(alone, Durability::kSynced);
        if (outcomes[a.index]) audit_head_ = head;
      }
      if (outcomes[a.index]) {
        ++batches;
      } else if (outcomes[a.index].error() != errc::invalid_argument) {
        audit_head_.reset();  // as above: applied or not, the store knows
      }
    }
  }

  std::uint64_t failed = 0;
  for (const auto& outcome : outcomes) failed += outcome ? 0 : 1;
  {
    std::lock_guard lock(mutex_);
    stats_.submissions += group.size();
    stats_.batches += batches;
    stats_.failed_submissions += failed;
  }
  for (std::size_t i = 0; i < group.size(); ++i) group[i].done(outcomes[i]);
}

}  // namespace clueline::storage
