// What the registry commands (unit, site), demo and serve share: opening the
// database of a data directory, site URLs and the JSON form of units and
// sites. Failures throw std::runtime_error (exit 1) or UsageError (exit 2)
// with a one-line message.
#pragma once

#include <boost/json/object.hpp>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "clueline/crypto/keys.hpp"
#include "clueline/services/config.hpp"
#include "clueline/services/registry_json.hpp"
#include "clueline/storage/records.hpp"
#include "clueline/storage/store.hpp"

namespace clueline::app {

class CommandOptions;

// The database directory of a data directory: DATA_DIR/rocksdb.
std::filesystem::path database_directory(const std::filesystem::path& data_dir);

// Opens DATA_DIR/rocksdb. A database held by another process (a running
// server) is reported as such, naming the process, rather than as a bare
// storage_io; with create_if_missing false a missing database is an error
// naming the directory.
std::unique_ptr<storage::Store> open_database(const std::filesystem::path& data_dir,
                                              bool create_if_missing);

// The data directory a registry command works on: --data-dir DIR, or
// storage.data_dir of the configuration that `serve` would load (--config
// FILE, else CLUELINE_CONFIG, plus CLUELINE_* overrides). Giving both options
// is a UsageError; a bad configuration throws services::ConfigError.
std::filesystem::path registry_data_dir(const CommandOptions& options);

// The configuration `serve` would load (--config FILE, else CLUELINE_CONFIG,
// plus CLUELINE_* overrides; the defaults if neither names a file), with
// storage.data_dir replaced by --data-dir DIR if given. Throws like
// registry_data_dir.
services::Config command_config(const CommandOptions& options);

inline constexpr std::string_view kDefaultBaseUrl = "https://127.0.0.1:8443";

// `base_url` without trailing slashes; UsageError unless it is an https URL
// with a host and nothing a poster URL cannot carry (query, fragment, spaces).
std::string normalize_base_url(std::string_view base_url);

// BASE/s/TOKEN, the URL of a poster's QR code (docs/crypto-spec.md §3).
std::string site_url(std::string_view base_url, std::string_view token);

// The offline commands' poster base: --base-url normalised, else
// kDefaultBaseUrl. (Online commands default to --server instead.)
std::string base_url_of(const CommandOptions& options);

// Site `id` of `store`. A missing site throws std::runtime_error
// "<named_as> <id>: no such site" (named_as as the command calls it, e.g.
// "--id"); a failed read throws as checked() does.
storage::Site existing_site(const storage::Store& store, std::uint32_t id,
                            std::string_view named_as);

// The deployment record, which must exist and hold `key`'s public key:
// tokens signed with any other key would be refused by the server.
storage::Deployment require_matching_deployment(const storage::Store& store,
                                                const crypto::SigningKeyPair& key,
                                                const std::filesystem::path& key_file);

// The deployment record holding `key`'s public key: the stored one (which
// must hold it, as require_matching_deployment checks), or a new one with a
// random receipt salt when there is none yet (the first site or unit key
// fixes the deployment; a line on stderr says so).
storage::Deployment ensure_deployment(storage::Store& store, const crypto::SigningKeyPair& key,
                                      const std::filesystem::path& key_file);

// The certificate (crypto-spec §3.1, raw bytes) of `public_key` for `unit`,
// signed with the deployment key, valid from an hour ago (clocks differ) for
// `valid_days` days.
inline constexpr std::uint32_t kDefaultCertificateDays = 730;
std::string unit_key_certificate(const storage::Unit& unit, const crypto::BoxPublicKey& public_key,
                                 const crypto::SigningKeyPair& key,
                                 std::uint32_t valid_days = kDefaultCertificateDays);

// --valid-days N (1..3650), else the default.
std::uint32_t certificate_days(const CommandOptions& options);

// site_json plus "token" (signed for the site's current version) and "url".
boost::json::object signed_site_json(const storage::Site& site, const crypto::SigningKeyPair& key,
                                     std::string_view base_url);

}  // namespace clueline::app
