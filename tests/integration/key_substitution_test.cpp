// A hostile operator who swaps a unit's key in the database (crypto-spec
// §3.1): the reference client and the browser module refuse to seal a
// report or a follow-up message to it, and nothing reaches the server.
// The genuine deployment works first, so the refusals are the swap's.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include "clueline/storage/store.hpp"
#include "deployment_fixture.hpp"
#include "https_client.hpp"
#include "server_process.hpp"

namespace clueline::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

// How the operator tampers with the township's current key.
enum class Swap {
  kKeyOnly,            // its own public key, the genuine certificate kept
  kSelfCertified,      // its own key with a certificate its own signing key made
  kCertificateRemoved  // the genuine key, its certificate dropped
};

std::string swap_name(Swap swap) {
  switch (swap) {
    case Swap::kKeyOnly:
      return "KeyOnly";
    case Swap::kSelfCertified:
      return "SelfCertified";
    case Swap::kCertificateRemoved:
      return "CertificateRemoved";
  }
  return "Unknown";
}

class KeySubstitutionTest : public ::testing::TestWithParam<Swap> {
 protected:
  void SetUp() override {
    directory_ =
        fs::temp_directory_path() / ("clueline-key-swap-" + std::to_string(std::random_device{}()));
    create_data_dir(directory_ / "data");
    deployment_ = write_test_deployment(directory_ / "data");
  }
  void TearDown() override {
    server_.reset();
    fs::remove_all(directory_);
  }

  void start() {
    // One name per case: ctest runs the cases at once, and the name picks
    // the certificate and log files.
    server_.emplace(
        "KeySubstitution." + swap_name(GetParam()),
        ServerOptions{.extra_config = "[pow]\ndifficulty = 8\n", .data_dir = directory_ / "data"});
    tls_ = " --server https://localhost:" + std::to_string(server_->public_port()) + " --ca-file " +
           server_->certificate().string();
    client_.emplace(server_->certificate(), server_->public_port());
  }
  void stop() {
    client_.reset();
    ASSERT_EQ(server_->terminate(std::chrono::seconds(10)), 0) << server_->stderr_text();
    server_.reset();
  }

  CommandRun clueline(const std::string& arguments) {
    return run_clueline_json(directory_, arguments);
  }
  CommandRun submit() {
    return clueline("submit" + tls_ + " --token " + deployment_.site_token +
                    " --category bribery --accused-level village --text 'marker-5ca1ab1e'");
  }
  CommandRun send_message(const std::string& receipt) {
    return clueline("followup" + tls_ + " --receipt " + receipt + " --token " +
                    deployment_.site_token + " --message 'a later detail'");
  }

  // The browser module's verdict on the answer of `target` (node).
  CommandRun module_verdict(const std::string& kind, const std::string& target,
                            const std::string& bearer = {}) {
    const auto answer = client_->get(target, bearer.empty() ? "" : "Bearer " + bearer);
    EXPECT_EQ(answer.result_int(), 200u) << answer.body();
    const fs::path file = directory_ / (kind + ".json");
    std::ofstream(file) << answer.body();
    const std::string command = std::string(CLUELINE_NODE) + " " + CLUELINE_SOURCE_DIR +
                                "/web/crypto/test-support/check-served-keys.mjs " + kind + " " +
                                file.string() + " " + deployment_.site_token + " >" +
                                (directory_ / "node-out").string() + " 2>" +
                                (directory_ / "node-err").string();
    const int status = std::system(command.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(directory_ / "node-out"),
            read_file(directory_ / "node-err")};
  }
  std::string route_target() const {
    return "/api/v1/route?site=" + deployment_.site_token +
           "&category=bribery&accused_level=village";
  }
  // A follow-up session for `receipt`, as the page would open it.
  std::string session_of(const std::string& receipt) {
    const auto keys = crypto::derive_receipt_keys(crypto::normalize_receipt(receipt).value(),
                                                  deployment_.record.receipt_salt)
                          .value();
    const auto opened = client_->open_followup_session(keys.lookup_key.bytes());
    EXPECT_EQ(opened.result_int(), 201u) << opened.body();
    return std::string(HttpsClient::json(opened).at("session").as_string());
  }

