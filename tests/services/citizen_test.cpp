// The citizen use cases over a real RocksDB store and group-commit writer,
// without sockets: each coroutine runs on a test io_context.
#include "clueline/services/citizen.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "../integration/deployment_fixture.hpp"
#include "../storage/temp_directory.hpp"
#include "clueline/crypto/crypto.hpp"
#include "run_use_case.hpp"

namespace clueline::services {
namespace {

using storage::Family;
namespace asio = boost::asio;

class CitizenTest : public ::testing::Test {
 protected:
  CitizenTest() {
    deployment_ = clueline::testing::write_test_deployment(directory_.path());
    auto opened = storage::Store::open({.directory = directory_.path() / "rocksdb"});
    EXPECT_TRUE(opened.has_value());
    store_ = std::move(opened).value();
    writer_ = std::make_unique<storage::GroupCommitWriter>(*store_);
    Config config;
    config.pow.difficulty = 2;
    config.pow.max_difficulty = 2;
    intake_ = std::make_unique<Intake>(*store_, config);
    context_ = {intake_.get(), store_.get(), writer_.get(), &pool_};
  }

  // Runs a use case to its end on this thread.
  template <typename T>
  T run(asio::awaitable<T> use_case) {
    return testing::run_use_case(std::move(use_case));
  }

  // Every key the route names: the handling unit's and the overseers'.
  static std::vector<crypto::BoxPublicKey> route_keys(const RouteOffer& offer) {
    std::vector<crypto::BoxPublicKey> recipients;
    for (const storage::UnitKey* key : offer.route.keys) {
      recipients.push_back(crypto::BoxPublicKey{key->public_key});
    }
    return recipients;
  }

  std::string report(const RouteOffer& offer, std::string text = "report text") {
    const std::vector<crypto::BoxPublicKey> recipients = route_keys(offer);
    return clueline::testing::build_report({.text = std::move(text),
                                            .challenge = offer.challenge.challenge,
                                            .difficulty = offer.challenge.difficulty,
                                            .recipients = recipients,
                                            .token = deployment_.site_token})
        .envelope;
  }

  RouteOffer offer() {
    auto offered =
        offer_route(*intake_, deployment_.site_token, "bribery", "village", SystemClock::now());
    EXPECT_TRUE(offered.has_value());
    return std::move(offered).value();
  }

  ReportAccepted submit(const std::string& envelope) {
    auto answer = run(submit_report(context_, envelope));
    EXPECT_TRUE(answer.has_value()) << (answer ? "" : answer.error().message);
    EXPECT_TRUE(answer && std::holds_alternative<ReportAccepted>(*answer));
    return std::get<ReportAccepted>(std::move(answer).value());
  }

  clueline::testing::Snapshot snapshot() {
    clueline::testing::Snapshot all;
    for (int family = 0; family <= static_cast<int>(Family::kDeadlines); ++family) {
      auto rows = store_->scan(static_cast<Family>(family), "", 1'000'000);
      EXPECT_TRUE(rows.has_value());
      for (auto& [key, value] : *rows) {
        if (family == static_cast<int>(Family::kMeta) && key.starts_with("storage.")) continue;
        all.emplace(std::make_pair(family, std::move(key)), std::move(value));
      }
    }
    return all;
  }

  storage::testing::TempDirectory directory_;
  clueline::testing::TestDeployment deployment_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<storage::GroupCommitWriter> writer_;
  std::unique_ptr<Intake> intake_;
  asio::thread_pool pool_{1};
  CitizenContext context_;
};

TEST_F(CitizenTest, PostersAreCheckedAndRevokedOnesSayWhatToDo) {
  auto info = site_info(*intake_, deployment_.site_token, {"zh-CN", "en", "vi"});
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->site.site->id, deployment_.site_id);
  EXPECT_TRUE(std::equal(info->accused_levels.begin(), info->accused_levels.end(),
                         intake_->levels().names().begin(), intake_->levels().names().end()));
  EXPECT_EQ(info->receipt_salt, deployment_.record.receipt_salt);
  EXPECT_FALSE(info->categories.empty());

  auto revoked = check_poster(*intake_, deployment_.revoked_site_token);
  ASSERT_FALSE(revoked.has_value());
  EXPECT_EQ(revoked.error().code, errc::gone);
  EXPECT_NE(revoked.error().message.find("current one"), std::string::npos);

