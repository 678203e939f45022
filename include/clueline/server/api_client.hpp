// A blocking HTTPS client of one clueline server, for the command-line
// tools (the reference citizen client, and the supervisor and admin
// commands). Beast stays inside the server module; this header names none
// of its types.
//
// Verifies the server's certificate against `ca_file` (e.g. the demo's
// self-signed certificate) or the system store, and the host name against
// the URL; TLS 1.2 or later. One keep-alive connection, opened on first use
// and again after the server closes it. Every connect, read and write gives
// up after `timeout`.
//
// Not thread-safe: one client per thread.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace clueline::server {

class ApiClient {
 public:
  // Throws std::invalid_argument unless `base_url` is https://host[:port],
  // and std::runtime_error if `ca_file` cannot be loaded.
  ApiClient(std::string_view base_url, const std::filesystem::path& ca_file,
            std::chrono::seconds timeout = std::chrono::seconds(60));
  ~ApiClient();
  ApiClient(ApiClient&&) noexcept;
  ApiClient& operator=(ApiClient&&) noexcept;
  ApiClient(const ApiClient&) = delete;
  ApiClient& operator=(const ApiClient&) = delete;

  enum class Method { kGet, kPost, kPut, kDelete };

  struct Request {
    Method method = Method::kGet;
    std::string target;  // origin form: "/api/v1/route?site=..."
    std::string body;
    std::string content_type;                                  // empty: none
    std::string bearer;                                        // empty: no Authorization header
    std::vector<std::pair<std::string, std::string>> headers;  // any others
  };

  struct Answer {
    unsigned status = 0;
    std::string body;
    std::string content_type;
  };

  // Throws std::runtime_error (naming the host) when the server cannot be
  // reached, the certificate does not verify, or the exchange times out.
  // Answers of any status are returned, bodies up to 16 MiB.
  Answer call(Request request);

  const std::string& host() const noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace clueline::server
