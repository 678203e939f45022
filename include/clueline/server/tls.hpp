// TLS certificate helpers used at start-up (serve, demo) and by tests.
//
// All functions throw std::runtime_error with a message naming the file on
// failure: they run before the server accepts anything.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace clueline::server {

struct SelfSignedRequest {
  std::string common_name = "localhost";
  std::vector<std::string> dns_names{"localhost"};
  std::vector<std::string> ip_addresses{"127.0.0.1", "::1"};
  std::chrono::days validity{365};
};

// Creates a P-256 key and a self-signed X.509 v3 certificate (SHA-256,
// subjectAltName from the request) and writes both as PEM. The key file is
// created with mode 0600. Existing files are replaced.
void write_self_signed_certificate(const std::filesystem::path& certificate_file,
                                   const std::filesystem::path& private_key_file,
                                   const SelfSignedRequest& request = {});

// The notAfter time of the first certificate in a PEM file.
std::chrono::system_clock::time_point certificate_not_after(
    const std::filesystem::path& certificate_file);

}  // namespace clueline::server
