// A small jurisdiction written straight into a data directory before the
// server starts, and the client side of the citizen protocol (route, seal,
// submit) for the intake tests.
#pragma once

#include <boost/json/value.hpp>
#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "clueline/crypto/crypto.hpp"
#include "clueline/storage/records.hpp"

namespace clueline::testing {

// province (keys) > city (keys) > county (keys) > township (keys) > village
// (no keys). Sites: "village board" at the village (current token), "old
// poster" at the village whose first token has been revoked.
struct TestDeployment {
  crypto::SigningKeyPair site_signing;
  storage::Deployment record;
  std::map<std::string, std::uint32_t> unit_ids;        // by level name
  std::map<std::string, crypto::BoxKeyPair> unit_keys;  // by level name, receiving units only
  std::uint32_t site_id = 0;
  std::string site_token;  // current
  std::uint32_t revoked_site_id = 0;
  std::string revoked_site_token;  // version 1, revoked (site now at version 2)
};

// A stored key of `unit` (whose id, level and parent are set) for `key`,
// certified by `signing` from a day ago for a year (crypto-spec §3.1).
storage::UnitKey certified_unit_key(const storage::Unit& unit, const crypto::BoxPublicKey& key,
                                    const crypto::SigningKeyPair& signing);

// Writes the deployment into data_dir/rocksdb (which must not be open).
TestDeployment write_test_deployment(const std::filesystem::path& data_dir);

// Every key/value of every family except the readiness probe's reserved
// keys, for before/after comparisons. Opens and closes the store; with
// read_only, without its lock, so while a server holds it (what was synced).
using Snapshot = std::map<std::pair<int, std::string>, std::string>;
Snapshot snapshot(const std::filesystem::path& data_dir, bool read_only = false);

// An envelope as the citizen page would build it.
struct BuiltReport {
  std::string envelope;
  std::string receipt;
  crypto::PowChallenge challenge{};
  storage::Bytes32 lookup_hash{};
};

struct ReportOptions {
  std::string text = "report text";
  std::string category = "bribery";
  std::string accused_level = "village";
  std::optional<crypto::PowChallenge> challenge;  // reuse a challenge
  unsigned difficulty = 0;
  std::vector<crypto::BoxPublicKey> recipients;
  std::string token;            // raw-token source (base64url)
  bool derive_receipt = false;  // Argon2id (slow); otherwise a random lookup hash
  storage::Bytes16 receipt_salt{};
  std::optional<storage::Bytes32> lookup_hash;  // reuse a receipt lookup hash
};

// Every key of every recipient of a GET /api/v1/route answer (the handling
// unit's and the overseers'), as a client seals to them.
std::vector<crypto::BoxPublicKey> route_keys(const boost::json::value& route_answer);

// Builds an envelope; throws std::runtime_error if sealing fails.
BuiltReport build_report(const ReportOptions& options);

}  // namespace clueline::testing
