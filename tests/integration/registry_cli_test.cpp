// The registry commands (unit, site) and `demo --setup-only` through the real
// binary, against a database in a temporary data directory.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "clueline/crypto/crypto.hpp"
#include "clueline/storage/records.hpp"
#include "clueline/storage/store.hpp"
#include "server_process.hpp"

namespace clueline::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

// Single-quoted for /bin/sh.
std::string quote(std::string_view text) {
  std::string quoted = "'";
  for (const char c : text) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return quoted + "'";
}

std::string trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  return text;
}

// A failure is reported as exactly one line on stderr and nothing on stdout.
void expect_one_line_error(const CommandRun& run, int exit_code, std::string_view mentions) {
  EXPECT_EQ(run.exit_code, exit_code) << run.err;
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(std::count(run.err.begin(), run.err.end(), '\n'), 1) << run.err;
  EXPECT_TRUE(run.err.starts_with("clueline: ")) << run.err;
  EXPECT_NE(run.err.find(mentions), std::string::npos) << run.err;
}

class RegistryCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ =
        fs::temp_directory_path() / ("clueline-registry-" + std::to_string(std::random_device{}()));
    data_dir_ = directory_ / "data";
    keys_ = directory_ / "keys";
    fs::create_directories(directory_);
    crypto::initialize();
  }
  void TearDown() override { fs::remove_all(directory_); }

  CommandRun clueline(const std::string& arguments) {
    return run_clueline_json(directory_, arguments);
  }

  // A registry command on this test's data directory.
  CommandRun registry(const std::string& arguments) {
    return clueline(arguments + " --data-dir " + quote(data_dir_.string()));
  }

  json::value registry_json(const std::string& arguments) {
    const CommandRun run = registry(arguments);
    EXPECT_EQ(run.exit_code, 0) << arguments << ": " << run.err;
    boost::system::error_code ec;
    json::value parsed = json::parse(run.out, ec);
    EXPECT_FALSE(ec) << arguments << ": " << run.out;
    return parsed;
  }

  // A list command's JSON lines.
  json::array registry_list(const std::string& arguments) {
    const CommandRun run = registry(arguments);
    EXPECT_EQ(run.exit_code, 0) << arguments << ": " << run.err;
    return json_lines(run.out);
  }

  fs::path unit_key(const std::string& name) {
    if (!fs::exists(keys_ / (name + ".pub"))) {
      const CommandRun run =
          clueline("keygen unit --out-dir " + keys_.string() + " --name " + name);
      EXPECT_EQ(run.exit_code, 0) << run.err;
    }
    return keys_ / (name + ".pub");
  }

  fs::path signing_key(const std::string& name = "site-signing") {
    if (!fs::exists(keys_ / (name + ".key"))) {
      const CommandRun run =
          clueline("keygen site-signing --out-dir " + keys_.string() + " --name " + name);
      EXPECT_EQ(run.exit_code, 0) << run.err;
    }
    return keys_ / (name + ".key");
  }

  static crypto::SigningPublicKey signing_public_key(const fs::path& pub_file) {
    const auto bytes = crypto::from_base64url(trimmed(read_file(pub_file)));
    return crypto::signing_public_key_from(bytes.value()).value();
  }

  // Adds a unit and returns its id.
  std::int64_t add_unit(const std::string& name, const std::string& level, std::int64_t parent = 0,
                        const std::string& key = "") {
    std::string arguments = "unit add --name " + quote(name) + " --level " + level;
    if (parent != 0) arguments += " --parent " + std::to_string(parent);
    if (!key.empty()) {
      arguments +=
          " --public-key " + unit_key(key).string() + " --signing-key " + signing_key().string();
    }
    return registry_json(arguments).at("id").to_number<std::int64_t>();
  }

  std::size_t unit_count() { return registry_list("unit list").size(); }

  fs::path directory_;
  fs::path data_dir_;
  fs::path keys_;
};

