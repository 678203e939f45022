// Issue 16, acceptance 4: the disk fills up (ENOSPC injected through the
// storage seam) while reports come in. Clients get 503, the server's parts
// stay up, nothing acknowledged is harmed, and once there is room again
// reports are stored without anyone restarting or probing anything.
#include <gtest/gtest.h>
#include <rocksdb/env.h>

#include <boost/asio/thread_pool.hpp>
#include <memory>
#include <string>
#include <vector>

#include "../integration/deployment_fixture.hpp"
#include "../storage/fault_injection_fs.hpp"
#include "../storage/temp_directory.hpp"
#include "clueline/services/citizen.hpp"
#include "rocksdb_store.hpp"
#include "run_use_case.hpp"

namespace clueline::services {
namespace {

TEST(CitizenDiskFull, ReportsDuringAFullDiskGet503AndEveryAcknowledgedOneSurvives) {
  storage::testing::TempDirectory directory;
  const auto deployment = clueline::testing::write_test_deployment(directory.path());
  auto fs = std::make_shared<storage::testing::FaultInjectionFileSystem>();
  const std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(fs);
  auto opened = storage::open_rocksdb_store({.directory = directory.path() / "rocksdb"}, env.get());
  ASSERT_TRUE(opened.has_value()) << opened.error().message();
  std::unique_ptr<storage::Store> store = std::move(*opened);
  auto writer = std::make_unique<storage::GroupCommitWriter>(*store);
  Config config;
  config.pow.difficulty = 2;
  config.pow.max_difficulty = 2;
  Intake intake(*store, config);
  boost::asio::thread_pool pool(1);
  const CitizenContext context{&intake, store.get(), writer.get(), &pool, {}};

  const auto submit = [&](const std::string& text) {
    auto offered =
        offer_route(intake, deployment.site_token, "bribery", "village", SystemClock::now());
    EXPECT_TRUE(offered.has_value());
    std::vector<crypto::BoxPublicKey> keys;
    for (const storage::UnitKey* key : offered->route.keys) {
      keys.push_back(crypto::BoxPublicKey{key->public_key});
    }
    const auto built = clueline::testing::build_report({.text = text,
                                                        .challenge = offered->challenge.challenge,
                                                        .difficulty = offered->challenge.difficulty,
                                                        .recipients = keys,
                                                        .token = deployment.site_token});
    return testing::run_use_case(submit_report(context, built.envelope));
  };

  std::vector<storage::ClueId> acknowledged;
  for (int i = 0; i < 5; ++i) {
    auto answer = submit("before " + std::to_string(i));
    ASSERT_TRUE(answer.has_value()) << answer.error().message;
    acknowledged.push_back(std::get<ReportAccepted>(*answer).clue.id);
  }

  fs->fail_appends_no_space(true);
  for (int i = 0; i < 5; ++i) {
    auto refused = submit("during " + std::to_string(i));
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, errc::storage_no_space) << refused.error().message;
    EXPECT_NE(refused.error().message.find("disk"), std::string::npos);
  }
  EXPECT_GT(fs->injected_failures(), 0u);
  fs->fail_appends_no_space(false);

  // Room again: clients send again until stored (RocksDB may need a moment).
  const auto after = storage::testing::retry_until_ok([&] { return submit("after"); });
  ASSERT_TRUE(after.has_value()) << after.error().message;
  acknowledged.push_back(std::get<ReportAccepted>(*after).clue.id);

  // Every acknowledged clue is intact after a restart: its record decodes
  // and its envelope is there.
  writer.reset();
  store.reset();
  auto reopened =
      storage::open_rocksdb_store({.directory = directory.path() / "rocksdb"}, env.get());
  ASSERT_TRUE(reopened.has_value()) << reopened.error().message();
  for (const storage::ClueId& id : acknowledged) {
    auto record = (*reopened)->get(storage::Family::kClues, storage::clue_key(id));
    ASSERT_TRUE(record.has_value());
    EXPECT_TRUE(storage::decode_clue(*record).has_value());
    EXPECT_TRUE((*reopened)->get(storage::Family::kClues, storage::envelope_key(id)).has_value());
  }
}

}  // namespace
}  // namespace clueline::services
