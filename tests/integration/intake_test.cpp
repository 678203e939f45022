// The citizen path over real TLS into RocksDB: site codes, routes, sealed
// report submission, follow-up with the receipt, and the rule that a refused
// request changes nothing stored.
#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "deployment_fixture.hpp"
#include "https_client.hpp"
#include "server_process.hpp"

namespace clueline::testing {
namespace {

namespace fs = std::filesystem;
namespace http = boost::beast::http;
namespace json = boost::json;

class IntakeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ =
        fs::temp_directory_path() / ("clueline-intake-" + std::to_string(std::random_device{}()));
    data_dir_ = directory_ / "data";
    create_data_dir(data_dir_);
    deployment_ = write_test_deployment(data_dir_);
  }
  void TearDown() override {
    server_.reset();
    fs::remove_all(directory_);
  }

  // Starts (or restarts) the server on the prepared data directory.
  void start(const std::string& extra_config = "[pow]\ndifficulty = 4\n") {
    server_.reset();
    client_.reset();
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    server_.emplace("Intake." + name,
                    ServerOptions{.extra_config = extra_config, .data_dir = data_dir_});
    client_.emplace(server_->certificate(), server_->public_port());
  }
  void stop() {
    ASSERT_EQ(server_->terminate(std::chrono::seconds(10)), 0) << server_->stderr_text();
    client_.reset();
  }

  json::object route(const std::string& token, const std::string& category = "bribery",
                     const std::string& level = "village") {
    const auto response = client_->get("/api/v1/route?site=" + token + "&category=" + category +
                                       "&accused_level=" + level);
    EXPECT_EQ(response.result_int(), 200) << response.body();
    return HttpsClient::json(response).as_object();
  }

  // A report sealed to the route's keys with its challenge solved.
  BuiltReport report_for(const json::object& route_answer, ReportOptions options = {}) {
    options.token = options.token.empty() ? deployment_.site_token : options.token;
    if (options.recipients.empty()) {
      options.recipients = route_keys(route_answer);
    }
    if (!options.challenge) {
      auto bytes =
          crypto::from_base64url(route_answer.at("pow").at("challenge").as_string()).value();
      crypto::PowChallenge challenge;
      std::copy(bytes.begin(), bytes.end(), challenge.begin());
      options.challenge = challenge;
    }
    options.difficulty = static_cast<unsigned>(route_answer.at("pow").at("difficulty").as_int64());
    options.receipt_salt = deployment_.record.receipt_salt;
    return build_report(options);
  }

  // Sends one request that must be refused with `status`, then checks
  // (across a restart) that the database is exactly as before.
  template <typename Send>
  void expect_refused_without_change(int status, Send send) {
    stop();
    const Snapshot before = snapshot(data_dir_);
    start();
    const auto response = send();
    EXPECT_EQ(response.result_int(), status) << response.body();
    const auto body = HttpsClient::json(response);
    EXPECT_TRUE(body.as_object().at("error").as_object().contains("code")) << response.body();
    stop();
    EXPECT_EQ(snapshot(data_dir_), before) << "a refused request changed the database";
    start();
  }

  fs::path directory_;
  fs::path data_dir_;
  TestDeployment deployment_;
  std::optional<ServerProcess> server_;
  std::optional<HttpsClient> client_;
};