TEST_F(RegistryCliTest, UnitAddPrintsTheUnitAndListShowsEveryUnit) {
  const fs::path province_pub = unit_key("province");
  const json::value province =
      registry_json("unit add --name 'Demo Province' --level province --public-key " +
                    province_pub.string() + " --signing-key " + signing_key().string());
  EXPECT_EQ(province.at("id"), 1);
  EXPECT_EQ(province.at("name"), "Demo Province");
  EXPECT_EQ(province.at("level"), "province");
  EXPECT_EQ(province.at("parent_id"), 0);
  EXPECT_EQ(province.at("receiving"), true);
  const auto& keys = province.at("keys").as_array();
  ASSERT_EQ(keys.size(), 1u);
  const std::string public_key = trimmed(read_file(province_pub));
  EXPECT_EQ(keys[0].at("public_key").as_string(), public_key);
  const auto box_key = crypto::box_public_key_from(crypto::from_base64url(public_key).value());
  EXPECT_EQ(keys[0].at("key_id").as_string(),
            crypto::to_base64url(crypto::key_id(box_key.value())));
  // Certified for unit 1, a province at the top, by the deployment key.
  const auto certificate = crypto::verify_unit_key_certificate(
      crypto::from_base64url(keys[0].at("certificate").as_string()).value(),
      signing_public_key(keys_ / "site-signing.pub"));
  ASSERT_TRUE(certificate.has_value());
  EXPECT_EQ(certificate->unit_id, 1u);
  EXPECT_EQ(certificate->parent_id, 0u);
  EXPECT_EQ(certificate->level, "province");
  EXPECT_EQ(certificate->public_key, box_key.value());
  EXPECT_GT(certificate->not_after, certificate->not_before + 700 * 86400);

  const json::value county =
      registry_json("unit add --name 'Demo County' --level county --parent 1");
  EXPECT_EQ(county.at("id"), 2);
  EXPECT_EQ(county.at("parent_id"), 1);
  EXPECT_EQ(county.at("receiving"), false);
  EXPECT_TRUE(county.at("keys").as_array().empty());

  const json::value listed = registry_list("unit list");
  ASSERT_EQ(listed.as_array().size(), 2u);
  EXPECT_EQ(listed.as_array()[0], province);
  EXPECT_EQ(listed.as_array()[1], county);
}

TEST_F(RegistryCliTest, UnitAddRefusesWhatDoesNotFitTheTree) {
  const std::int64_t province = add_unit("Province", "province", 0, "province");
  const std::int64_t township = add_unit("Township", "township", province);

  expect_one_line_error(registry("unit add --name X --level hamlet"), 2, "--level");
  expect_one_line_error(registry("unit add --name X --level Village --parent 2"), 2, "--level");
  expect_one_line_error(registry("unit add --name X --level village --parent 99"), 1,
                        "--parent 99");
  expect_one_line_error(
      registry("unit add --name X --level township --parent " + std::to_string(township)), 1,
      "higher level");
  expect_one_line_error(
      registry("unit add --name X --level city --parent " + std::to_string(township)), 1,
      "higher level");
  expect_one_line_error(registry("unit add --name X --level village --parent abc"), 2, "--parent");
  expect_one_line_error(registry("unit add --level village"), 2, "--name");
  expect_one_line_error(registry("unit add --name '' --level village"), 2, "--name");
  expect_one_line_error(registry("unit add --name X --level village --colour red"), 2, "--colour");
  // A secret key file in place of the public one would publish the secret.
  const std::string signing = " --signing-key " + signing_key().string();
  expect_one_line_error(registry("unit add --name X --level city --parent 1 --public-key " +
                                 (keys_ / "province.key").string() + signing),
                        1, "secret key");
  // One key, one unit.
  expect_one_line_error(registry("unit add --name X --level city --parent 1 --public-key " +
                                 unit_key("province").string() + signing),
                        1, "already registered to unit 1");
  // A key is only added with its certificate.
  expect_one_line_error(registry("unit add --name X --level city --parent 1 --public-key " +
                                 unit_key("spare").string()),
                        2, "--signing-key");
  // Another deployment's signing key would certify keys clients refuse.
  expect_one_line_error(
      registry("unit add --name X --level city --parent 1 --public-key " +
               unit_key("spare").string() + " --signing-key " + signing_key("other").string()),
      1, "not this deployment's site-signing key");
  expect_one_line_error(registry("unit frobnicate"), 2, "add, list or add-key");
  EXPECT_EQ(unit_count(), 2u);

  // Skipping levels is fine: a village directly under the township, and
  // under the province.
  EXPECT_EQ(add_unit("Village", "village", township), 3);
  EXPECT_EQ(add_unit("Far village", "village", province), 4);
}

