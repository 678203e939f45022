#include "demo_data.hpp"

#include <array>
#include <stdexcept>

#include "clueline/crypto/bytes.hpp"
#include "clueline/crypto/encoding.hpp"
#include "clueline/crypto/keys.hpp"
#include "clueline/crypto/site_token.hpp"
#include "clueline/storage/records.hpp"
#include "files.hpp"
#include "registry.hpp"

namespace clueline::app {
namespace {

namespace fs = std::filesystem;

constexpr int kRoot = -1;

struct DemoUnit {
  std::string_view key_name;  // keys/<key_name>.key and .pub; empty: no keys, not receiving
  std::string_view name;
  std::string_view level;
  int parent;  // index into kDemoUnits, or kRoot
};

// Parents come before their children, so ids are known when needed.
constexpr std::array kDemoUnits{
    DemoUnit{"province", "Demo Province", "province", kRoot},
    DemoUnit{"city", "Demo City", "city", 0},
    DemoUnit{"county", "Demo County", "county", 1},
    DemoUnit{"dongshan-township", "Dongshan Township", "township", 2},
    DemoUnit{"xishan-township", "Xishan Township", "township", 2},
    DemoUnit{"", "Dongshan Village", "village", 3},
    DemoUnit{"", "Nanshan Village", "village", 3},
    DemoUnit{"", "Xishan Village", "village", 4},
};

struct DemoSiteSpec {
  std::string_view name;
  std::string_view kind;
  std::size_t unit;  // index into kDemoUnits
};

// The first one is the site whose URL and QR code `clueline demo` shows.
constexpr std::array kDemoSites{
    DemoSiteSpec{"Dongshan village board", "village_board", 5},
    DemoSiteSpec{"Nanshan clinic", "clinic", 6},
    DemoSiteSpec{"Xishan primary school", "school", 7},
    DemoSiteSpec{"Dongshan township office", "township_office", 3},
};

constexpr std::string_view kSigningKeyName = "site-signing";

fs::path secret_file(const fs::path& keys, std::string_view name) {
  return keys / (std::string(name) + ".key");
}

fs::path public_file(const fs::path& keys, std::string_view name) {
  return keys / (std::string(name) + ".pub");
}

// Keys left by an interrupted first run are reused, not refused: they were
// never published, and reusing them lets the run complete.
crypto::BoxKeyPair unit_key_pair(const fs::path& keys, std::string_view name) {
  const fs::path secret = secret_file(keys, name);
  if (fs::exists(secret)) {
    return checked(crypto::box_key_pair_from_secret(read_key_file(secret)), secret.string());
  }
  crypto::BoxKeyPair pair = crypto::generate_box_key_pair();
  write_new_file(secret, crypto::to_base64url(pair.secret_key.bytes()) + "\n", 0600);
  write_new_file(public_file(keys, name), crypto::to_base64url(pair.public_key.bytes) + "\n", 0644);
  return pair;
}

crypto::SigningKeyPair signing_key_pair(const fs::path& keys) {
  const fs::path secret = secret_file(keys, kSigningKeyName);
  if (fs::exists(secret)) return read_signing_key_file(secret);
  crypto::SigningKeyPair pair = crypto::generate_signing_key_pair();
  write_new_file(secret, crypto::to_base64url(pair.secret_key.bytes()) + "\n", 0600);
  write_new_file(public_file(keys, kSigningKeyName),
                 crypto::to_base64url(pair.public_key.bytes) + "\n", 0644);
  return pair;
}

crypto::SigningKeyPair create_demo_deployment(storage::Store& store, const fs::path& data_dir) {
  // Without a deployment record the setup never finished; ids are not
  // idempotent, so units or sites from that attempt would be duplicated.
  const bool empty = checked(storage::list_units(store), "listing units").empty() &&
                     checked(storage::list_sites(store), "listing sites").empty();
  if (!empty) {
    throw std::runtime_error(database_directory(data_dir).string() +
                             " holds units or sites but no deployment record (an interrupted "
                             "demo setup?); remove " +
                             data_dir.string() + " and run the demo again");
  }
  const fs::path keys = data_dir / "keys";
  fs::create_directories(keys);
  fs::permissions(keys, fs::perms::owner_all);  // secret keys inside
  crypto::SigningKeyPair signing = signing_key_pair(keys);

  std::vector<std::uint32_t> unit_ids;
  for (const DemoUnit& demo : kDemoUnits) {
    storage::Unit unit;
    unit.name = demo.name;
    unit.level = demo.level;
    unit.parent_id = demo.parent == kRoot ? 0 : unit_ids.at(static_cast<std::size_t>(demo.parent));
    unit.id = checked(storage::add_unit(store, unit), "adding " + unit.name);
    if (!demo.key_name.empty()) {
      // The certificate names the id that adding the unit assigned.
      const crypto::BoxKeyPair pair = unit_key_pair(keys, demo.key_name);
      unit.keys.push_back({.key_id = crypto::key_id(pair.public_key),
                           .public_key = pair.public_key.bytes,
                           .current = true,
                           .certificate = unit_key_certificate(unit, pair.public_key, signing)});
      checked(storage::put_unit(store, unit, "unit.add_key"), "certifying the key of " + unit.name);
    }
    unit_ids.push_back(unit.id);
  }
  for (const DemoSiteSpec& demo : kDemoSites) {
    checked(storage::add_site(store, {.name = std::string(demo.name),
                                      .unit_id = unit_ids.at(demo.unit),
                                      .kind = std::string(demo.kind)}),
            "adding " + std::string(demo.name));
  }
  storage::Deployment deployment;
  deployment.site_signing_public_key = signing.public_key.bytes;
  crypto::random_bytes(deployment.receipt_salt);
  checked(storage::save_deployment(store, deployment), "storing the deployment record");
  return signing;
}

}  // namespace

std::vector<DemoSite> prepare_demo_data(storage::Store& store, const fs::path& data_dir,
                                        std::string_view base_url) {
  auto deployment = storage::load_deployment(store);
  if (!deployment && deployment.error() != errc::not_found) {
    checked(deployment, "reading the deployment record");
  }
  const fs::path signing_file = secret_file(data_dir / "keys", kSigningKeyName);
  const crypto::SigningKeyPair signing =
      deployment ? read_signing_key_file(signing_file) : create_demo_deployment(store, data_dir);
  if (deployment) require_matching_deployment(store, signing, signing_file);

  std::vector<DemoSite> sites;
  for (const storage::Site& site : checked(storage::list_sites(store), "listing sites")) {
    std::string token = crypto::sign_site_token({site.id, site.token_version}, signing);
    std::string url = site_url(base_url, token);
    sites.push_back(
        {.site_id = site.id, .name = site.name, .token = std::move(token), .url = std::move(url)});
  }
  return sites;
}

}  // namespace clueline::app
