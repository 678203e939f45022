// File helpers shared by the subcommands: key files, secrets created
// exclusively, and files replaced atomically. Everything throws
// std::runtime_error with a message naming the file (main reports it as one
// line, exit code 1).
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <filesystem>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "clueline/common/error.hpp"
#include "clueline/crypto/encoding.hpp"
#include "clueline/crypto/keys.hpp"

namespace clueline::app {

// The value of `value`, or a runtime_error "what: <error name>".
// "WHAT: DESCRIPTION (CODE)", e.g. "--token: missing, malformed or out of
// range (invalid_argument)".
std::string failure_text(const std::string& what, const boost::system::error_code& error);

template <typename T>
T checked(result<T> value, const std::string& what) {
  if (!value) throw std::runtime_error(failure_text(what, value.error()));
  return std::move(*value);
}

inline void checked(result<void> value, const std::string& what) {
  if (!value) throw std::runtime_error(failure_text(what, value.error()));
}

std::string read_text(const std::filesystem::path& path);
crypto::Bytes read_bytes(const std::filesystem::path& path);

// Creates `path` exclusively with `mode`: key files are never overwritten
// and a secret key is never readable by others, not even for a moment.
void write_new_file(const std::filesystem::path& path, std::string_view content, mode_t mode);

// Creates or truncates `path`.
void write_file(const std::filesystem::path& path, std::span<const std::byte> content);

// Writes a sibling temporary file, syncs it and renames it over `path`, so
// that a reader sees the old or the new content, never half of either.
// The file gets `mode` (0600 for a session token).
void replace_file(const std::filesystem::path& path, std::string_view content, mode_t mode = 0644);

// Creates the directory `path` with mode 0700 (its missing parents get the
// usual mode, as with mkdir -p) and returns true; returns false, changing
// nothing, if it already exists. For directories that will hold secrets: a
// data directory, its database, key directories.
bool create_private_directory(const std::filesystem::path& path);

// Throws "`what`: DIR is open to group or others (mode 0755); run chmod 700
// DIR" unless `path` is a directory on which group and others have no
// permission at all, or "`what`: DIR: <reason>" if it cannot be looked at.
void require_private_directory(const std::filesystem::path& path, std::string_view what);

// A file name for a reporter's attachment that cannot leave the directory
// it is written to: the last path component of `suggested`, with control
// characters, '/' and '\\' replaced by '_', a leading '.' by '_' (no hidden
// files, never "." or ".."), cut to at most 100 bytes on a UTF-8 boundary;
// "attachment-N" (N = index + 1) if nothing is left. Pure.
std::string safe_attachment_name(std::string_view suggested, std::size_t index);

// Writes `content` to a new file in `directory` (created 0700 if missing)
// named safe_attachment_name(), or "stem (2).ext", "stem (3).ext", ... if
// that name is taken, so that two attachments with the same name are both
// kept; mode 0600, created exclusively, never over an existing file.
// Returns the path written.
std::filesystem::path write_attachment(const std::filesystem::path& directory,
                                       std::string_view suggested, std::size_t index,
                                       std::span<const std::byte> content);

// A key file (as `clueline keygen` writes them) holds one base64url value
// and a newline.
crypto::Bytes read_key_file(const std::filesystem::path& path);

// A unit public key file (NAME.pub from `keygen unit`). A file named *.key is
// refused: a unit secret key has the same size as a public key, and
// registering one by mistake would publish it to every reporter.
crypto::BoxPublicKey read_box_public_key_file(const std::filesystem::path& path);

// The deployment's site-signing secret key (site-signing.key from `keygen
// site-signing`), checked to be a consistent Ed25519 pair.
crypto::SigningKeyPair read_signing_key_file(const std::filesystem::path& path);

}  // namespace clueline::app
