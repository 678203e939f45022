#include "fault_injection_fs.hpp"

#include <algorithm>
#include <filesystem>
#include <system_error>
#include <utility>

namespace clueline::storage::testing {
namespace {

class FaultWritableFile final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  FaultWritableFile(std::unique_ptr<rocksdb::FSWritableFile> file, std::string name,
                    FaultInjectionFileSystem* fs)
      : FSWritableFileOwnerWrapper(std::move(file)), name_(std::move(name)), fs_(fs) {}

  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* dbg) override {
    auto status = fs_->check_append();
    if (status.ok()) {
      status = target()->Append(data, options, dbg);
    }
    if (status.ok()) {
      fs_->note_append(name_, data.size());
    }
    return status;
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& info,
                           rocksdb::IODebugContext* dbg) override {
    auto status = fs_->check_append();
    if (status.ok()) {
      status = target()->Append(data, options, info, dbg);
    }
    if (status.ok()) {
      fs_->note_append(name_, data.size());
    }
    return status;
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, std::uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     rocksdb::IODebugContext* dbg) override {
    auto status = fs_->check_append();
    if (status.ok()) {
      status = target()->PositionedAppend(data, offset, options, dbg);
    }
    if (status.ok()) {
      fs_->note_truncate(name_, offset + data.size());
    }
    return status;
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, std::uint64_t offset,
                                     const rocksdb::IOOptions& options,
                                     const rocksdb::DataVerificationInfo& info,
                                     rocksdb::IODebugContext* dbg) override {
    auto status = fs_->check_append();
    if (status.ok()) {
      status = target()->PositionedAppend(data, offset, options, info, dbg);
    }
    if (status.ok()) {
      fs_->note_truncate(name_, offset + data.size());
    }
    return status;
  }
  rocksdb::IOStatus Truncate(std::uint64_t size, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* dbg) override {
    auto status = fs_->check_write();
    if (status.ok()) {
      status = target()->Truncate(size, options, dbg);
    }
    if (status.ok()) {
      fs_->note_truncate(name_, size);
    }
    return status;
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* dbg) override {
    auto status = fs_->check_sync();
    if (status.ok()) {
      status = target()->Sync(options, dbg);
    }
    if (status.ok()) {
      fs_->note_sync(name_);
    }
    return status;
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override {
    auto status = fs_->check_sync();
    if (status.ok()) {
      status = target()->Fsync(options, dbg);
    }
    if (status.ok()) {
      fs_->note_sync(name_);
    }
    return status;
  }
  // RangeSync only starts write-back; it promises nothing about durability,
  // so it neither fails nor counts as a sync here.

 private:
  std::string name_;
  FaultInjectionFileSystem* fs_;
};

class FaultDirectory final : public rocksdb::FSDirectoryWrapper {
 public:
  FaultDirectory(std::unique_ptr<rocksdb::FSDirectory> directory, FaultInjectionFileSystem* fs)
      : FSDirectoryWrapper(std::move(directory)), fs_(fs) {}

  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options,
                          rocksdb::IODebugContext* dbg) override {
    auto status = fs_->check_sync();
    return status.ok() ? FSDirectoryWrapper::Fsync(options, dbg) : status;
  }
  rocksdb::IOStatus FsyncWithDirOptions(const rocksdb::IOOptions& options,
                                        rocksdb::IODebugContext* dbg,
                                        const rocksdb::DirFsyncOptions& dir_options) override {
    auto status = fs_->check_sync();
    return status.ok() ? FSDirectoryWrapper::FsyncWithDirOptions(options, dbg, dir_options)
                       : status;
  }

 private:
  FaultInjectionFileSystem* fs_;
};

}  // namespace

FaultInjectionFileSystem::FaultInjectionFileSystem(const std::shared_ptr<rocksdb::FileSystem>& base)
    : FileSystemWrapper(base) {}

rocksdb::IOStatus FaultInjectionFileSystem::check_write() {
  if (!active_) {
    ++injected_;
    return rocksdb::IOStatus::IOError("fault injection: file system inactive");
  }
  return rocksdb::IOStatus::OK();
}

rocksdb::IOStatus FaultInjectionFileSystem::check_append() {
  if (auto status = check_write(); !status.ok()) {
    return status;
  }
  if (fail_no_space_) {
    ++injected_;
    return rocksdb::IOStatus::NoSpace("fault injection: no space left on device");
  }
  return rocksdb::IOStatus::OK();
}

void FaultInjectionFileSystem::hold_syncs(bool on) {
  {
    const std::lock_guard lock(mutex_);
    hold_syncs_ = on;
  }
  hold_released_.notify_all();
}

int FaultInjectionFileSystem::held_syncs() const {
  const std::lock_guard lock(mutex_);
  return held_syncs_;
}

