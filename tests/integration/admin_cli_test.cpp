// Administration while the server runs, end to end with the real binary:
// an admin and a unit's first handler bootstrapped offline; the admin adds
// a unit and a site through the API (the site's poster URL is accepted by
// /s/{token}) and invites a second handler; the invitee activates on their
// own side, the first handler compares the fingerprint and grants the unit
// key from their device; the invitee signs in with a TOTP code, takes the
// grant, and opens a report sealed to the unit with `clueline open`.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <sstream>
#include <string>

#include "clueline/crypto/crypto.hpp"
#include "clueline/services/totp.hpp"
#include "deployment_fixture.hpp"
#include "https_client.hpp"
#include "process_memory.hpp"
#include "server_process.hpp"

namespace clueline::testing {
namespace {

namespace fs = std::filesystem;
namespace http = boost::beast::http;
namespace json = boost::json;

constexpr std::string_view kFastKdf = " --kdf-opslimit 1 --kdf-memlimit 65536";
// The newcomer's passphrase: it must never reach the server in any form.
constexpr std::string_view kNewcomerMarker = "newcomer-marker-passphrase-9c04e1";

std::string read_all(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

class AdminCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fs::temp_directory_path() /
                 ("clueline-admin-cli-" + std::to_string(std::random_device{}()));
    fs::create_directories(directory_ / "data");
    fs::permissions(directory_ / "data", fs::perms::owner_all, fs::perm_options::replace);
    deployment_ = write_test_deployment(directory_ / "data");
    std::ofstream(directory_ / "admin-pass.txt") << "the admin's passphrase\n";
    std::ofstream(directory_ / "auditor-pass.txt") << "the auditor's passphrase\n";
    std::ofstream(directory_ / "wang-pass.txt") << "wang's own passphrase\n";
    std::ofstream(directory_ / "li-pass.txt") << kNewcomerMarker << "\n";
    const auto& township = deployment_.unit_keys.at("township");
    std::ofstream(directory_ / "township.key")
        << crypto::to_base64url(township.secret_key.bytes()) << "\n";
    std::ofstream(directory_ / "township.pub")
        << crypto::to_base64url(township.public_key.bytes) << "\n";
    std::ofstream(directory_ / "site-signing.key")
        << crypto::to_base64url(deployment_.site_signing.secret_key.bytes()) << "\n";
  }
  void TearDown() override {
    ::unsetenv("CLUELINE_SESSION_FILE");
    fs::remove_all(directory_);
  }

  // Each person has their own session file, as on their own machine.
  CommandRun as(const std::string& person, const std::string& arguments) {
    ::setenv("CLUELINE_SESSION_FILE", (directory_ / (person + "-session.json")).c_str(), 1);
    return run_clueline_json(directory_, arguments);
  }

  std::string data() const { return " --data-dir " + (directory_ / "data").string(); }
  std::string file(const std::string& name) const { return (directory_ / name).string(); }
  std::uint32_t unit(const std::string& level) const { return deployment_.unit_ids.at(level); }

  void start_server() {
    server_.emplace("AdminCli", ServerOptions{.data_dir = directory_ / "data"});
    url_ = "https://localhost:" + std::to_string(server_->public_port());
    tls_ = " --server " + url_ + " --ca-file " + server_->certificate().string();
  }

