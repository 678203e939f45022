#include "registry.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <boost/json/array.hpp>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <stdexcept>

#include "clueline/crypto/bytes.hpp"
#include "clueline/crypto/encoding.hpp"
#include "clueline/crypto/site_token.hpp"
#include "clueline/crypto/unit_key_certificate.hpp"
#include "clueline/services/config.hpp"
#include "files.hpp"
#include "options.hpp"

namespace clueline::app {
namespace {

namespace fs = std::filesystem;

// The process holding RocksDB's lock on the database in `directory`, if any.
// RocksDB takes an fcntl write lock on DIR/LOCK for as long as it has the
// database open; F_GETLK names the holder without taking anything.
std::optional<pid_t> lock_holder(const fs::path& directory) {
  const int fd = ::open((directory / "LOCK").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct flock lock {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  const int status = ::fcntl(fd, F_GETLK, &lock);
  ::close(fd);
  if (status != 0 || lock.l_type == F_UNLCK) return std::nullopt;
  return lock.l_pid;
}

}  // namespace

fs::path database_directory(const fs::path& data_dir) { return data_dir / "rocksdb"; }

std::unique_ptr<storage::Store> open_database(const fs::path& data_dir, bool create_if_missing) {
  storage::Options options;
  options.directory = database_directory(data_dir);
  options.create_if_missing = create_if_missing;
  if (create_if_missing) {
    // The database holds every clue, account and audit entry: a new data
    // directory and the database directory in it are the owner's alone.
    // RocksDB would create the latter with mode 0755.
    create_private_directory(data_dir);
    create_private_directory(options.directory);
  }
  auto store = storage::Store::open(options);
  if (store) return std::move(*store);
  const std::string where = options.directory.string();
  if (store.error() == errc::not_found) {
    throw std::runtime_error(where + ": no clueline database here (check --data-dir or --config)");
  }
  if (store.error() == errc::storage_io) {
    if (const auto holder = lock_holder(options.directory)) {
      throw std::runtime_error(where + ": the database is in use by process " +
                               std::to_string(*holder) +
                               " (a running clueline server?); stop it first");
    }
  }
  if (store.error() == errc::invalid_argument) {
    // A format version this build does not read; the storage layer wrote
    // which one to the database's own log.
    throw std::runtime_error(where +
                             ": not a database this clueline version can use (its LOG file says "
                             "why); a demo directory made by an earlier version can be removed and "
                             "made again");
  }
  throw std::runtime_error(where + ": cannot open the database: " + store.error().message());
}

fs::path registry_data_dir(const CommandOptions& options) {
  if (options.has("--data-dir")) {
    if (options.has("--config")) throw UsageError("give --data-dir or --config, not both");
    const std::string& data_dir = options.required("--data-dir");
    if (data_dir.empty()) throw UsageError("--data-dir must not be empty");
    return data_dir;
  }
  std::string config_path = options.value_or("--config", "");
  if (config_path.empty()) {
    if (const char* from_env = std::getenv(services::kConfigFileVariable.data())) {
      config_path = from_env;
    }
  }
  return services::load_config(config_path, services::current_environment()).storage.data_dir;
}

services::Config command_config(const CommandOptions& options) {
  const bool has_data_dir = options.has("--data-dir");
  const fs::path data_dir = has_data_dir ? registry_data_dir(options) : fs::path();
  std::string config_path = options.value_or("--config", "");
  if (config_path.empty()) {
    if (const char* from_env = std::getenv(services::kConfigFileVariable.data())) {
      config_path = from_env;
    }
  }
  services::Config config = services::load_config(config_path, services::current_environment());
  if (has_data_dir) config.storage.data_dir = data_dir;
  return config;
}

std::string normalize_base_url(std::string_view base_url) {
  constexpr std::string_view kScheme = "https://";
  std::string url(base_url);
  while (!url.empty() && url.back() == '/') url.pop_back();
  const bool has_host =
      url.starts_with(kScheme) && url.size() > kScheme.size() && url[kScheme.size()] != '/';
  const bool plain =
      url.find_first_of("?#") == std::string::npos &&
      std::all_of(url.begin(), url.end(), [](char c) {
        return static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7f;
      });
  if (!has_host || !plain) {
    // The value itself is not echoed: it may hold anything, newlines included.
    throw UsageError(
        "--base-url must be an https:// URL with a host and no query, e.g. "
        "https://jubao.example.cn");
  }
  return url;
}

std::string base_url_of(const CommandOptions& options) {
  return normalize_base_url(options.value_or("--base-url", std::string(kDefaultBaseUrl)));
}

storage::Site existing_site(const storage::Store& store, std::uint32_t id,
                            std::string_view named_as) {
  auto site = storage::get_site(store, id);
  if (!site && site.error() == errc::not_found) {
    throw std::runtime_error(std::string(named_as) + " " + std::to_string(id) + ": no such site");
  }
  return checked(site, "reading the site");
}

std::string site_url(std::string_view base_url, std::string_view token) {
  return std::string(base_url) + "/s/" + std::string(token);
}

storage::Deployment require_matching_deployment(const storage::Store& store,
                                                const crypto::SigningKeyPair& key,
                                                const fs::path& key_file) {
  auto deployment = storage::load_deployment(store);
  if (!deployment && deployment.error() == errc::not_found) {
    throw std::runtime_error(
        "no deployment record yet: `clueline site add` creates it with the first site");
  }
  checked(deployment, "the deployment record");
  if (deployment->site_signing_public_key != key.public_key.bytes) {
    throw std::runtime_error(key_file.string() +
                             ": not this deployment's site-signing key (its tokens would not "
                             "verify)");
  }
  return *deployment;
}

storage::Deployment ensure_deployment(storage::Store& store, const crypto::SigningKeyPair& key,
                                      const fs::path& key_file) {
  auto deployment = storage::load_deployment(store);
  if (deployment || deployment.error() != errc::not_found) {
    return require_matching_deployment(store, key, key_file);
  }
  storage::Deployment created;
  created.site_signing_public_key = key.public_key.bytes;
  crypto::random_bytes(created.receipt_salt);
  checked(storage::save_deployment(store, created), "storing the deployment record");
  std::cerr << "clueline: created the deployment record (site-signing key and receipt salt)\n";
  return created;
}

std::string unit_key_certificate(const storage::Unit& unit, const crypto::BoxPublicKey& public_key,
                                 const crypto::SigningKeyPair& key, std::uint32_t valid_days) {
  const auto now =
      static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  crypto::UnitKeyCertificate fields;
  fields.unit_id = unit.id;
  fields.parent_id = unit.parent_id;
  fields.level = unit.level;
  fields.public_key = public_key;
  fields.not_before = now - 3600;
  fields.not_after = now + std::uint64_t{valid_days} * 86400;
  const crypto::Bytes certificate = crypto::sign_unit_key_certificate(fields, key);
  return {reinterpret_cast<const char*>(certificate.data()), certificate.size()};
}

std::uint32_t certificate_days(const CommandOptions& options) {
  if (!options.has("--valid-days")) return kDefaultCertificateDays;
  const std::uint32_t days = parse_id(options.required("--valid-days"), "--valid-days");
  if (days > 3650) throw UsageError("--valid-days must be 1 to 3650");
  return days;
}

boost::json::object signed_site_json(const storage::Site& site, const crypto::SigningKeyPair& key,
                                     std::string_view base_url) {
  boost::json::object object = services::site_json(site);
  const std::string token = crypto::sign_site_token({site.id, site.token_version}, key);
  object["token"] = token;
  object["url"] = site_url(base_url, token);
  return object;
}

}  // namespace clueline::app
