// POST /api/v1/qr/verify over real TLS: a signed-in supervisor uploads photos
// of posters and gets each verdict; nobody else gets an answer.
#include <gtest/gtest.h>

#include <boost/json/array.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "../qr/photo_util.hpp"
#include "clueline/crypto/crypto.hpp"
#include "clueline/qr/poster.hpp"
#include "clueline/storage/accounts.hpp"
#include "clueline/storage/audit.hpp"
#include "deployment_fixture.hpp"
#include "https_client.hpp"
#include "server_process.hpp"

namespace clueline::testing {
namespace {

namespace fs = std::filesystem;
namespace http = boost::beast::http;
namespace json = boost::json;

constexpr std::string_view kBase = "https://jubao.example.cn";
constexpr std::string_view kPassphrase = "poster check passphrase";
const crypto::KdfParams kFastKdf{.opslimit = 1, .memlimit = 65536};

class PosterCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ =
        fs::temp_directory_path() / ("clueline-posters-" + std::to_string(std::random_device{}()));
    data_dir_ = directory_ / "data";
    create_data_dir(data_dir_);
    deployment_ = write_test_deployment(data_dir_);
    {
      auto store = storage::Store::open({.directory = data_dir_ / "rocksdb"}).value();
      for (const auto& [name, role] : {std::pair{"checker", storage::Role::kHandler},
                                       std::pair{"printer", storage::Role::kAdmin}}) {
        storage::Account account{
            .login_name = name, .unit_id = deployment_.unit_ids.at("township"), .role = role};
        crypto::random_bytes(account.salt);
        account.kdf_opslimit = kFastKdf.opslimit;
        account.kdf_memlimit = kFastKdf.memlimit;
        const auto keys = crypto::derive_account_keys(kPassphrase, account.salt, kFastKdf).value();
        account.auth_public_key = keys.auth.public_key.bytes;
        ASSERT_TRUE(storage::add_account(*store, account).has_value());
      }
    }
    server_.emplace(
        "PosterCheck." +
            std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()),
        ServerOptions{.server_keys = "public_base_url = \"" + std::string(kBase) + "\"\n",
                      .data_dir = data_dir_});
    client_.emplace(server_->certificate(), server_->public_port());
  }
  void TearDown() override {
    client_.reset();
    server_.reset();
    fs::remove_all(directory_);
  }

  std::string sign_in(const std::string& name = "checker") {
    const json::value challenge = HttpsClient::json(client_->post_json(
        "/api/v1/auth/challenge", json::serialize(json::object{{"account", name}})));
    const auto salt = crypto::from_base64url(challenge.at("salt").as_string()).value();
    const auto keys = crypto::derive_account_keys(kPassphrase, salt, kFastKdf).value();
    const auto bytes = crypto::from_base64url(challenge.at("challenge").as_string()).value();
    const auto proof = crypto::sign_login_challenge(bytes, keys.auth);
    const auto answer = client_->post_json(
        "/api/v1/auth/login", json::serialize(json::object{{"account", name},
                                                           {"challenge", challenge.at("challenge")},
                                                           {"proof", crypto::to_base64url(proof)},
                                                           {"client", "cli"}}));
    EXPECT_EQ(answer.result_int(), 201) << answer.body();
    return "Bearer " + std::string(HttpsClient::json(answer).at("session").as_string());
  }

  // A phone photo (tilted, blurred, noisy JPEG) of a poster whose code holds `text`.
  static std::string photo_of(const std::string& text) {
    const auto png = qr::poster_png({.url = text,
                                     .site_name = "Test village board",
                                     .unit_name = "Test village",
                                     .poster_code = "0000-0000",
                                     .texts = {{.language = "zh-CN",
                                                .heading = "监督举报",
                                                .instructions = "用手机扫描二维码。",
                                                .code_label = "海报码："}}},
                                    3);
    EXPECT_TRUE(png.has_value());
    return qr::testing::photograph(
        *png, {.rotate_degrees = -9, .scale = 0.85, .blur_radius = 1, .noise_amplitude = 20});
  }

  HttpsClient::Response check(const std::string& photo, const std::string& session,
                              const std::string& type = "image/jpeg") {
    return client_->request(http::verb::post, "/api/v1/qr/verify", photo, type, session);
  }

  std::string url(const std::string& token) const { return std::string(kBase) + "/s/" + token; }

  fs::path directory_;
  fs::path data_dir_;
  TestDeployment deployment_;
  std::optional<ServerProcess> server_;
  std::optional<HttpsClient> client_;
};

