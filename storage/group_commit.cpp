#include "clueline/storage/group_commit.hpp"

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

void GroupCommitWriter::enqueue(std::vector<Mutation> mutations, Callback done) {
  {
    std::lock_guard lock(mutex_);
    if (!stopping_ && queue_.size() < limits_.max_pending) {
      queue_.push_back({std::move(mutations), std::move(done)});
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

void GroupCommitWriter::write_group(std::vector<Pending>& group) {
  std::vector<Mutation> batch;
  std::size_t total = 0;
  for (const Pending& pending : group) total += pending.mutations.size();
  batch.reserve(total);
  for (Pending& pending : group) {
    std::move(pending.mutations.begin(), pending.mutations.end(), std::back_inserter(batch));
  }
  result<void> written = store_.write(batch, Durability::kSynced);

  std::vector<result<void>> outcomes(group.size(), written);
  std::uint64_t batches = written ? 1 : 0;
  if (!written && written.error() == errc::invalid_argument && group.size() > 1) {
    // One bad submission made RocksDB refuse the whole batch before applying
    // anything; write each alone so the good ones still land.
    std::size_t offset = 0;
    for (std::size_t i = 0; i < group.size(); ++i) {
      const std::size_t count = group[i].mutations.size();
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