TEST_F(IntakeTest, SiteCodesVerifyAndRevokedPostersAreGone) {
  start();
  // The citizen page is one static page for every site: it asks the sites
  // API below with the token of its own URL.
  auto page = client_->get("/s/" + deployment_.site_token);
  EXPECT_EQ(page.result_int(), 200);
  EXPECT_NE(page.body().find("/report/report.mjs"), std::string::npos) << page.body();
  EXPECT_EQ(page[http::field::content_type], "text/html; charset=utf-8");
  EXPECT_EQ(page[http::field::cache_control], "no-store");
  auto followup_page = client_->get("/s/" + deployment_.site_token + "/followup");
  EXPECT_EQ(followup_page.result_int(), 200);
  EXPECT_NE(followup_page.body().find("/report/followup.mjs"), std::string::npos);

  auto info = client_->get("/api/v1/sites/" + deployment_.site_token);
  ASSERT_EQ(info.result_int(), 200) << info.body();
  const auto site = HttpsClient::json(info).as_object();
  EXPECT_EQ(site.at("site").at("name"), "Test village board");
  EXPECT_EQ(site.at("unit").at("level"), "village");
  EXPECT_EQ(json::serialize(site.at("languages")), R"(["en","vi","zh-CN"])");
  EXPECT_EQ(site.at("receipt_salt").as_string(),
            crypto::to_base64url(deployment_.record.receipt_salt));

  // A token signed by another key, and one with a flipped signature bit.
  const auto other_key = crypto::generate_signing_key_pair();
  const std::string forged = crypto::sign_site_token({deployment_.site_id, 1}, other_key);
  std::string flipped = deployment_.site_token;
  flipped[50] = flipped[50] == 'A' ? 'B' : 'A';
  for (const std::string& token : {forged, flipped, std::string("short")}) {
    // Still the page, so that it can say in the reader's language what a
    // forged poster means; the status tells scripts.
    const auto refused_page = client_->get("/s/" + token);
    EXPECT_EQ(refused_page.result_int(), 404) << token;
    EXPECT_EQ(refused_page[http::field::content_type], "text/html; charset=utf-8") << token;
    EXPECT_EQ(client_->get("/api/v1/sites/" + token).result_int(), 404) << token;
  }
  EXPECT_EQ(client_->get("/s/" + deployment_.revoked_site_token).result_int(), 410);
  const auto gone = client_->get("/api/v1/sites/" + deployment_.revoked_site_token);
  EXPECT_EQ(gone.result_int(), 410);
  EXPECT_EQ(HttpsClient::json(gone).at("error").at("code"), "gone");
  stop();
}

TEST_F(IntakeTest, WithoutOversightLevelsTheRouteNamesTheHandlingUnitOnly) {
  start("[pow]\ndifficulty = 4\n[routing]\nsealed_levels_above = 0\n");
  const auto answer = route(deployment_.site_token);
  ASSERT_EQ(answer.at("recipients").as_array().size(), 1u) << answer;
  EXPECT_EQ(answer.at("recipients").at(0).at("unit_id").as_int64(),
            deployment_.unit_ids.at("township"));
  // A report sealed to the township alone is what this server accepts.
  const auto built = report_for(answer);
  EXPECT_EQ(client_->post_bytes("/api/v1/reports", built.envelope).result_int(), 201u);
  stop();
}

TEST_F(IntakeTest, RouteNamesTheNearestReceivingUnitAndAFreshChallenge) {
  start();
  const auto answer = route(deployment_.site_token);
  const auto& recipient = answer.at("recipients").at(0).as_object();
  EXPECT_EQ(recipient.at("unit_id").as_int64(), deployment_.unit_ids.at("township"));
  const auto& township = deployment_.unit_keys.at("township");
  EXPECT_EQ(recipient.at("keys").at(0).at("public_key").as_string(),
            crypto::to_base64url(township.public_key.bytes));
  EXPECT_EQ(recipient.at("role").as_string(), "handling");
  // Sealed for oversight too: the two receiving units the clue escalates
  // to, nearest first (routing.sealed_levels_above = 2).
  const auto& recipients = answer.at("recipients").as_array();
  ASSERT_EQ(recipients.size(), 3u) << answer;
  EXPECT_EQ(recipients[1].at("unit_id").as_int64(), deployment_.unit_ids.at("county"));
  EXPECT_EQ(recipients[2].at("unit_id").as_int64(), deployment_.unit_ids.at("city"));
  for (std::size_t i = 1; i < 3; ++i) EXPECT_EQ(recipients[i].at("role").as_string(), "oversight");
  EXPECT_EQ(answer.at("pow").at("difficulty").as_int64(), 4);
  EXPECT_NE(route(deployment_.site_token).at("pow").at("challenge"),
            answer.at("pow").at("challenge"));
  EXPECT_EQ(client_->get("/api/v1/route?site=" + deployment_.site_token + "&category=nonsense")
                .result_int(),
            400);
  EXPECT_EQ(client_
                ->get("/api/v1/route?site=" + deployment_.site_token +
                      "&category=bribery&accused_level=emperor")
                .result_int(),
            400);
  stop();
}