TEST_F(PosterCheckTest, EachPhotoGetsItsVerdictWithTheSite) {
  const std::string session = sign_in();
  const auto other_key = crypto::generate_signing_key_pair();
  const std::string forged = crypto::sign_site_token({deployment_.site_id, 1}, other_key);
  struct Case {
    std::string name;
    std::string photo;
    std::string verdict;
    std::string site_name = {};  // for genuine and revoked codes
  };
  const std::vector<Case> cases{
      {"genuine", photo_of(url(deployment_.site_token)), "genuine", "Test village board"},
      {"revoked", photo_of(url(deployment_.revoked_site_token)), "revoked", "Old poster"},
      {"forged token", photo_of(url(forged)), "forged"},
      {"genuine token, other server",
       photo_of("https://jubao.example.net/s/" + deployment_.site_token), "forged"},
      {"foreign code", photo_of("https://pay.example.com/qr?to=123"), "not_ours"},
      {"no code", qr::testing::blank_png(600, 800), "no_code"},
  };
  for (const Case& c : cases) {
    const auto answer =
        check(c.photo, session, c.photo.starts_with("\x89PNG") ? "image/png" : "image/jpeg");
    ASSERT_EQ(answer.result_int(), 200) << c.name << ": " << answer.body();
    const json::object body = HttpsClient::json(answer).as_object();
    EXPECT_EQ(body.at("verdict").as_string(), c.verdict) << c.name << ": " << answer.body();
    if (c.verdict == "genuine" || c.verdict == "revoked") {
      const auto& site = body.at("codes").as_array().at(0).at("site");
      EXPECT_EQ(site.at("name").as_string(), c.site_name) << c.name;
      const std::string token =
          c.verdict == "genuine" ? deployment_.site_token : deployment_.revoked_site_token;
      EXPECT_EQ(site.at("poster_code").as_string(), crypto::poster_code(token).value()) << c.name;
    }
    if (c.verdict == "no_code") {
      EXPECT_TRUE(body.at("codes").as_array().empty());
    }
  }
}

TEST_F(PosterCheckTest, OnlySignedInSupervisorsWithImagesAreAnswered) {
  const std::string photo = photo_of(url(deployment_.site_token));
  EXPECT_EQ(check(photo, "").result_int(), 401);
  EXPECT_EQ(
      check(photo, "Bearer " + crypto::to_base64url(std::array<std::byte, 32>{})).result_int(),
      401);
  const std::string session = sign_in();
  EXPECT_EQ(check(photo, session, "image/gif").result_int(), 415);
  EXPECT_EQ(check("not a photo at all", session).result_int(), 415);
  const auto truncated = check(photo.substr(0, photo.size() / 3), session);
  EXPECT_EQ(truncated.result_int(), 400) << truncated.body();
}