TEST_F(RegistryCliTest, AddKeyMakesTheNewKeyTheOnlyCurrentOne) {
  const std::int64_t id = add_unit("County", "county", 0, "county-2025");
  const std::string signing = " --signing-key " + signing_key().string();
  const json::value rotated =
      registry_json("unit add-key --id " + std::to_string(id) + " --public-key " +
                    unit_key("county-2026").string() + signing + " --valid-days 30");
  const auto& keys = rotated.at("keys").as_array();
  ASSERT_EQ(keys.size(), 2u);
  EXPECT_EQ(keys[0].at("public_key").as_string(), trimmed(read_file(unit_key("county-2025"))));
  EXPECT_EQ(keys[0].at("current"), false);
  EXPECT_EQ(keys[1].at("public_key").as_string(), trimmed(read_file(unit_key("county-2026"))));
  EXPECT_EQ(keys[1].at("current"), true);
  EXPECT_EQ(rotated.at("receiving"), true);
  EXPECT_EQ(registry_list("unit list")[0], rotated);  // stored, not just printed

  const auto certificate = crypto::verify_unit_key_certificate(
      crypto::from_base64url(keys[1].at("certificate").as_string()).value(),
      signing_public_key(keys_ / "site-signing.pub"));
  ASSERT_TRUE(certificate.has_value());
  EXPECT_EQ(certificate->not_after - certificate->not_before, 30u * 86400 + 3600);

  // The current key again: its certificate renewed, still two keys.
  const json::value renewed =
      registry_json("unit add-key --id " + std::to_string(id) + " --public-key " +
                    unit_key("county-2026").string() + signing + " --valid-days 31");
  ASSERT_EQ(renewed.at("keys").as_array().size(), 2u);
  EXPECT_EQ(renewed.at("keys").as_array()[0].at("current"), false);
  EXPECT_EQ(renewed.at("keys").as_array()[1].at("current"), true);
  EXPECT_NE(renewed.at("keys").as_array()[1].at("certificate"), keys[1].at("certificate"));
  // A retired key is not brought back.
  expect_one_line_error(registry("unit add-key --id " + std::to_string(id) + " --public-key " +
                                 unit_key("county-2025").string() + signing),
                        1, "retired by a rotation");

  const std::int64_t other = add_unit("Other county", "county", 0);
  expect_one_line_error(registry("unit add-key --id " + std::to_string(other) + " --public-key " +
                                 unit_key("county-2025").string() + signing),
                        1, "already registered");
  expect_one_line_error(
      registry("unit add-key --id 42 --public-key " + unit_key("spare").string() + signing), 1,
      "--id 42");
  expect_one_line_error(registry("unit add-key --id " + std::to_string(id) + " --public-key " +
                                 unit_key("spare").string()),
                        2, "--signing-key");
  expect_one_line_error(registry("unit add-key --id " + std::to_string(id) + " --public-key " +
                                 unit_key("spare").string() + signing + " --valid-days 4000"),
                        2, "--valid-days");
}