TEST_F(IntakeTest, ReportIsStoredSealedAndFollowedUpWithTheReceipt) {
  start();
  const std::string marker = "marker-5d1e0c9b village head diverted relief funds";
  const auto answer = route(deployment_.site_token);
  const BuiltReport report = report_for(answer, {.text = marker, .derive_receipt = true});
  const auto submitted = client_->post_bytes("/api/v1/reports", report.envelope);
  ASSERT_EQ(submitted.result_int(), 201) << submitted.body();
  const auto receipt_answer = HttpsClient::json(submitted).as_object();
  EXPECT_EQ(receipt_answer.at("status"), "received");
  const std::string clue_id(receipt_answer.at("clue_id").as_string());

  // Follow-up with the receipt: derive the lookup key as the phone would.
  auto keys = crypto::derive_receipt_keys(report.receipt, deployment_.record.receipt_salt).value();
  const auto session = client_->open_followup_session(
      std::span<const std::byte>(keys.lookup_key.data(), keys.lookup_key.size()));
  ASSERT_EQ(session.result_int(), 201) << session.body();
  const std::string bearer =
      "Bearer " + std::string(HttpsClient::json(session).at("session").as_string());
  const auto followup = client_->get("/api/v1/followup", bearer);
  ASSERT_EQ(followup.result_int(), 200) << followup.body();
  const auto status = HttpsClient::json(followup).as_object();
  EXPECT_EQ(status.at("clue_id").as_string(), clue_id);
  EXPECT_EQ(status.at("status"), "received");
  EXPECT_EQ(status.at("unit").at("id").as_int64(), deployment_.unit_ids.at("township"));
  EXPECT_TRUE(status.at("deadlines").as_object().contains("acknowledge_by"));

  // A follow-up message sealed to the unit's keys is stored.
  const auto clue_bytes = crypto::from_base64url(clue_id).value();
  const std::vector<crypto::BoxPublicKey> unit_keys{
      deployment_.unit_keys.at("township").public_key};
  auto message = crypto::seal_payload(crypto::PayloadDomain::kMessage, clue_bytes, unit_keys,
                                      crypto::as_bytes("also: marker-message-77ab"))
                     .value();
  const auto posted = client_->post_bytes(
      "/api/v1/followup/messages",
      std::string(reinterpret_cast<const char*>(message.data()), message.size()), bearer);
  EXPECT_EQ(posted.result_int(), 201) << posted.body();
  EXPECT_EQ(client_->get("/api/v1/followup", "Bearer AAAA").result_int(), 404);
  stop();

  // The stored envelope opens with the township's secret key, to the exact text.
  auto store = storage::Store::open({.directory = data_dir_ / "rocksdb"}).value();
  storage::ClueId id;
  std::copy(clue_bytes.begin(), clue_bytes.end(), id.begin());
  const auto stored = store->get(storage::Family::kClues, storage::envelope_key(id)).value();
  auto opened =
      crypto::open_envelope(crypto::as_bytes(stored), deployment_.unit_keys.at("township"));
  ASSERT_TRUE(opened.has_value());
  const std::string body(reinterpret_cast<const char*>(opened->data()), opened->size());
  EXPECT_NE(body.find(marker), std::string::npos) << body;
  auto clue =
      storage::decode_clue(store->get(storage::Family::kClues, storage::clue_key(id)).value());
  ASSERT_TRUE(clue.has_value());
  EXPECT_EQ(clue->messages, 1u);
  EXPECT_EQ(clue->unit_id, deployment_.unit_ids.at("township"));
  // The routing explanation is stored with the clue for its supervisors.
  ASSERT_EQ(clue->route.size(), 1u);
  EXPECT_EQ(clue->route[0].rule, "graded_jurisdiction");
  EXPECT_EQ(clue->route[0].unit_id, deployment_.unit_ids.at("township"));
  EXPECT_NE(clue->route[0].text.find("a village cadre is handled at township level"),
            std::string::npos)
      << clue->route[0].text;
  store.reset();

  // Nothing readable of the report anywhere in the data directory or logs,
  // and no client address.
  for (const auto& entry : fs::recursive_directory_iterator(data_dir_)) {
    if (!entry.is_regular_file()) continue;
    const std::string content = read_file(entry.path());
    EXPECT_EQ(content.find("marker-5d1e0c9b"), std::string::npos) << entry.path();
    EXPECT_EQ(content.find("127.0.0.1"), std::string::npos) << entry.path();
    EXPECT_EQ(content.find("marker-message-77ab"), std::string::npos) << entry.path();
  }
  EXPECT_EQ(server_->access_log_text().find("marker-5d1e0c9b"), std::string::npos);
  EXPECT_EQ(server_->access_log_text().find("127.0.0.1"), std::string::npos);
}

