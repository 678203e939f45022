#include "clueline/storage/group_commit.hpp"

#include <pthread.h>

#include <algorithm>
#include <iterator>
#include <set>
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

void GroupCommitWriter::write_group(std::vector<Pending>& group) {
  std::vector<result<void>> outcomes(group.size(), result<void>{});
  const bool any_precondition = std::any_of(group.begin(), group.end(), [](const Pending& p) {
    return !p.submission.must_be_absent.empty();
  });
  if (any_precondition) check_absent_keys(group, outcomes);

  // The submissions still to write, and their mutations as one batch.
  std::vector<std::size_t> accepted;
  std::vector<Mutation> batch;
  std::size_t total = 0;
  for (const Pending& pending : group) total += pending.submission.mutations.size();
  batch.reserve(total);
  for (std::size_t i = 0; i < group.size(); ++i) {
    if (!outcomes[i]) continue;
    accepted.push_back(i);
    auto& mutations = group[i].submission.mutations;
    std::move(mutations.begin(), mutations.end(), std::back_inserter(batch));
  }

  const result<void> written = store_.write(batch, Durability::kSynced);
  std::uint64_t batches = written && !batch.empty() ? 1 : 0;
  for (std::size_t i : accepted) outcomes[i] = written;
  if (!written && written.error() == errc::invalid_argument && accepted.size() > 1) {
    // One bad submission made RocksDB refuse the whole batch before applying
    // anything; write each alone so the good ones still land.
    std::size_t offset = 0;
    for (std::size_t i : accepted) {
      const std::size_t count = group[i].submission.mutations.size();
      outcomes[i] = store_.write(std::span<const Mutation>(batch).subspan(offset, count),
                                 Durability::kSynced);
      if (outcomes[i]) ++batches;
      offset += count;
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