TEST_F(RegistryCliTest, SiteAddListAndRevokeWithVerifiableTokens) {
  const std::int64_t county = add_unit("County", "county", 0, "county");
  const std::int64_t village = add_unit("Village", "village", county);
  const fs::path key = signing_key();
  const crypto::SigningPublicKey verify_key = signing_public_key(keys_ / "site-signing.pub");

  const json::value added =
      registry_json("site add --name 'Dongshan village board' --unit " + std::to_string(village) +
                    " --kind village_board --signing-key " + key.string());
  EXPECT_EQ(added.at("id"), 1);
  EXPECT_EQ(added.at("name"), "Dongshan village board");
  EXPECT_EQ(added.at("unit_id"), village);
  EXPECT_EQ(added.at("kind"), "village_board");
  EXPECT_EQ(added.at("token_version"), 1);
  const std::string token(added.at("token").as_string());
  const auto verified = crypto::verify_site_token(token, verify_key);
  ASSERT_TRUE(verified) << verified.error().message();
  EXPECT_EQ(*verified, (crypto::SiteToken{1, 1}));
  EXPECT_EQ(added.at("url").as_string(), "https://127.0.0.1:8443/s/" + token);

  const json::value second = registry_json(
      "site add --name Clinic --unit " + std::to_string(village) +
      " --kind clinic --base-url https://jubao.example.cn/ --signing-key " + key.string());
  EXPECT_EQ(second.at("id"), 2);
  EXPECT_TRUE(second.at("url").as_string().starts_with("https://jubao.example.cn/s/"))
      << second.at("url");

  // Without the key: the records only. With it: current tokens.
  const json::value bare = registry_list("site list");
  ASSERT_EQ(bare.as_array().size(), 2u);
  EXPECT_EQ(bare.as_array()[0].as_object().if_contains("token"), nullptr);
  EXPECT_EQ(bare.as_array()[1].at("name"), "Clinic");
  expect_one_line_error(registry("site list --base-url https://x.example"), 2, "--signing-key");
  const json::value with_tokens = registry_list("site list --signing-key " + key.string());
  EXPECT_EQ(with_tokens.as_array()[0].at("token").as_string(), token);

  const json::value revoked = registry_json("site revoke --id 1 --signing-key " + key.string());
  EXPECT_EQ(revoked.at("token_version"), 2);
  const std::string new_token(revoked.at("token").as_string());
  EXPECT_NE(new_token, token);
  EXPECT_EQ(crypto::verify_site_token(new_token, verify_key).value(), (crypto::SiteToken{1, 2}));
  EXPECT_EQ(revoked.at("url").as_string(), "https://127.0.0.1:8443/s/" + new_token);
  const json::value after = registry_list("site list --signing-key " + key.string());
  EXPECT_EQ(after.as_array()[0].at("token_version"), 2);
  EXPECT_EQ(after.as_array()[0].at("token").as_string(), new_token);
  EXPECT_EQ(after.as_array()[1].at("token_version"), 1);  // the other site is untouched

  expect_one_line_error(registry("site revoke --id 9 --signing-key " + key.string()), 1, "--id 9");
  expect_one_line_error(
      registry("site add --name X --unit 99 --kind school --signing-key " + key.string()), 1,
      "--unit 99");
  expect_one_line_error(
      registry("site add --name X --unit 1 --kind School --signing-key " + key.string()), 2,
      "--kind");
  expect_one_line_error(registry("site add --name X --unit 1 --kind school --base-url "
                                 "http://plain.example --signing-key " +
                                 key.string()),
                        2, "--base-url");

  // The first site add created the deployment record with this key.
  auto store = storage::Store::open({.directory = data_dir_ / "rocksdb"});
  ASSERT_TRUE(store);
  const auto deployment = storage::load_deployment(**store);
  ASSERT_TRUE(deployment);
  EXPECT_EQ(deployment->site_signing_public_key, verify_key.bytes);
  EXPECT_NE(deployment->receipt_salt, storage::Bytes16{});
}