rocksdb::IOStatus FaultInjectionFileSystem::check_sync() {
  {
    std::unique_lock lock(mutex_);
    ++held_syncs_;
    hold_released_.wait(lock, [this] { return !hold_syncs_; });
    --held_syncs_;
  }
  if (auto status = check_write(); !status.ok()) {
    return status;
  }
  if (fail_syncs_) {
    ++injected_;
    return rocksdb::IOStatus::IOError("fault injection: sync failed");
  }
  return rocksdb::IOStatus::OK();
}

void FaultInjectionFileSystem::note_append(const std::string& name, std::uint64_t bytes) {
  const std::lock_guard lock(mutex_);
  files_[name].size += bytes;
}

void FaultInjectionFileSystem::note_sync(const std::string& name) {
  const std::lock_guard lock(mutex_);
  auto& state = files_[name];
  state.synced = state.size;
}

void FaultInjectionFileSystem::note_truncate(const std::string& name, std::uint64_t size) {
  const std::lock_guard lock(mutex_);
  auto& state = files_[name];
  state.size = size;
  state.synced = std::min(state.synced, size);
}

rocksdb::IOStatus FaultInjectionFileSystem::wrap_new_file(
    const std::string& name, rocksdb::IOStatus opened,
    std::unique_ptr<rocksdb::FSWritableFile>* result, std::uint64_t initial_size) {
  if (!opened.ok()) {
    return opened;
  }
  {
    const std::lock_guard lock(mutex_);
    files_[name] = FileState{initial_size, initial_size};
  }
  *result = std::make_unique<FaultWritableFile>(std::move(*result), name, this);
  return opened;
}

rocksdb::IOStatus FaultInjectionFileSystem::NewWritableFile(
    const std::string& name, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, rocksdb::IODebugContext* dbg) {
  if (auto status = check_write(); !status.ok()) {
    return status;
  }
  return wrap_new_file(name, target()->NewWritableFile(name, options, result, dbg), result, 0);
}

rocksdb::IOStatus FaultInjectionFileSystem::ReopenWritableFile(
    const std::string& name, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, rocksdb::IODebugContext* dbg) {
  if (auto status = check_write(); !status.ok()) {
    return status;
  }
  // What is already in the file was written before we started watching;
  // treat it as durable.
  std::uint64_t size = 0;
  if (!target()->GetFileSize(name, rocksdb::IOOptions(), &size, dbg).ok()) {
    size = 0;
  }
  return wrap_new_file(name, target()->ReopenWritableFile(name, options, result, dbg), result,
                       size);
}

rocksdb::IOStatus FaultInjectionFileSystem::ReuseWritableFile(
    const std::string& name, const std::string& old_name, const rocksdb::FileOptions& options,
    std::unique_ptr<rocksdb::FSWritableFile>* result, rocksdb::IODebugContext* dbg) {
  if (auto status = check_write(); !status.ok()) {
    return status;
  }
  {
    const std::lock_guard lock(mutex_);
    files_.erase(old_name);
  }
  return wrap_new_file(name, target()->ReuseWritableFile(name, old_name, options, result, dbg),
                       result, 0);
}

rocksdb::IOStatus FaultInjectionFileSystem::NewDirectory(
    const std::string& name, const rocksdb::IOOptions& options,
    std::unique_ptr<rocksdb::FSDirectory>* result, rocksdb::IODebugContext* dbg) {
  auto status = target()->NewDirectory(name, options, result, dbg);
  if (status.ok()) {
    *result = std::make_unique<FaultDirectory>(std::move(*result), this);
  }
  return status;
}

rocksdb::IOStatus FaultInjectionFileSystem::RenameFile(const std::string& source,
                                                       const std::string& target_name,
                                                       const rocksdb::IOOptions& options,
                                                       rocksdb::IODebugContext* dbg) {
  if (auto status = check_write(); !status.ok()) {
    return status;
  }
  auto status = target()->RenameFile(source, target_name, options, dbg);
  if (status.ok()) {
    const std::lock_guard lock(mutex_);
    const auto it = files_.find(source);
    if (it != files_.end()) {
      files_[target_name] = it->second;
      files_.erase(source);
    } else {
      files_.erase(target_name);
    }
  }
  return status;
}

rocksdb::IOStatus FaultInjectionFileSystem::DeleteFile(const std::string& name,
                                                       const rocksdb::IOOptions& options,
                                                       rocksdb::IODebugContext* dbg) {
  if (auto status = check_write(); !status.ok()) {
    return status;
  }
  auto status = target()->DeleteFile(name, options, dbg);
  if (status.ok()) {
    const std::lock_guard lock(mutex_);
    files_.erase(name);
  }
  return status;
}

std::uint64_t FaultInjectionFileSystem::drop_unsynced_data() {
  const std::lock_guard lock(mutex_);
  std::uint64_t dropped = 0;
  for (const auto& [name, state] : files_) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(name, ec);
    if (ec || size <= state.synced) {
      continue;
    }
    std::filesystem::resize_file(name, state.synced, ec);
    if (!ec) {
      dropped += size - state.synced;
    }
  }
  return dropped;
}

}  // namespace clueline::storage::testing