  std::string forged = deployment_.site_token;
  forged[50] = forged[50] == 'A' ? 'B' : 'A';
  auto refused = check_poster(*intake_, forged);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, errc::not_found);
  EXPECT_EQ(check_poster(*intake_, "short").error().code, errc::not_found);
}

TEST_F(CitizenTest, AnUnknownCategoryOrLevelIsNamedWithTheAcceptedOnes) {
  auto category = offer_route(*intake_, deployment_.site_token, "fraud", "", SystemClock::now());
  ASSERT_FALSE(category.has_value());
  EXPECT_EQ(category.error().code, errc::invalid_argument);
  EXPECT_NE(category.error().message.find("unknown category"), std::string::npos);
  EXPECT_NE(category.error().message.find("bribery"), std::string::npos);

  auto level =
      offer_route(*intake_, deployment_.site_token, "bribery", "prefecture", SystemClock::now());
  ASSERT_FALSE(level.has_value());
  EXPECT_NE(level.error().message.find("unknown accused level"), std::string::npos);
  EXPECT_NE(level.error().message.find("township"), std::string::npos);
}

TEST_F(CitizenTest, AReportIsStoredWithItsIndexesAndOpensAFollowUpSession) {
  const RouteOffer offered = offer();
  EXPECT_EQ(offered.route.unit->id, deployment_.unit_ids.at("township"));
  const ReportAccepted accepted = submit(report(offered));
  EXPECT_EQ(accepted.clue.unit_id, deployment_.unit_ids.at("township"));
  ASSERT_TRUE(accepted.session.has_value());
  EXPECT_TRUE(store_->get(Family::kClues, storage::clue_key(accepted.clue.id)).has_value());
  EXPECT_TRUE(
      store_->get(Family::kReceipts, storage::receipt_key(accepted.clue.receipt_lookup_hash))
          .has_value());

  auto view = run(read_followup(context_, accepted.session->token));
  ASSERT_TRUE(view.has_value());
  EXPECT_EQ(view->clue.id, accepted.clue.id);
  ASSERT_TRUE(view->unit.has_value());
  EXPECT_EQ(view->unit->id, accepted.clue.unit_id);
  EXPECT_TRUE(view->replies.empty());
}

TEST_F(CitizenTest, RefusedReportsChangeNothingAndSpendNothing) {
  const RouteOffer offered = offer();
  const auto before = snapshot();

  auto malformed = run(submit_report(context_, "not an envelope"));
  ASSERT_FALSE(malformed.has_value());
  EXPECT_EQ(malformed.error().code, errc::invalid_argument);

  // Sealed to a key the route does not name: reseal, and the challenge is
  // still good for the resealed envelope.
  clueline::testing::ReportOptions wrong_keys{
      .challenge = offered.challenge.challenge,
      .difficulty = offered.challenge.difficulty,
      .recipients = {crypto::generate_box_key_pair().public_key},
      .token = deployment_.site_token};
  auto reseal = run(submit_report(context_, clueline::testing::build_report(wrong_keys).envelope));
  ASSERT_TRUE(reseal.has_value());
  ASSERT_TRUE(std::holds_alternative<ResealRequired>(*reseal));
  EXPECT_EQ(std::get<ResealRequired>(*reseal).route.route.unit->id, offered.route.unit->id);
  EXPECT_EQ(snapshot(), before);

  const std::string good = report(offered);
  submit(good);
  auto replayed = run(submit_report(context_, good));
  ASSERT_FALSE(replayed.has_value());
  EXPECT_EQ(replayed.error().code, errc::conflict);
  EXPECT_NE(replayed.error().message.find("proof of work"), std::string::npos);
}

