#include "server_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <fstream>
#include <random>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "clueline/server/tls.hpp"

extern char** environ;

namespace clueline::testing {

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void create_data_dir(const std::filesystem::path& path) {
  std::filesystem::create_directories(path);
  std::filesystem::permissions(path, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace);
}

CommandRun run_clueline(const std::filesystem::path& scratch_dir, const std::string& arguments) {
  const auto out = scratch_dir / "stdout";
  const auto err = scratch_dir / "stderr";
  const std::string command =
      std::string(CLUELINE_BINARY) + " " + arguments + " >" + out.string() + " 2>" + err.string();
  const int status = std::system(command.c_str());
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(out), read_file(err)};
}

CommandRun run_clueline_json(const std::filesystem::path& scratch_dir,
                             const std::string& arguments) {
  return run_clueline(scratch_dir, arguments + " --json");
}

boost::json::array json_lines(const std::string& text) {
  boost::json::array values;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) values.push_back(boost::json::parse(line));
  }
  return values;
}

ServerProcess::ServerProcess(const std::string& name, const ServerOptions& options) {
  const std::filesystem::path log_dir = CLUELINE_TEST_LOG_DIR;
  std::filesystem::create_directories(log_dir);
  std::random_device random;
  directory_ = std::filesystem::temp_directory_path() /
               ("clueline-test-" + name + "-" + std::to_string(random()));
  std::filesystem::create_directories(directory_);
  certificate_ = directory_ / "cert.pem";
  const auto key = directory_ / "key.pem";
  server::SelfSignedRequest request;
  request.validity = options.certificate_validity;
  server::write_self_signed_certificate(certificate_, key, request);

  data_dir_ = options.data_dir.empty() ? directory_ / "data" : options.data_dir;
  const auto config_file = directory_ / "clueline.toml";
  std::ofstream(config_file) << "[server]\naddress = \"127.0.0.1\"\nport = 0\nthreads = "
                             << options.threads << "\n"
                             << "tls_certificate = \"" << certificate_.string() << "\"\n"
                             << "tls_private_key = \"" << key.string() << "\"\n"
                             << options.server_keys << "[ops]\naddress = \"127.0.0.1\"\nport = 0\n"
                             << "min_free_disk_bytes = 1048576\n"
                             << "[storage]\ndata_dir = \"" << data_dir_.string() << "\"\n"
                             << options.extra_config;

  access_log_ = log_dir / (name + ".access.log");
  stderr_log_ = log_dir / (name + ".stderr.log");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, access_log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  posix_spawn_file_actions_addopen(&actions, 2, stderr_log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0644);
  std::string binary = CLUELINE_BINARY;
  std::string serve = "serve";
  std::string flag = "--config";
  std::string config = config_file.string();
  char* argv[] = {binary.data(), serve.data(), flag.data(), config.data(), nullptr};
  const int spawned = posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv, environ);
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) throw std::runtime_error("cannot start " + binary);

  // Sanitizer builds start slowly; a minute is generous for both.
  const std::regex public_line(R"(serving https://127\.0\.0\.1:(\d+)/)");
  const std::regex ops_line(R"(operations http://127\.0\.0\.1:(\d+)/)");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string text = stderr_text();
    std::smatch public_match, ops_match;
    if (std::regex_search(text, public_match, public_line) &&
        std::regex_search(text, ops_match, ops_line)) {
      public_port_ = static_cast<std::uint16_t>(std::stoi(public_match[1]));
      ops_port_ = static_cast<std::uint16_t>(std::stoi(ops_match[1]));
      return;
    }
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      // No destructor runs for a constructor that throws.
      std::error_code ignored;
      std::filesystem::remove_all(directory_, ignored);
      const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      throw std::runtime_error("server exited during start-up (exit code " + std::to_string(code) +
                               "): " + text);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("server did not report its ports: " + stderr_text());
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int status = 0;
    waitpid(pid_, &status, 0);
  }
  std::error_code ignored;
  std::filesystem::remove_all(directory_, ignored);
}

std::string ServerProcess::stderr_text() const { return read_file(stderr_log_); }
std::string ServerProcess::access_log_text() const { return read_file(access_log_); }

int ServerProcess::kill() {
  if (pid_ <= 0) return exit_status_;
  ::kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  exit_status_ = status;
  return status;
}

int ServerProcess::terminate(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return exit_status_;
  ::kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      exit_status_ = status;
      return status;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

}  // namespace clueline::testing