TEST_F(IntakeTest, RefusedReportsChangeNothing) {
  start();
  const auto wrong = [&](ReportOptions options) {
    return client_->post_bytes("/api/v1/reports",
                               report_for(route(deployment_.site_token), options).envelope);
  };
  // The proof of work is checked first, and a challenge is bound to the
  // poster and route it was issued for: a report with another token or
  // category than its challenge's is refused as unproven (403) before the
  // token is verified. (GET /api/v1/route gives a forged poster 404, a
  // revoked one 410 and an unknown category 400, so no challenge exists
  // for them.)
  // Forged token: signed by another key.
  expect_refused_without_change(403, [&] {
    const auto other = crypto::generate_signing_key_pair();
    return wrong({.token = crypto::sign_site_token({deployment_.site_id, 1}, other)});
  });
  // Revoked poster.
  expect_refused_without_change(403,
                                [&] { return wrong({.token = deployment_.revoked_site_token}); });
  // Sealed to the county instead of the township: 409 with the current route.
  expect_refused_without_change(409, [&] {
    const auto response = wrong({.recipients = {deployment_.unit_keys.at("county").public_key}});
    EXPECT_TRUE(HttpsClient::json(response).as_object().contains("route")) << response.body();
    return response;
  });
  // A challenge this server never issued.
  expect_refused_without_change(403, [&] {
    crypto::PowChallenge invented{};
    return wrong({.challenge = invented});
  });
  // Not an envelope at all, and a truncated one.
  expect_refused_without_change(
      400, [&] { return client_->post_bytes("/api/v1/reports", "CLE1 garbage"); });
  expect_refused_without_change(400, [&] {
    std::string envelope = report_for(route(deployment_.site_token)).envelope;
    envelope.pop_back();
    return client_->post_bytes("/api/v1/reports", envelope);
  });
  // Unknown category.
  expect_refused_without_change(403, [&] { return wrong({.category = "nonsense"}); });
  // Over the body limit.
  expect_refused_without_change(413, [&] {
    return client_->post_bytes("/api/v1/reports", std::string(crypto::kMaxEnvelopeBytes + 1, 'x'));
  });
  // Malformed JSON to the follow-up session.
  expect_refused_without_change(
      400, [&] { return client_->post_json("/api/v1/followup/session", R"({"lookup_key": )"); });
  // A lookup without its proof of work, with a forged one, and an unknown
  // receipt with a solved one.
  expect_refused_without_change(400, [&] {
    return client_->post_json("/api/v1/followup/session",
                              R"({"lookup_key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})");
  });
  expect_refused_without_change(403, [&] {
    return client_->post_json("/api/v1/followup/session",
                              R"({"lookup_key":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",)"
                              R"("pow":{"challenge":"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",)"
                              R"("nonce":"AAAAAAAAAAA"}})");
  });
  expect_refused_without_change(
      404, [&] { return client_->open_followup_session(std::vector<std::byte>(32)); });
  stop();
}

TEST_F(IntakeTest, ReplayedProofOfWorkAndReusedReceiptAreRefused) {
  start();
  const auto answer = route(deployment_.site_token);
  const BuiltReport first = report_for(answer, {.text = "first"});
  ASSERT_EQ(client_->post_bytes("/api/v1/reports", first.envelope).result_int(), 201);
  stop();
  const Snapshot after_first = snapshot(data_dir_);
  EXPECT_GE(after_first.size(), 4u);
  start();
  // Same challenge again: a new challenge from this run, used twice.
  const auto fresh = route(deployment_.site_token);
  const BuiltReport second = report_for(fresh, {.text = "second"});
  ASSERT_EQ(client_->post_bytes("/api/v1/reports", second.envelope).result_int(), 201);
  const BuiltReport replay = report_for(fresh, {.text = "replay"});
  const auto replayed = client_->post_bytes("/api/v1/reports", replay.envelope);
  EXPECT_EQ(replayed.result_int(), 409) << replayed.body();
  // A challenge from before the restart is no longer valid at all.
  const BuiltReport stale = report_for(answer, {.text = "stale"});
  EXPECT_EQ(client_->post_bytes("/api/v1/reports", stale.envelope).result_int(), 403);
  // A receipt lookup hash already in use by the second report.
  const BuiltReport reused = report_for(route(deployment_.site_token),
                                        {.text = "reused", .lookup_hash = second.lookup_hash});
  EXPECT_EQ(client_->post_bytes("/api/v1/reports", reused.envelope).result_int(), 409);
  stop();
  // Exactly the second report's six records were added: clue, envelope,
  // queue entry, deadline index entry, receipt index entry, and the audit
  // entry of its routing decision (the audit head record is rewritten).
  const Snapshot after = snapshot(data_dir_);
  EXPECT_EQ(after.size(), after_first.size() + 6);
}

}  // namespace
}  // namespace clueline::testing