// Proofs that are forged, issued for another route or replayed are refused
// before the rate buckets: a flood of them, more than a site's burst, leaves
// the honest reporter's next report its token (it used to get 429).
TEST_F(CitizenTest, ProofsThatAreForgedForeignOrReplayedSpendNoRateToken) {
  const RouteOffer offered = offer();
  const std::string good = report(offered);
  submit(good);
  const auto before = snapshot();
  const unsigned flood = Config{}.limits.site_burst + 5;
  auto other_route =
      offer_route(*intake_, deployment_.site_token, "embezzlement", "village", SystemClock::now());
  ASSERT_TRUE(other_route.has_value());
  crypto::PowChallenge made_up{};
  crypto::random_bytes(made_up);
  for (unsigned i = 0; i < flood; ++i) {
    clueline::testing::ReportOptions forged{
        .challenge = made_up, .recipients = route_keys(offered), .token = deployment_.site_token};
    auto refused = run(submit_report(context_, clueline::testing::build_report(forged).envelope));
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, errc::authentication_failed);
    // Solved, but for the embezzlement route, sent as bribery.
    clueline::testing::ReportOptions foreign{.challenge = other_route->challenge.challenge,
                                             .difficulty = other_route->challenge.difficulty,
                                             .recipients = route_keys(offered),
                                             .token = deployment_.site_token};
    refused = run(submit_report(context_, clueline::testing::build_report(foreign).envelope));
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, errc::authentication_failed) << refused.error().message;
    refused = run(submit_report(context_, good));
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, errc::conflict) << "replayed";
  }
  EXPECT_EQ(snapshot(), before);
  submit(report(offer(), "the honest report after the flood"));
}

TEST_F(CitizenTest, AReceiptOpensASessionAndAnUnknownOneDoesNot) {
  const RouteOffer offered = offer();
  const std::string receipt = crypto::generate_receipt();
  auto keys = crypto::derive_receipt_keys(receipt, deployment_.record.receipt_salt);
  ASSERT_TRUE(keys.has_value());
  auto built = clueline::testing::build_report({.challenge = offered.challenge.challenge,
                                                .difficulty = offered.challenge.difficulty,
                                                .recipients = route_keys(offered),
                                                .token = deployment_.site_token,
                                                .lookup_hash = keys->lookup_hash});
  const ReportAccepted accepted = submit(built.envelope);

  const std::vector<std::byte> lookup_key(keys->lookup_key.bytes().begin(),
                                          keys->lookup_key.bytes().end());
  auto session = run(open_followup_session(context_, lookup_key));
  ASSERT_TRUE(session.has_value()) << session.error().message;
  auto view = run(read_followup(context_, session->token));
  ASSERT_TRUE(view.has_value());
  EXPECT_EQ(view->clue.id, accepted.clue.id);

  auto unknown = run(open_followup_session(context_, std::vector<std::byte>(32)));
  ASSERT_FALSE(unknown.has_value());
  EXPECT_EQ(unknown.error().code, errc::not_found);
  auto short_key = run(open_followup_session(context_, std::vector<std::byte>(31)));
  ASSERT_FALSE(short_key.has_value());
  EXPECT_EQ(short_key.error().code, errc::invalid_argument);
  auto no_session = run(read_followup(context_, FollowupToken{}));
  ASSERT_FALSE(no_session.has_value());
  EXPECT_EQ(no_session.error().code, errc::not_found);
}

TEST_F(CitizenTest, AttachmentPartsComeInOrderWithinTheLimits) {
  const ReportAccepted accepted = submit(report(offer()));
  const FollowupToken session = accepted.session->token;
  const std::string stream(crypto::kAttachmentHeaderBytes + crypto::kAttachmentCipherChunkBytes,
                           'x');
  const std::string first = stream.substr(0, 1000), rest = stream.substr(1000);

  auto out_of_order = run(put_attachment_part(context_, session, {0, 1, false, rest}));
  ASSERT_FALSE(out_of_order.has_value());
  EXPECT_EQ(out_of_order.error().code, errc::conflict);
  EXPECT_EQ(run(put_attachment_part(context_, session, {8, 0, false, first})).error().code,
            errc::invalid_argument);
  EXPECT_EQ(run(put_attachment_part(context_, session, {0, 0, false, ""})).error().code,
            errc::invalid_argument);
  EXPECT_EQ(run(put_attachment_part(context_, session, {0, 0, true, first})).error().code,
            errc::invalid_argument);

  auto part0 = run(put_attachment_part(context_, session, {0, 0, false, first}));
  ASSERT_TRUE(part0.has_value()) << part0.error().message;
  auto part1 = run(put_attachment_part(context_, session, {0, 1, true, rest}));
  ASSERT_TRUE(part1.has_value()) << part1.error().message;
  EXPECT_TRUE(part1->complete);
  EXPECT_EQ(part1->total_bytes, stream.size());
  EXPECT_EQ(run(put_attachment_part(context_, session, {0, 2, false, first})).error().code,
            errc::conflict);
  auto stored = store_->get(Family::kClues, storage::attachment_part_key(accepted.clue.id, 0, 1));
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(*stored, rest);
}

}  // namespace
}  // namespace clueline::services
