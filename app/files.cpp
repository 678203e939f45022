#include "files.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
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

std::string safe_attachment_name(std::string_view suggested, std::size_t index) {
  constexpr std::size_t kMaxNameBytes = 100;
  // The last component, whichever separator the reporter's device used.
  if (const auto slash = suggested.find_last_of("/\\"); slash != std::string_view::npos) {
    suggested.remove_prefix(slash + 1);
  }
  std::string name;
  for (const char c : suggested.substr(0, kMaxNameBytes)) {
    const auto byte = static_cast<unsigned char>(c);
    name.push_back(byte < 0x20 || byte == 0x7f ? '_' : c);
  }
  // Cut on a UTF-8 boundary: drop a trailing incomplete sequence.
  std::size_t end = name.size();
  std::size_t continuation = 0;
  while (end > 0 && (static_cast<unsigned char>(name[end - 1]) & 0xC0) == 0x80) {
    --end;
    ++continuation;
  }
  if (end > 0 && static_cast<unsigned char>(name[end - 1]) >= 0xC0) {
    const auto lead = static_cast<unsigned char>(name[end - 1]);
    const std::size_t needed = lead >= 0xF0 ? 3 : lead >= 0xE0 ? 2 : 1;
    if (continuation < needed) name.resize(end - 1);
  }
  if (!name.empty() && name.front() == '.') name.front() = '_';
  if (name.empty()) name = "attachment-" + std::to_string(index + 1);
  return name;
}

fs::path write_attachment(const fs::path& directory, std::string_view suggested, std::size_t index,
                          std::span<const std::byte> content) {
  create_private_directory(directory);
  const fs::path name(safe_attachment_name(suggested, index));
  const std::string stem = name.stem().string();
  const std::string extension = name.extension().string();
  const std::string_view text(reinterpret_cast<const char*>(content.data()), content.size());
  for (int copy = 1; copy <= 1000; ++copy) {
    const fs::path path =
        directory /
        (copy == 1 ? name.string() : stem + " (" + std::to_string(copy) + ")" + extension);
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
      if (errno == EEXIST) continue;
      throw std::runtime_error("cannot create " + path.string() + ": " + std::strerror(errno));
    }
    const bool written = write_all_and_sync(fd, text);
    ::close(fd);
    if (!written) throw std::runtime_error("cannot write " + path.string());
    return path;
  }
  throw std::runtime_error(directory.string() + ": too many attachments named " + name.string());
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

bool create_private_directory(const fs::path& path) {
  // "dir/" names "dir": mkdir on it would find it made by the parents' step.
  fs::path directory = path.lexically_normal();
  if (!directory.has_filename() && directory.has_parent_path()) {
    directory = directory.parent_path();
  }
  if (fs::is_directory(directory)) return false;
  if (directory.has_parent_path()) fs::create_directories(directory.parent_path());
  // Created 0700 rather than tightened afterwards, so that it is never open
  // to others, not even for a moment; chmod then undoes a umask that would
  // take the owner's own bits away.
  if (::mkdir(directory.c_str(), 0700) != 0) {
    if (errno == EEXIST && fs::is_directory(directory)) return false;  // made meanwhile
    throw std::runtime_error("cannot create " + directory.string() + ": " + std::strerror(errno));
  }
  if (::chmod(directory.c_str(), 0700) != 0) {
    throw std::runtime_error("cannot set the mode of " + directory.string() + ": " +
                             std::strerror(errno));
  }
  return true;
}

void require_private_directory(const fs::path& path, std::string_view what) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) {
    throw std::runtime_error(std::string(what) + ": " + path.string() + ": " +
                             std::strerror(errno));
  }
  if (!S_ISDIR(info.st_mode)) {
    throw std::runtime_error(std::string(what) + ": " + path.string() + " is not a directory");
  }
  if ((info.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(info.st_mode & 07777));
    throw std::runtime_error(std::string(what) + ": " + path.string() +
                             " is open to group or others (mode " + mode + "); run chmod 700 " +
                             path.string());
  }
}

std::string failure_text(const std::string& what, const boost::system::error_code& error) {
  if (error.category() != error_category()) return what + ": " + error.message();
  const auto code = static_cast<errc>(error.value());
  return what + ": " + std::string(error_description(code)) + " (" + std::string(error_name(code)) +
         ")";
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
