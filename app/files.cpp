#include "files.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

namespace clueline::app {

namespace fs = std::filesystem;

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  return {std::istreambuf_iterator<char>(in), {}};
}

crypto::Bytes read_bytes(const fs::path& path) {
  const std::string text = read_text(path);
  const auto* begin = reinterpret_cast<const std::byte*>(text.data());
  return crypto::Bytes(begin, begin + text.size());
}

namespace {

// Writes all of `content` to `fd` and syncs it; false on any failure.
bool write_all_and_sync(int fd, std::string_view content) {
  while (!content.empty()) {
    const ssize_t written = ::write(fd, content.data(), content.size());
    if (written < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    content.remove_prefix(static_cast<std::size_t>(written));
  }
  return ::fsync(fd) == 0;
}

}  // namespace

void write_new_file(const fs::path& path, std::string_view content, mode_t mode) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    throw std::runtime_error("cannot create " + path.string() + ": " + std::strerror(errno));
  }
  const bool written = write_all_and_sync(fd, content);
  ::close(fd);
  if (!written) throw std::runtime_error("cannot write " + path.string());
}

void write_file(const fs::path& path, std::span<const std::byte> content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(content.data()),
            static_cast<std::streamsize>(content.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

void replace_file(const fs::path& path, std::string_view content, mode_t mode) {
  fs::path temporary = path;
  temporary += ".tmp";
  ::unlink(temporary.c_str());  // a stale one may have another mode
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) {
    throw std::runtime_error("cannot create " + temporary.string() + ": " + std::strerror(errno));
  }
  const bool written = write_all_and_sync(fd, content);
  ::close(fd);
  if (!written || std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::error_code ignored;
    fs::remove(temporary, ignored);
    throw std::runtime_error("cannot write " + path.string());
  }
}

crypto::Bytes read_key_file(const fs::path& path) {
  std::string text = read_text(path);
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return checked(crypto::from_base64url(text), path.string());
}

crypto::BoxPublicKey read_box_public_key_file(const fs::path& path) {
  if (path.extension() == ".key") {
    throw std::runtime_error(path.string() +
                             ": this is a secret key file; give the unit's .pub file");
  }
  return checked(crypto::box_public_key_from(read_key_file(path)),
                 path.string() + ": not a unit public key (32 bytes)");
}

crypto::SigningKeyPair read_signing_key_file(const fs::path& path) {
  return checked(crypto::signing_key_pair_from_secret(read_key_file(path)),
                 path.string() + ": not a site-signing secret key (from keygen site-signing)");
}

}  // namespace clueline::app
