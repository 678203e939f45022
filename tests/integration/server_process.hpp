// Runs the real `clueline serve` binary for a test: a generated certificate,
// a config with ephemeral ports on 127.0.0.1, stdout (the access log) and
// stderr captured to files under CLUELINE_TEST_LOG_DIR.
#pragma once

#include <sys/types.h>

#include <boost/json/array.hpp>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>

namespace clueline::testing {

struct ServerOptions {
  std::string extra_config;  // TOML appended to the generated config
  std::string server_keys;   // TOML lines added to its [server] table
  std::chrono::days certificate_validity{365};
  // The data directory to serve; empty means a fresh one inside the
  // process's own temporary directory. A given directory is not removed.
  std::filesystem::path data_dir;
  unsigned threads = 2;  // server.threads
};

class ServerProcess {
 public:
  // Starts the server and waits until it prints its ports. Throws on failure;
  // if the server exited, with "(exit code N): " and its stderr.
  ServerProcess(const std::string& name, const ServerOptions& options = {});
  // SIGKILLs the process if it is still running.
  ~ServerProcess();

  std::uint16_t public_port() const { return public_port_; }
  std::uint16_t ops_port() const { return ops_port_; }
  const std::filesystem::path& certificate() const { return certificate_; }
  const std::filesystem::path& access_log() const { return access_log_; }
  std::string stderr_text() const;
  std::string access_log_text() const;

  // Sends SIGTERM and waits up to `timeout`; returns the exit status as
  // waitpid reports it, or -1 if the process did not exit in time. Once the
  // process has exited, returns the same status again.
  int terminate(std::chrono::milliseconds timeout);

  // SIGKILL (no shutdown at all) and reap; returns the waitpid status.
  int kill();

  const std::filesystem::path& data_dir() const { return data_dir_; }
  pid_t pid() const { return pid_; }

 private:
  std::filesystem::path directory_;
  std::filesystem::path certificate_;
  std::filesystem::path access_log_;
  std::filesystem::path stderr_log_;
  std::filesystem::path data_dir_;
  pid_t pid_ = -1;
  int exit_status_ = -1;
  std::uint16_t public_port_ = 0;
  std::uint16_t ops_port_ = 0;
};

std::string read_file(const std::filesystem::path& path);

// Creates `path` (and its parents) as a data directory `serve` accepts:
// mode 0700, since it refuses one that group or others may use.
void create_data_dir(const std::filesystem::path& path);

// What one `clueline` command printed, and its exit code (-1 if it did not
// exit normally).
struct CommandRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs the clueline binary with `arguments` through /bin/sh (so they must be
// quoted as the shell needs), capturing stdout and stderr in files in
// `scratch_dir`.
CommandRun run_clueline(const std::filesystem::path& scratch_dir, const std::string& arguments);

// run_clueline with --json added: the command's result as JSON, for tests
// that read it.
CommandRun run_clueline_json(const std::filesystem::path& scratch_dir,
                             const std::string& arguments);

// The JSON values of `text`, one per non-empty line (a list printed with
// --json); throws if a line is not JSON.
boost::json::array json_lines(const std::string& text);

}  // namespace clueline::testing