// The server prints posters for tokens the admin's client signed, and only
// for tokens a photo of the poster would call genuine.
TEST_F(PosterCheckTest, AnAdminGetsAPosterPdfForGenuineTokensOnly) {
  const std::string admin = sign_in("printer");
  const auto print = [&](const json::object& body, const std::string& session) {
    return client_->request(http::verb::post, "/api/v1/admin/posters", json::serialize(body),
                            "application/json", session);
  };
  const auto one = print({{"tokens", json::array{json::value(deployment_.site_token)}}}, admin);
  ASSERT_EQ(one.result_int(), 200) << one.body();
  EXPECT_EQ(one[http::field::content_type], "application/pdf");
  EXPECT_TRUE(one.body().starts_with("%PDF-"));
  const auto two = print({{"tokens", json::array{json::value(deployment_.site_token),
                                                 json::value(deployment_.site_token)}},
                          {"languages", json::array{"en"}}},
                         admin);
  ASSERT_EQ(two.result_int(), 200) << two.body();
  EXPECT_TRUE(two.body().starts_with("%PDF-"));
  EXPECT_NE(two.body().find("/Count 2"), std::string::npos) << "two pages";

  const auto other_key = crypto::generate_signing_key_pair();
  const std::string forged = crypto::sign_site_token({deployment_.site_id, 1}, other_key);
  struct Refused {
    std::string name;
    json::object body;
    int status;
    std::string says;
  };
  const std::vector<Refused> refused{
      {"revoked",
       {{"tokens", json::array{json::value(deployment_.revoked_site_token)}}},
       400,
       "revoked"},
      {"forged", {{"tokens", json::array{json::value(forged)}}}, 400, "forged"},
      {"second of two",
       {{"tokens", json::array{json::value(deployment_.site_token), json::value(forged)}}},
       400,
       "tokens[1]"},
      {"none", {{"tokens", json::array{}}}, 400, "1 to 20"},
      {"unknown language",
       {{"tokens", json::array{json::value(deployment_.site_token)}},
        {"languages", json::array{"xx"}}},
       400,
       "no poster texts in xx"},
      {"not strings", {{"tokens", json::array{1, 2}}}, 400, "expected tokens"},
      {"unknown member", {{"tokens", json::array{}}, {"key", "secret"}}, 400, "unknown member"},
  };
  for (const Refused& r : refused) {
    const auto answer = print(r.body, admin);
    EXPECT_EQ(answer.result_int(), r.status) << r.name << ": " << answer.body();
    EXPECT_NE(answer.body().find(r.says), std::string::npos) << r.name << ": " << answer.body();
  }
  const json::object good{{"tokens", json::array{json::value(deployment_.site_token)}}};
  EXPECT_EQ(print(good, sign_in("checker")).result_int(), 403) << "a handler prints nothing";
  EXPECT_EQ(print(good, "").result_int(), 401);

  // Each PDF answered is in the audit log, with its sites.
  server_.reset();
  auto store = storage::Store::open({.directory = data_dir_ / "rocksdb"}).value();
  const auto entries = storage::read_audit(*store, 1, 10'000).value();
  std::vector<std::string> printed;
  for (const storage::AuditEntry& entry : entries) {
    if (entry.record.action == "site.poster") printed.push_back(entry.record.detail);
  }
  const std::string id = std::to_string(deployment_.site_id);
  EXPECT_EQ(printed, (std::vector<std::string>{"{\"site_ids\":[" + id + "]}",
                                               "{\"site_ids\":[" + id + "," + id + "]}"}));
}

// The console names sites and units from the directory, whatever the role;
// how many accounts exist stays the admin's business.
TEST_F(PosterCheckTest, EverySignedInAccountReadsTheDirectoryOfUnitsAndSites) {
  EXPECT_EQ(client_->get("/api/v1/directory", "").result_int(), 401);
  const auto answer = client_->get("/api/v1/directory", sign_in("checker"));
  ASSERT_EQ(answer.result_int(), 200) << answer.body();
  const json::object body = HttpsClient::json(answer).as_object();
  EXPECT_FALSE(body.contains("accounts"));
  EXPECT_EQ(body.at("deployment").at("site_signing_public_key").as_string(),
            crypto::to_base64url(deployment_.site_signing.public_key.bytes));
  bool site_found = false;
  for (const json::value& site : body.at("sites").as_array()) {
    if (site.at("id").to_number<std::uint32_t>() == deployment_.site_id) {
      site_found = true;
      EXPECT_EQ(site.at("name").as_string(), "Test village board");
    }
  }
  EXPECT_TRUE(site_found) << answer.body();
  const auto& units = body.at("units").as_array();
  EXPECT_EQ(units.size(), deployment_.unit_ids.size()) << answer.body();
  const auto admin_view = client_->get("/api/v1/admin/deployment", sign_in("printer"));
  ASSERT_EQ(admin_view.result_int(), 200) << admin_view.body();
  json::object without_accounts = HttpsClient::json(admin_view).as_object();
  without_accounts.erase("accounts");
  EXPECT_EQ(without_accounts, body) << "the same registry as the admin sees";
}

// The same verdicts from `clueline site verify` on the stopped server's data.
TEST_F(PosterCheckTest, TheCommandLineGivesTheSameVerdictsAndExitCodes) {
  server_.reset();
  const auto other_key = crypto::generate_signing_key_pair();
  const std::vector<std::pair<std::string, std::string>> cases{
      {url(deployment_.site_token), "genuine"},
      {url(deployment_.revoked_site_token), "revoked"},
      {url(crypto::sign_site_token({deployment_.site_id, 1}, other_key)), "forged"},
      {"https://pay.example.com/qr?to=123", "not_ours"},
      {"", "no_code"},
  };
  for (const auto& [text, verdict] : cases) {
    const fs::path photo = directory_ / (verdict + ".img");
    std::ofstream(photo, std::ios::binary)
        << (text.empty() ? qr::testing::blank_png(500, 400) : photo_of(text));
    const CommandRun run = run_clueline_json(directory_, "site verify '" + photo.string() +
                                                             "' --data-dir '" + data_dir_.string() +
                                                             "' --base-url " + std::string(kBase));
    EXPECT_EQ(run.exit_code, verdict == "genuine" ? 0 : 1) << verdict << ": " << run.err;
    ASSERT_FALSE(run.out.empty()) << verdict << ": " << run.err;
    EXPECT_EQ(json::parse(run.out).at("verdict").as_string(), verdict) << run.out;
  }
  const CommandRun missing =
      run_clueline(directory_, "site verify --data-dir '" + data_dir_.string() + "'");
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
}

}  // namespace
}  // namespace clueline::testing
