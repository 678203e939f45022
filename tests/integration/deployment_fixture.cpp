#include "deployment_fixture.hpp"

#include <ctime>
#include <stdexcept>

#include "clueline/crypto/unit_key_certificate.hpp"
#include "clueline/storage/store.hpp"

namespace clueline::testing {
namespace {

std::unique_ptr<storage::Store> open_store(const std::filesystem::path& data_dir) {
  auto store = storage::Store::open({.directory = data_dir / "rocksdb"});
  if (!store) throw std::runtime_error("cannot open the test store: " + store.error().message());
  return std::move(*store);
}

template <typename T>
T value_or_throw(result<T> value, const char* what) {
  if (!value) throw std::runtime_error(std::string(what) + ": " + value.error().message());
  return std::move(*value);
}

void check(result<void> value, const char* what) {
  if (!value) throw std::runtime_error(std::string(what) + ": " + value.error().message());
}

}  // namespace

storage::UnitKey certified_unit_key(const storage::Unit& unit, const crypto::BoxPublicKey& key,
                                    const crypto::SigningKeyPair& signing) {
  const auto now = static_cast<std::uint64_t>(std::time(nullptr));
  crypto::UnitKeyCertificate fields;
  fields.unit_id = unit.id;
  fields.parent_id = unit.parent_id;
  fields.level = unit.level;
  fields.public_key = key;
  fields.not_before = now - 86400;
  fields.not_after = now + 365 * 86400;
  const crypto::Bytes certificate = crypto::sign_unit_key_certificate(fields, signing);
  storage::UnitKey stored;
  stored.key_id = crypto::key_id(key);
  stored.public_key = key.bytes;
  stored.certificate.assign(reinterpret_cast<const char*>(certificate.data()), certificate.size());
  return stored;
}

namespace {}  // namespace

TestDeployment write_test_deployment(const std::filesystem::path& data_dir) {
  crypto::initialize();
  TestDeployment deployment;
  deployment.site_signing = crypto::generate_signing_key_pair();
  deployment.record.site_signing_public_key = deployment.site_signing.public_key.bytes;
  crypto::random_bytes(deployment.record.receipt_salt);

  auto store = open_store(data_dir);
  check(storage::save_deployment(*store, deployment.record), "deployment");
  std::uint32_t parent = 0;
  for (const std::string level : {"province", "city", "county", "township", "village"}) {
    storage::Unit unit;
    unit.name = "Test " + level;
    unit.level = level;
    unit.parent_id = parent;
    unit.id = value_or_throw(storage::add_unit(*store, unit), "unit");
    if (level != "village") {
      auto pair = crypto::generate_box_key_pair();
      unit.keys.push_back(certified_unit_key(unit, pair.public_key, deployment.site_signing));
      check(storage::put_unit(*store, unit, "unit.add_key"), "unit key");
      deployment.unit_keys.emplace(level, std::move(pair));
    }
    parent = unit.id;
    deployment.unit_ids[level] = parent;
  }
  const std::uint32_t village = deployment.unit_ids.at("village");
  deployment.site_id = value_or_throw(storage::add_site(*store, {.name = "Test village board",
                                                                 .unit_id = village,
                                                                 .kind = "village_board",
                                                                 .token_version = 1}),
                                      "site");
  deployment.site_token = crypto::sign_site_token({deployment.site_id, 1}, deployment.site_signing);
  deployment.revoked_site_id = value_or_throw(
      storage::add_site(
          *store, {.name = "Old poster", .unit_id = village, .kind = "clinic", .token_version = 1}),
      "site");
  deployment.revoked_site_token =
      crypto::sign_site_token({deployment.revoked_site_id, 1}, deployment.site_signing);
  value_or_throw(storage::revoke_site(*store, deployment.revoked_site_id), "revoke");
  return deployment;
}

Snapshot snapshot(const std::filesystem::path& data_dir, bool read_only) {
  auto opened = storage::Store::open({.directory = data_dir / "rocksdb", .read_only = read_only});
  if (!opened) throw std::runtime_error("cannot open the test store: " + opened.error().message());
  auto store = std::move(*opened);
  Snapshot all;
  for (int family = 0; family <= static_cast<int>(storage::Family::kStats); ++family) {
    auto rows =
        value_or_throw(store->scan(static_cast<storage::Family>(family), "", 10'000'000), "scan");
    for (auto& [key, value] : rows) {
      if (family == static_cast<int>(storage::Family::kMeta) && key.starts_with("storage."))
        continue;
      all.emplace(std::make_pair(family, std::move(key)), std::move(value));
    }
  }
  return all;
}

std::vector<crypto::BoxPublicKey> route_keys(const boost::json::value& route_answer) {
  std::vector<crypto::BoxPublicKey> keys;
  for (const auto& recipient : route_answer.at("recipients").as_array()) {
    for (const auto& key : recipient.at("keys").as_array()) {
      const auto bytes =
          value_or_throw(crypto::from_base64url(key.at("public_key").as_string()), "route key");
      keys.push_back(value_or_throw(crypto::box_public_key_from(bytes), "route key"));
    }
  }
  return keys;
}

BuiltReport build_report(const ReportOptions& options) {
  BuiltReport built;
  crypto::EnvelopeHeader header{};
  auto raw_token = value_or_throw(crypto::from_base64url(options.token), "token");
  if (raw_token.size() != header.site_token.size()) throw std::runtime_error("token size");
  std::copy(raw_token.begin(), raw_token.end(), header.site_token.begin());
  header.category = options.category;
  header.accused_level = options.accused_level;
  if (options.derive_receipt) {
    built.receipt = crypto::generate_receipt();
    auto keys =
        value_or_throw(crypto::derive_receipt_keys(built.receipt, options.receipt_salt), "receipt");
    header.reply_public_key = keys.reply_key_pair.public_key;
    header.receipt_lookup_hash = keys.lookup_hash;
  } else {
    header.reply_public_key = crypto::generate_box_key_pair().public_key;
    crypto::random_bytes(header.receipt_lookup_hash);
  }
  if (options.lookup_hash) header.receipt_lookup_hash = *options.lookup_hash;
  built.lookup_hash = header.receipt_lookup_hash;
  if (!options.challenge) throw std::runtime_error("a challenge is required");
  header.pow_challenge = *options.challenge;
  header.pow_nonce = crypto::solve_pow(header.pow_challenge, options.difficulty);
  built.challenge = header.pow_challenge;
  const std::string body = R"({"v":1,"text":")" + options.text + R"("})";
  auto sealed = value_or_throw(crypto::seal_envelope(header, options.recipients, body), "seal");
  built.envelope.assign(reinterpret_cast<const char*>(sealed.data()), sealed.size());
  return built;
}

}  // namespace clueline::testing