  fs::path directory_;
  TestDeployment deployment_;
  std::optional<ServerProcess> server_;
  std::string url_;
  std::string tls_;
};

TEST_F(AdminCliTest, AnAdminAddsAUnitAndASiteAndANewHandlerIsGrantedTheUnitKey) {
  // ---- offline bootstrap: the deployment's admin and the unit's first handler
  const CommandRun admin =
      as("admin", "account add" + data() + " --name root.admin --unit " +
                      std::to_string(unit("province")) + " --role admin --passphrase-file " +
                      file("admin-pass.txt") + std::string(kFastKdf));
  ASSERT_EQ(admin.exit_code, 0) << admin.err;
  const CommandRun wang =
      as("wang", "account add" + data() + " --name wang.handler --unit " +
                     std::to_string(unit("township")) + " --role handler --unit-key-file " +
                     file("township.key") + " --passphrase-file " + file("wang-pass.txt") +
                     std::string(kFastKdf));
  ASSERT_EQ(wang.exit_code, 0) << wang.err;
  const CommandRun auditor =
      as("auditor", "account add" + data() + " --name top.auditor --unit " +
                        std::to_string(unit("province")) + " --role auditor --passphrase-file " +
                        file("auditor-pass.txt") + std::string(kFastKdf));
  ASSERT_EQ(auditor.exit_code, 0) << auditor.err;
  const CommandRun township_auditor = as(
      "town-auditor", "account add" + data() + " --name town.auditor --unit " +
                          std::to_string(unit("township")) + " --role auditor --passphrase-file " +
                          file("auditor-pass.txt") + std::string(kFastKdf));
  ASSERT_EQ(township_auditor.exit_code, 0) << township_auditor.err;
  start_server();

  // ---- the admin adds a unit and a site while the server runs
  ASSERT_EQ(as("admin",
               "login" + tls_ + " --account root.admin --passphrase-file " + file("admin-pass.txt"))
                .exit_code,
            0);
  const std::string on_server = " --server " + url_;
  const CommandRun added_unit =
      as("admin", "unit add" + on_server + " --name 'Xiaoxi village' --level village --parent " +
                      std::to_string(unit("township")));
  ASSERT_EQ(added_unit.exit_code, 0) << added_unit.err;
  const json::object new_unit = json::parse(added_unit.out).as_object();
  EXPECT_EQ(new_unit.at("name"), "Xiaoxi village");
  const std::string new_unit_id = std::to_string(new_unit.at("id").to_number<std::uint32_t>());
  const CommandRun listed = as("admin", "unit list" + on_server);
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_NE(listed.out.find("Xiaoxi village"), std::string::npos) << listed.out;

  const CommandRun added_site =
      as("admin", "site add" + on_server + " --name 'Xiaoxi clinic' --unit " + new_unit_id +
                      " --kind clinic --signing-key " + file("site-signing.key"));
  ASSERT_EQ(added_site.exit_code, 0) << added_site.err;
  const json::object site = json::parse(added_site.out).as_object();
  const std::string poster_url(site.at("url").as_string());
  ASSERT_TRUE(poster_url.starts_with(url_ + "/s/")) << poster_url;
  HttpsClient client(server_->certificate(), server_->public_port());
  const auto poster = client.get(poster_url.substr(url_.size()));
  EXPECT_EQ(poster.result(), http::status::ok) << poster.body();
  const auto poster_site = client.get("/api/v1/sites/" + poster_url.substr(url_.size() + 3));
  ASSERT_EQ(poster_site.result(), http::status::ok) << poster_site.body();
  EXPECT_EQ(HttpsClient::json(poster_site).at("site").at("name"), "Xiaoxi clinic");
  // The site's route reaches the new village's township: intake sees the
  // change without a restart.
  const auto route = client.get("/api/v1/route?site=" + std::string(site.at("token").as_string()) +
                                "&category=bribery&accused_level=village");
  EXPECT_EQ(route.result(), http::status::ok) << route.body();

  // A site signed with another key is refused before anything is stored.
  ASSERT_EQ(as("admin", "keygen site-signing --out-dir " + file("other")).exit_code, 0);
  const CommandRun wrong_key =
      as("admin", "site add" + on_server + " --name 'Forged' --unit " + new_unit_id +
                      " --kind clinic --signing-key " + file("other/site-signing.key"));
  EXPECT_EQ(wrong_key.exit_code, 1);
  EXPECT_NE(wrong_key.err.find("site-signing public key is"), std::string::npos) << wrong_key.err;

  // ---- invitation, activation on the invitee's side
  const CommandRun invited =
      as("admin", "account invite" + on_server + " --name li.second --unit " +
                      std::to_string(unit("township")) + " --role handler");
  ASSERT_EQ(invited.exit_code, 0) << invited.err;
  const std::string code(json::parse(invited.out).at("code").as_string());
  const CommandRun activated =
      as("li", "account activate" + tls_ + " --invitation " + code + " --passphrase-file " +
                   file("li-pass.txt") + " --second-factor --totp-secret-out " +
                   file("li-totp.bin") + std::string(kFastKdf));
  ASSERT_EQ(activated.exit_code, 0) << activated.err;
  const json::object activation = json::parse(activated.out).as_object();
  const std::string fingerprint(activation.at("fingerprint").as_string());
  EXPECT_TRUE(
      activation.at("totp_uri").as_string().starts_with("otpauth://totp/clueline:li.second"));
  // The code is spent.
  EXPECT_EQ(as("li", "account activate" + tls_ + " --invitation " + code + " --passphrase-file " +
                         file("li-pass.txt") + std::string(kFastKdf))
                .exit_code,
            1);

  // ---- the first handler grants the unit key after comparing the fingerprint
  ASSERT_EQ(as("wang", "login" + tls_ + " --account wang.handler --passphrase-file " +
                           file("wang-pass.txt"))
                .exit_code,
            0);
  const CommandRun mismatch = as("wang", "account grant" + on_server +
                                             " --account li.second --fingerprint "
                                             "0000-0000-0000-0000-0000 --passphrase-file " +
                                             file("wang-pass.txt"));
  EXPECT_EQ(mismatch.exit_code, 1);
  EXPECT_NE(mismatch.err.find("do not grant"), std::string::npos) << mismatch.err;
  const CommandRun granted =
      as("wang", "account grant" + on_server + " --account li.second --fingerprint " + fingerprint +
                     " --passphrase-file " + file("wang-pass.txt"));
  ASSERT_EQ(granted.exit_code, 0) << granted.err;
  EXPECT_EQ(json::parse(granted.out).at("granted_key_ids").as_array().size(), 1u);

  // ---- the newcomer signs in with the second factor and takes the key
  const std::string totp_secret = read_all(directory_ / "li-totp.bin");
  ASSERT_EQ(totp_secret.size(), 20u);
  EXPECT_EQ(
      as("li", "login" + tls_ + " --account li.second --passphrase-file " + file("li-pass.txt"))
          .exit_code,
      1)
      << "signed in without the second factor";
  const std::string code_now = services::totp_code(totp_secret, std::chrono::system_clock::now());
  const CommandRun li_login = as("li", "login" + tls_ + " --account li.second --passphrase-file " +
                                           file("li-pass.txt") + " --totp " + code_now);
  ASSERT_EQ(li_login.exit_code, 0) << li_login.err;

  const std::string text = "a report sealed to the township, marker-b81f";
  std::ofstream(directory_ / "report.txt") << text;
  std::array<std::byte, 16> salt{};
  crypto::random_bytes(salt);
  const CommandRun sealed = as(
      "li", "submit --token " + deployment_.site_token +
                " --category embezzlement --accused-level village --recipient " +
                file("township.pub") + " --salt " + crypto::to_base64url(salt) + " --text-file " +
                file("report.txt") + " --pow-difficulty 4 --out " + file("report.clue"));
  ASSERT_EQ(sealed.exit_code, 0) << sealed.err;
  const CommandRun opened = as("li", "open --unlock --passphrase-file " + file("li-pass.txt") +
                                         " --in " + file("report.clue"));
  ASSERT_EQ(opened.exit_code, 0) << opened.err;
  EXPECT_NE(opened.out.find("marker-b81f"), std::string::npos) << opened.out;
  // The grant became the newcomer's own wrapped key.
  const CommandRun me = as("li", "whoami");
  ASSERT_EQ(me.exit_code, 0) << me.err;
  const json::object li = json::parse(me.out).as_object();
  EXPECT_EQ(li.at("wrapped_key_ids").as_array().size(), 1u) << me.out;
  EXPECT_TRUE(li.at("pending_grant_key_ids").as_array().empty()) << me.out;

  // ---- an auditor of the top unit verifies the log from the running server
  ASSERT_EQ(as("auditor", "login" + tls_ + " --account top.auditor --passphrase-file " +
                              file("auditor-pass.txt"))
                .exit_code,
            0);
  const CommandRun verified = as("auditor", "audit verify --server " + url_);
  ASSERT_EQ(verified.exit_code, 0) << verified.err;
  EXPECT_EQ(json::parse(verified.out).at("intact"), true) << verified.out;
  const CommandRun page = as("auditor", "audit list --server " + url_ + " --limit 2");
  ASSERT_EQ(page.exit_code, 0) << page.err;
  EXPECT_EQ(std::count(page.out.begin(), page.out.end(), '\n'), 2) << page.out;
  // ---- an auditor of the township: its subtree in full, the rest only linked
  ASSERT_EQ(as("town-auditor", "login" + tls_ + " --account town.auditor --passphrase-file " +
                                   file("auditor-pass.txt"))
                .exit_code,
            0);
  const CommandRun scoped = as("town-auditor", "audit verify --server " + url_);
  ASSERT_EQ(scoped.exit_code, 0) << scoped.err;
  const json::object scoped_result = json::parse(scoped.out).as_object();
  EXPECT_EQ(scoped_result.at("intact"), true) << scoped.out;
  // The whole chain, up to the head (its own sign-in included).
  EXPECT_EQ(scoped_result.at("entries"), scoped_result.at("head").at("seq")) << scoped.out;
  EXPECT_GT(scoped_result.at("entries").to_number<std::int64_t>(),
            json::parse(verified.out).at("entries").to_number<std::int64_t>());
  EXPECT_GT(scoped_result.at("withheld").to_number<std::int64_t>(), 0) << scoped.out;
  const CommandRun scoped_list =
      as("town-auditor", "audit list --server " + url_ + " --limit 1000");
  ASSERT_EQ(scoped_list.exit_code, 0) << scoped_list.err;
  EXPECT_NE(scoped_list.err.find("withheld"), std::string::npos) << scoped_list.err;
  const std::string township_object = "unit:" + std::to_string(unit("township"));
  bool saw_township = false;
  for (const json::value& entry : json_lines(scoped_list.out)) {
    const std::string object(entry.at("object").as_string());
    EXPECT_NE(object, "unit:" + std::to_string(unit("county"))) << entry;
    EXPECT_NE(object, "deployment") << entry;
    saw_township |= object == township_object;
  }
  EXPECT_TRUE(saw_township) << scoped_list.out;
  const CommandRun above = as(
      "town-auditor", "audit list --server " + url_ + " --unit " + std::to_string(unit("county")));
  EXPECT_EQ(above.exit_code, 1);
  EXPECT_NE(above.err.find("403"), std::string::npos) << above.err;

  const CommandRun not_auditor = as("wang", "audit list --server " + url_);
  EXPECT_EQ(not_auditor.exit_code, 1);
  EXPECT_NE(not_auditor.err.find("403"), std::string::npos) << not_auditor.err;

  // ---- the newcomer's passphrase never left the newcomer's side
#if defined(__SANITIZE_ADDRESS__)
  std::cout << "[ SKIPPED ] the server memory scan under AddressSanitizer\n";
#else
  const ProcessMemoryScan scan =
      scan_process_memory(server_->pid(), {"Xiaoxi clinic", kNewcomerMarker});
  EXPECT_TRUE(scan.found[0]) << "the scan cannot see the server's heap";
  EXPECT_FALSE(scan.found[1]) << "the newcomer's passphrase is in the server's memory";
#endif
  EXPECT_EQ(server_->stderr_text().find(kNewcomerMarker), std::string::npos);
  EXPECT_EQ(server_->access_log_text().find(kNewcomerMarker), std::string::npos);
  const std::string grep = "grep -r -a -q -F '" + std::string(kNewcomerMarker) + "' '" +
                           (directory_ / "data").string() + "'";
  EXPECT_NE(std::system(grep.c_str()), 0) << "the passphrase is in the data directory";

  // ---- the admin's changes are in the audit log with the admin as actor
  EXPECT_EQ(server_->terminate(std::chrono::seconds(20)), 0);
  server_.reset();
  const CommandRun audit = as("admin", "audit list --limit 1000" + data());
  ASSERT_EQ(audit.exit_code, 0) << audit.err;
  std::map<std::string, std::string> actor_of;
  std::istringstream lines(audit.out);
  for (std::string line; std::getline(lines, line);) {
    const json::object entry = json::parse(line).as_object();
    actor_of[std::string(entry.at("action").as_string())] = entry.at("actor").as_string();
  }
  EXPECT_EQ(actor_of["unit.add"], "account:1");
  EXPECT_EQ(actor_of["site.add"], "account:1");
  EXPECT_EQ(actor_of["account.invite"], "account:1");
  // Accounts 1-4 were made offline; the newcomer is the fifth.
  EXPECT_EQ(actor_of["account.activate"], "account:5");
  EXPECT_EQ(actor_of["account.grant_key"], "account:2");
  EXPECT_EQ(actor_of["account.store_key"], "account:5");
  EXPECT_EQ(as("admin", "audit verify" + data()).exit_code, 0);
}

}  // namespace
}  // namespace clueline::testing