TEST_F(RegistryCliTest, ASigningKeyOtherThanTheDeploymentsIsRefused) {
  const std::int64_t county = add_unit("County", "county", 0, "county");
  const fs::path key = signing_key();
  registry_json("site add --name Board --unit " + std::to_string(county) +
                " --kind village_board --signing-key " + key.string());
  const fs::path other = signing_key("other");

  expect_one_line_error(registry("site add --name Second --unit " + std::to_string(county) +
                                 " --kind school --signing-key " + other.string()),
                        1, "other.key");
  expect_one_line_error(registry("site revoke --id 1 --signing-key " + other.string()), 1,
                        "other.key");
  expect_one_line_error(registry("site list --signing-key " + other.string()), 1, "other.key");
  expect_one_line_error(registry("site qr --id 1 --signing-key " + other.string()), 1, "other.key");
  // A unit public key is not a signing key at all.
  expect_one_line_error(
      registry("site revoke --id 1 --signing-key " + (keys_ / "county.pub").string()), 1,
      "site-signing");

  const json::value sites = registry_list("site list");
  ASSERT_EQ(sites.as_array().size(), 1u);                 // nothing added
  EXPECT_EQ(sites.as_array()[0].at("token_version"), 1);  // nothing revoked
}

TEST_F(RegistryCliTest, SiteQrPrintsTheCodeAndWritesSvg) {
  const std::int64_t county = add_unit("County", "county", 0, "county");
  const fs::path key = signing_key();
  const json::value added =
      registry_json("site add --name Board --unit " + std::to_string(county) +
                    " --kind village_board " + "--signing-key " + key.string());
  const fs::path svg = directory_ / "poster.svg";
  const std::string qr = "site qr --id 1 --signing-key " + key.string() + " --svg " + svg.string() +
                         " --data-dir " + quote(data_dir_.string());
  // As text: the code in block characters, the URL below it.
  const CommandRun shown = run_clueline(directory_, qr);
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_NE(shown.out.find("\u2588"), std::string::npos);
  const std::size_t url_line = shown.out.find("\nurl:");
  ASSERT_NE(url_line, std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find(std::string(added.at("url").as_string()), url_line), std::string::npos)
      << shown.out;
  EXPECT_LT(shown.out.find("\u2588"), url_line);
  // With --json: the JSON alone, no code art.
  const json::value caption =
      registry_json("site qr --id 1 --signing-key " + key.string() + " --svg " + svg.string());
  EXPECT_EQ(caption.at("url"), added.at("url"));
  EXPECT_EQ(caption.at("svg").as_string(), svg.string());
  const std::string svg_text = read_file(svg);
  EXPECT_TRUE(svg_text.starts_with("<svg")) << svg_text.substr(0, 40);
  EXPECT_NE(svg_text.find("<path"), std::string::npos);
}

TEST_F(RegistryCliTest, ALockedDatabaseIsOneLineAndExitOne) {
  add_unit("Province", "province");
  {
    // Holding the database as a running server would.
    auto held = storage::Store::open({.directory = data_dir_ / "rocksdb"});
    ASSERT_TRUE(held);
    expect_one_line_error(registry("unit list"), 1, "in use by process");
    expect_one_line_error(registry("unit add --name X --level city --parent 1"), 1, "in use");
  }
  EXPECT_EQ(unit_count(), 1u);
}

TEST_F(RegistryCliTest, DataDirComesFromTheConfigFileToo) {
  std::ofstream(directory_ / "clueline.toml")
      << "[storage]\ndata_dir = \"" << data_dir_.string() << "\"\n";
  const std::string config = " --config " + (directory_ / "clueline.toml").string();
  const CommandRun added = clueline("unit add --name Province --level province" + config);
  ASSERT_EQ(added.exit_code, 0) << added.err;
  EXPECT_EQ(unit_count(), 1u);  // the same database through --data-dir
  expect_one_line_error(clueline("unit list" + config + " --data-dir " + quote(data_dir_.string())),
                        2, "not both");
  // No database at all is a failure, and list does not create one.
  expect_one_line_error(clueline("unit list --data-dir " + (directory_ / "none").string()), 1,
                        "no clueline database");
  EXPECT_FALSE(fs::exists(directory_ / "none" / "rocksdb"));
}