  void tamper(Swap swap) {
    auto store = storage::Store::open({.directory = directory_ / "data" / "rocksdb"}).value();
    storage::Unit township = storage::get_unit(*store, deployment_.unit_ids.at("township")).value();
    const auto attacker = crypto::generate_box_key_pair();
    const auto attacker_signing = crypto::generate_signing_key_pair();
    storage::UnitKey& key = township.keys.at(0);
    switch (swap) {
      case Swap::kKeyOnly:
        key.public_key = attacker.public_key.bytes;
        key.key_id = crypto::key_id(attacker.public_key);
        break;
      case Swap::kSelfCertified: {
        const auto forged = certified_unit_key(township, attacker.public_key, attacker_signing);
        key.public_key = forged.public_key;
        key.key_id = forged.key_id;
        key.certificate = forged.certificate;
        break;
      }
      case Swap::kCertificateRemoved:
        key.certificate.clear();
        break;
    }
    storage::put_unit(*store, township).value();
  }

  std::size_t stored_clues() {
    auto store =
        storage::Store::open({.directory = directory_ / "data" / "rocksdb", .read_only = true})
            .value();
    std::size_t clues = 0;
    for (const auto& [key, value] : store->scan(storage::Family::kClues, "", 100000).value()) {
      if (storage::decode_clue(value)) ++clues;
    }
    return clues;
  }

  fs::path directory_;
  TestDeployment deployment_;
  std::optional<ServerProcess> server_;
  std::optional<HttpsClient> client_;
  std::string tls_;
};

TEST_P(KeySubstitutionTest, EveryClientRefusesToSealToASwappedKey) {
  start();
  // Genuine: a report, a message, and the module accepts both answers.
  const CommandRun submitted = submit();
  ASSERT_EQ(submitted.exit_code, 0) << submitted.err;
  const std::string receipt(json::parse(submitted.out).at("receipt").as_string());
  ASSERT_EQ(send_message(receipt).exit_code, 0);
  const CommandRun genuine_route = module_verdict("route", route_target());
  EXPECT_EQ(genuine_route.exit_code, 0) << genuine_route.out << genuine_route.err;
  const std::string session = session_of(receipt);
  const CommandRun genuine_followup = module_verdict("followup", "/api/v1/followup", session);
  EXPECT_EQ(genuine_followup.exit_code, 0) << genuine_followup.out << genuine_followup.err;
  stop();

  tamper(GetParam());
  const std::size_t clues_before = stored_clues();
  start();
  const CommandRun refused_report = submit();
  EXPECT_EQ(refused_report.exit_code, 1);
  EXPECT_NE(refused_report.err.find("refusing to seal"), std::string::npos) << refused_report.err;
  EXPECT_NE(refused_report.err.find("unit " + std::to_string(deployment_.unit_ids.at("township"))),
            std::string::npos)
      << refused_report.err;

  const CommandRun refused_message = send_message(receipt);
  EXPECT_EQ(refused_message.exit_code, 1);
  EXPECT_NE(refused_message.err.find("refusing to seal"), std::string::npos) << refused_message.err;
  // Reading the status needs no unit key and still works.
  const CommandRun status =
      clueline("followup" + tls_ + " --receipt " + receipt + " --token " + deployment_.site_token);
  ASSERT_EQ(status.exit_code, 0) << status.err;
  EXPECT_EQ(json::parse(status.out).at("messages").as_array().size(), 1u);

  const CommandRun module_route = module_verdict("route", route_target());
  EXPECT_EQ(module_route.exit_code, 1) << module_route.out << module_route.err;
  EXPECT_NE(module_route.out.find("\"ok\":false"), std::string::npos) << module_route.out;
  const CommandRun module_followup =
      module_verdict("followup", "/api/v1/followup", session_of(receipt));
  EXPECT_EQ(module_followup.exit_code, 1) << module_followup.out << module_followup.err;
  stop();
  EXPECT_EQ(stored_clues(), clues_before) << "nothing sealed to the swapped key was stored";
}

INSTANTIATE_TEST_SUITE_P(Swaps, KeySubstitutionTest,
                         ::testing::Values(Swap::kKeyOnly, Swap::kSelfCertified,
                                           Swap::kCertificateRemoved),
                         [](const ::testing::TestParamInfo<Swap>& info) {
                           return swap_name(info.param);
                         });

}  // namespace
}  // namespace clueline::testing
