// A rocksdb::FileSystem for tests that forwards to the real file system and,
// when armed, fails operations the way a broken or full disk does. Modelled
// on LevelDB's FaultInjectionTestEnv (db/fault_injection_test.cc).
//
// Use it through an Env:
//   auto fs = std::make_shared<FaultInjectionFileSystem>();
//   auto env = rocksdb::NewCompositeEnv(fs);  // must outlive the Store
//   auto store = open_rocksdb_store(options, env.get());
//
// All methods are thread-safe: RocksDB calls the file system from its own
// background threads while the test arms and disarms faults.
#pragma once

#include <rocksdb/file_system.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "clueline/storage/store.hpp"

namespace clueline::storage::testing {

class FaultInjectionFileSystem : public rocksdb::FileSystemWrapper {
 public:
  explicit FaultInjectionFileSystem(
      const std::shared_ptr<rocksdb::FileSystem>& base = rocksdb::FileSystem::Default());

  const char* Name() const override { return "FaultInjectionFileSystem"; }

  // While on, Sync/Fsync of files and directories fail with IOError, as an
  // fsync does when the device reports a write error.
  void fail_syncs(bool on) { fail_syncs_ = on; }
  // While on, appends fail with IOError/NoSpace, as on a full disk.
  void fail_appends_no_space(bool on) { fail_no_space_ = on; }
  // While inactive, every write, sync, create, rename and delete fails with
  // IOError: the "machine" has died and nothing more reaches the disk.
  void set_active(bool active) { active_ = active; }
  // Simulates the power loss that follows set_active(false): cuts every file
  // written through this file system back to the length it had at its last
  // successful sync. Call after the Store is destroyed. Returns the number of
  // bytes dropped.
  std::uint64_t drop_unsynced_data();
  // While held, every sync waits (instead of failing) until released, so a
  // test can keep a writer inside its sync while it queues more work.
  void hold_syncs(bool on);
  // How many syncs are waiting on the hold right now.
  int held_syncs() const;
  // How many operations have been failed on purpose so far, so tests can
  // tell an injected failure from an unexpected one.
  std::uint64_t injected_failures() const { return injected_; }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* result,
                                    rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReopenWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* result,
                                       rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus ReuseWritableFile(const std::string& name, const std::string& old_name,
                                      const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSWritableFile>* result,
                                      rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus NewDirectory(const std::string& name, const rocksdb::IOOptions& options,
                                 std::unique_ptr<rocksdb::FSDirectory>* result,
                                 rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus RenameFile(const std::string& source, const std::string& target,
                               const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;
  rocksdb::IOStatus DeleteFile(const std::string& name, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* dbg) override;

  // Hooks for the file wrappers. Each check_* returns the injected failure,
  // or OK to let the operation through; each note_* records a success.
  rocksdb::IOStatus check_write();
  rocksdb::IOStatus check_append();
  rocksdb::IOStatus check_sync();
  void note_append(const std::string& name, std::uint64_t bytes);
  void note_sync(const std::string& name);
  void note_truncate(const std::string& name, std::uint64_t size);

 private:
  struct FileState {
    std::uint64_t size = 0;
    std::uint64_t synced = 0;
  };

  rocksdb::IOStatus wrap_new_file(const std::string& name, rocksdb::IOStatus opened,
                                  std::unique_ptr<rocksdb::FSWritableFile>* result,
                                  std::uint64_t initial_size);

  std::atomic<bool> fail_syncs_{false};
  std::atomic<bool> fail_no_space_{false};
  std::atomic<bool> active_{true};
  std::atomic<std::uint64_t> injected_{0};
  mutable std::mutex mutex_;
  std::map<std::string, FileState> files_;  // guarded by mutex_
  std::condition_variable hold_released_;
  bool hold_syncs_ = false;  // guarded by mutex_
  int held_syncs_ = 0;       // guarded by mutex_
};

// Calls `attempt` every 100 ms until its result is true or 30 s pass, as a
// client that gets 503 sends again while RocksDB recovers from an injected
// error on its own schedule. Returns the last result.
template <typename Attempt>
auto retry_until_ok(Attempt attempt) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  auto outcome = attempt();
  while (!outcome && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    outcome = attempt();
  }
  return outcome;
}

// Polls store.check_writable() until it succeeds (retry_until_ok), for
// RocksDB's own background recovery after an injected error. Returns the
// last probe's result.
inline result<void> wait_writable(Store& store) {
  return retry_until_ok([&store] { return store.check_writable(); });
}

}  // namespace clueline::storage::testing