TEST_F(RegistryCliTest, UnitLevelsComeFromTheRoutingPolicy) {
  std::ofstream(directory_ / "policy.toml")
      << "levels = [\"province\", \"city\", \"county\", \"township\", \"village\", "
         "\"hamlet\"]\n";
  std::ofstream(directory_ / "clueline.toml")
      << "[storage]\ndata_dir = \"" << data_dir_.string() << "\"\n[routing]\npolicy_file = \""
      << (directory_ / "policy.toml").string() << "\"\n";
  const std::string config = " --config " + (directory_ / "clueline.toml").string();
  const std::int64_t province = add_unit("Province", "province", 0, "province");
  const std::int64_t village = add_unit("Village", "village", province);

  // The built-in ladder has no hamlet; the deployment's policy does.
  expect_one_line_error(
      registry("unit add --name Hamlet --level hamlet --parent " + std::to_string(village)), 2,
      "--level must be one of central, province");
  const CommandRun added = clueline("unit add --name Hamlet --level hamlet --parent " +
                                    std::to_string(village) + config);
  ASSERT_EQ(added.exit_code, 0) << added.err;
  EXPECT_EQ(json::parse(added.out).at("level"), "hamlet");
  // The policy has no "central": what it does not know is refused with its levels.
  expect_one_line_error(clueline("unit add --name Top --level central" + config), 2,
                        "--level must be one of province, city, county, township, village, hamlet");
  // Under the built-in ladder the registry is no longer a tree it can extend.
  expect_one_line_error(
      registry("unit add --name V2 --level village --parent " + std::to_string(province)), 1,
      "routing policy's levels");
}

// ---- demo ---------------------------------------------------------------------

TEST_F(RegistryCliTest, DemoSetupIsIdempotentAndItsTokensVerify) {
  const std::string demo = "demo --setup-only --data-dir " + quote(data_dir_.string());
  const CommandRun first = clueline(demo);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_TRUE(fs::exists(data_dir_ / "demo-cert.pem"));
  const json::value sites = json::parse(read_file(data_dir_ / "demo-sites.json"));
  ASSERT_EQ(sites.as_array().size(), 4u);
  const std::vector<std::string> names{"Dongshan village board", "Nanshan clinic",
                                       "Xishan primary school", "Dongshan township office"};
  const crypto::SigningPublicKey verify_key =
      signing_public_key(data_dir_ / "keys" / "site-signing.pub");
  for (std::size_t i = 0; i < names.size(); ++i) {
    const json::value& site = sites.as_array()[i];
    EXPECT_EQ(site.at("name").as_string(), names[i]);
    const std::string token(site.at("token").as_string());
    const auto verified = crypto::verify_site_token(token, verify_key);
    ASSERT_TRUE(verified) << site;
    EXPECT_EQ(verified->site_id, site.at("site_id").to_number<std::uint32_t>());
    EXPECT_EQ(verified->token_version, 1);
    EXPECT_EQ(site.at("url").as_string(), "https://127.0.0.1:8443/s/" + token);
  }
  EXPECT_NE(first.err.find(std::string(sites.as_array()[0].at("url").as_string())),
            std::string::npos)
      << "the first site's URL is shown";

  for (const std::string name :
       {"province", "city", "county", "dongshan-township", "xishan-township"}) {
    struct stat info {};
    ASSERT_EQ(::stat((data_dir_ / "keys" / (name + ".key")).c_str(), &info), 0) << name;
    EXPECT_EQ(info.st_mode & 0777, 0600u) << name;
    EXPECT_TRUE(fs::exists(data_dir_ / "keys" / (name + ".pub"))) << name;
  }

  // The jurisdiction, as the registry sees it.
  const json::value units = registry_list("unit list");
  ASSERT_EQ(units.as_array().size(), 8u);
  std::map<std::string, json::object> by_name;
  for (const json::value& unit : units.as_array()) {
    by_name[std::string(unit.at("name").as_string())] = unit.as_object();
  }
  const auto id_of = [&](const std::string& name) { return by_name.at(name).at("id"); };
  EXPECT_EQ(by_name.at("Demo Province").at("parent_id"), 0);
  EXPECT_EQ(by_name.at("Demo City").at("parent_id"), id_of("Demo Province"));
  EXPECT_EQ(by_name.at("Demo County").at("parent_id"), id_of("Demo City"));
  EXPECT_EQ(by_name.at("Dongshan Township").at("parent_id"), id_of("Demo County"));
  EXPECT_EQ(by_name.at("Xishan Township").at("parent_id"), id_of("Demo County"));
  EXPECT_EQ(by_name.at("Dongshan Village").at("parent_id"), id_of("Dongshan Township"));
  EXPECT_EQ(by_name.at("Nanshan Village").at("parent_id"), id_of("Dongshan Township"));
  EXPECT_EQ(by_name.at("Xishan Village").at("parent_id"), id_of("Xishan Township"));
  for (const auto& [name, unit] : by_name) {
    EXPECT_EQ(unit.at("receiving"), unit.at("level") != "village") << name;
  }
  const json::value site_records = registry_list("site list");
  EXPECT_EQ(site_records.as_array()[0].at("unit_id"), id_of("Dongshan Village"));
  EXPECT_EQ(site_records.as_array()[3].at("unit_id"), id_of("Dongshan Township"));
  EXPECT_EQ(site_records.as_array()[3].at("kind"), "township_office");

  // Again: nothing new, the same sites and (deterministic Ed25519) tokens.
  const std::string key_before = read_file(data_dir_ / "keys" / "site-signing.key");
  const CommandRun second = clueline(demo);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_EQ(json::parse(read_file(data_dir_ / "demo-sites.json")), sites);
  EXPECT_EQ(read_file(data_dir_ / "keys" / "site-signing.key"), key_before);
  EXPECT_EQ(unit_count(), 8u);

  // A revoked poster gets its new token in demo-sites.json on the next run.
  const std::string signing = (data_dir_ / "keys" / "site-signing.key").string();
  registry_json("site revoke --id " +
                std::to_string(sites.as_array()[0].at("site_id").to_number<std::int64_t>()) +
                " --signing-key " + signing);
  ASSERT_EQ(clueline(demo).exit_code, 0);
  const json::value after_revoke = json::parse(read_file(data_dir_ / "demo-sites.json"));
  ASSERT_EQ(after_revoke.as_array().size(), 4u);
  const auto reverified =
      crypto::verify_site_token(after_revoke.as_array()[0].at("token").as_string(), verify_key);
  ASSERT_TRUE(reverified);
  EXPECT_EQ(reverified->token_version, 2);
  EXPECT_EQ(after_revoke.as_array()[1], sites.as_array()[1]);
}

TEST_F(RegistryCliTest, DemoRefusesADatabaseThatIsNotItsOwn) {
  add_unit("Someone else's province", "province");
  const CommandRun run = clueline("demo --setup-only --data-dir " + quote(data_dir_.string()));
  EXPECT_EQ(run.exit_code, 1);
  // The last line is the error (the certificate note may come before it).
  const std::string last_line = run.err.substr(run.err.rfind('\n', run.err.size() - 2) + 1);
  EXPECT_NE(last_line.find("no deployment record"), std::string::npos) << run.err;
  EXPECT_EQ(unit_count(), 1u);
  EXPECT_FALSE(fs::exists(data_dir_ / "demo-sites.json"));
  EXPECT_FALSE(fs::exists(data_dir_ / "keys"));
}

}  // namespace
}  // namespace clueline::testing
