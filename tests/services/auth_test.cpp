// Login, throttling, lockout and sessions over a real RocksDB store and
// group-commit writer, with an injected clock.
#include "clueline/services/auth.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_future.hpp>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "../storage/temp_directory.hpp"
#include "clueline/crypto/crypto.hpp"
#include "clueline/services/totp.hpp"
#include "clueline/storage/audit.hpp"
#include "run_use_case.hpp"

namespace clueline::services {
namespace {

namespace asio = boost::asio;
using storage::Account;
using storage::AccountState;
using storage::Role;

// Fast Argon2id parameters: these tests are about the server's side.
const crypto::KdfParams kFastKdf{.opslimit = 1, .memlimit = 8192};

TEST(LoginDelay, TwoFreeFailuresThenDoublingUpToFiveMinutes) {
  EXPECT_EQ(login_delay(0).count(), 0);
  EXPECT_EQ(login_delay(2).count(), 0);
  EXPECT_EQ(login_delay(3).count(), 1);
  EXPECT_EQ(login_delay(4).count(), 2);
  EXPECT_EQ(login_delay(6).count(), 8);
  EXPECT_EQ(login_delay(20), kMaxDelay);
  EXPECT_EQ(login_delay(4000000000u), kMaxDelay);
}

TEST(AccountSessions, IdleAndAbsoluteExpiry) {
  AuthSettings settings;
  settings.session_idle = std::chrono::minutes(30);
  settings.session_absolute = std::chrono::hours(12);
  AccountSessions sessions(settings);
  const AuthClock::time_point t0{std::chrono::hours(500000)};
  const Actor actor{.account_id = 7, .unit_id = 3, .role = Role::kHandler};
  auto opened = sessions.open(actor, t0);
  ASSERT_TRUE(opened.has_value());
  EXPECT_EQ(opened->expires_at, t0 + std::chrono::hours(12));

  // Used every 29 minutes, it lives until the absolute expiry and no longer.
  AuthClock::time_point now = t0;
  while (now + std::chrono::minutes(29) <= t0 + std::chrono::hours(12)) {
    now += std::chrono::minutes(29);
    auto found = sessions.find(opened->token, now);
    ASSERT_TRUE(found.has_value()) << (now - t0).count();
    EXPECT_EQ(found->account_id, 7u);
  }
  EXPECT_FALSE(sessions.find(opened->token, t0 + std::chrono::hours(12) + std::chrono::seconds(1)));

  // Left alone for more than 30 minutes, it is gone.
  auto idle = sessions.open(actor, t0);
  ASSERT_TRUE(idle.has_value());
  EXPECT_TRUE(sessions.find(idle->token, t0 + std::chrono::minutes(30)).has_value());
  EXPECT_FALSE(sessions.find(idle->token, t0 + std::chrono::minutes(61)).has_value());
  EXPECT_FALSE(sessions.find(SessionToken{}, t0).has_value());
}

TEST(AccountSessions, CloseAndCloseAllEndSessionsAndTheTableIsBounded) {
  AuthSettings settings;
  settings.max_sessions = 3;
  AccountSessions sessions(settings);
  const auto now = AuthClock::now();
  auto first = sessions.open({.account_id = 1}, now).value();
  auto second = sessions.open({.account_id = 1}, now).value();
  auto other = sessions.open({.account_id = 2}, now).value();
  EXPECT_EQ(sessions.open({.account_id = 3}, now).error(), errc::unavailable);
  sessions.close(first.token);
  EXPECT_FALSE(sessions.find(first.token, now).has_value());
  EXPECT_TRUE(sessions.find(second.token, now).has_value());
  sessions.close_all(1);
  EXPECT_FALSE(sessions.find(second.token, now).has_value());
  EXPECT_TRUE(sessions.find(other.token, now).has_value());
  EXPECT_EQ(sessions.size(), 1u);
}

TEST(LoginChallenges, SingleUseBoundToTheNameAndShortLived) {
  LoginChallenges challenges;
  const auto now = AuthClock::now();
  const auto challenge = challenges.issue("alice", now, std::chrono::seconds(60));
  EXPECT_FALSE(challenges.check_and_spend(challenge, "bob", now));
  EXPECT_TRUE(challenges.check_and_spend(challenge, "alice", now));
  EXPECT_FALSE(challenges.check_and_spend(challenge, "alice", now));

  const auto late = challenges.issue("alice", now, std::chrono::seconds(60));
  EXPECT_FALSE(challenges.check_and_spend(late, "alice", now + std::chrono::seconds(62)));
  auto forged = challenges.issue("alice", now, std::chrono::seconds(60));
  forged[3] ^= std::byte{1};  // a later expiry
  EXPECT_FALSE(challenges.check_and_spend(forged, "alice", now));
  // Spent in the last second of its life, it is still refused then.
  const auto edge = challenges.issue("alice", now, std::chrono::seconds(60));
  const auto last_second = now + std::chrono::seconds(60);
  EXPECT_TRUE(challenges.check_and_spend(edge, "alice", last_second));
  EXPECT_FALSE(
      challenges.check_and_spend(edge, "alice", last_second + std::chrono::milliseconds(900)));
}

class LoginTest : public ::testing::Test {
 protected:
  LoginTest() {
    store_ = storage::Store::open({.directory = directory_.path() / "db"}).value();
    unit_id_ = storage::add_unit(*store_, {.name = "Township", .level = "township"}).value();
    other_unit_id_ =
        storage::add_unit(*store_, {.name = "Other", .level = "village", .parent_id = unit_id_})
            .value();
    tree_ = routing::Tree::make({{unit_id_, 0, "township", true, "Township"},
                                 {other_unit_id_, unit_id_, "village", false, "Other"}},
                                routing::Levels{})
                .value();
    writer_ = std::make_unique<storage::GroupCommitWriter>(*store_);
    context_.store = store_.get();
    context_.writer = writer_.get();
    context_.blocking_pool = &pool_;
    context_.sessions = &sessions_;
    context_.challenges = &challenges_;
    context_.claims = &claims_;
    registry_ = std::make_unique<Registry>(
        std::make_shared<const RegistrySnapshot>(RegistrySnapshot{.tree = *tree_}));
    context_.registry = registry_.get();
    context_.auth_secret = storage::load_or_create_auth_secret(*store_).value();
    context_.settings.max_failed_logins = 5;
    context_.clock = [this] { return now_; };
  }

  template <typename T>
  T run(asio::awaitable<T> use_case) {
    return testing::run_use_case(std::move(use_case));
  }

  struct Member {
    std::string name;
    crypto::AccountKeys keys;
    std::uint32_t id = 0;
  };

  Member add_member(const std::string& name, const std::string& passphrase,
                    std::string totp_secret = {}) {
    Account account;
    account.login_name = name;
    account.unit_id = unit_id_;
    account.role = Role::kHandler;
    crypto::random_bytes(account.salt);
    account.kdf_opslimit = kFastKdf.opslimit;
    account.kdf_memlimit = kFastKdf.memlimit;
    account.totp_secret = std::move(totp_secret);
    Member member{name, crypto::derive_account_keys(passphrase, account.salt, kFastKdf).value(), 0};
    account.auth_public_key = member.keys.auth.public_key.bytes;
    member.id = storage::add_account(*store_, account).value();
    return member;
  }

  Outcome<LoggedIn> try_login(const std::string& name, const crypto::SigningKeyPair& key,
                              std::string totp = {}) {
    auto challenge = run(issue_login_challenge(context_, name));
    EXPECT_TRUE(challenge.has_value());
    const crypto::Bytes proof = crypto::sign_login_challenge(challenge->challenge, key);
    return run(login(context_, {.login_name = name,
                                .challenge = challenge->challenge,
                                .proof = {proof.begin(), proof.end()},
                                .totp = std::move(totp)}));
  }

  Account stored(std::uint32_t id) { return storage::get_account(*store_, id).value(); }

  std::vector<std::string> audit_actions() {
    std::vector<std::string> actions;
    for (const auto& entry : storage::read_audit(*store_, 1, 1000).value()) {
      actions.push_back(entry.record.action);
    }
    return actions;
  }

  storage::testing::TempDirectory directory_;
  std::unique_ptr<storage::Store> store_;
  std::uint32_t unit_id_ = 0, other_unit_id_ = 0;
  std::optional<routing::Tree> tree_;
  std::unique_ptr<Registry> registry_;
  std::unique_ptr<storage::GroupCommitWriter> writer_;
  asio::thread_pool pool_{1};
  AccountSessions sessions_{AuthSettings{}};
  LoginChallenges challenges_;
  storage::ClaimSet claims_;
  AuthClock::time_point now_{std::chrono::hours(500000)};
  AuthContext context_;
};

TEST_F(LoginTest, TheRightPassphraseOpensASessionAndIsAudited) {
  const Member alice = add_member("alice", "correct horse");
  auto logged_in = try_login("alice", alice.keys.auth);
  ASSERT_TRUE(logged_in.has_value()) << logged_in.error().message;
  EXPECT_EQ(logged_in->account.id, alice.id);
  auto actor = authenticate(context_, logged_in->session.token);
  ASSERT_TRUE(actor.has_value());
  EXPECT_EQ(actor->unit_id, unit_id_);
  EXPECT_EQ(stored(alice.id).last_login_at, logged_in->account.last_login_at);
  EXPECT_EQ(audit_actions().back(), "auth.login");

  logout(context_, logged_in->session.token);
  auto after = authenticate(context_, logged_in->session.token);
  ASSERT_FALSE(after.has_value());
  EXPECT_EQ(after.error().code, errc::unauthenticated);
}

TEST_F(LoginTest, UnknownNamesAreAnsweredLikeKnownOnes) {
  const Member alice = add_member("alice", "correct horse");
  auto known = run(issue_login_challenge(context_, "alice")).value();
  auto unknown = run(issue_login_challenge(context_, "mallory")).value();
  auto again = run(issue_login_challenge(context_, "mallory")).value();
  EXPECT_EQ(unknown.salt, again.salt);  // stable, like a stored salt
  EXPECT_NE(unknown.salt, known.salt);
  const crypto::KdfParams defaults;
  EXPECT_EQ(unknown.kdf_opslimit, defaults.opslimit);
  EXPECT_EQ(unknown.kdf_memlimit, defaults.memlimit);
  EXPECT_EQ(run(issue_login_challenge(context_, "Not A Name")).error().code,
            errc::invalid_argument);

  const auto unknown_failure = try_login("mallory", alice.keys.auth);
  const auto known_failure = try_login("alice", crypto::generate_signing_key_pair());
  ASSERT_FALSE(unknown_failure.has_value());
  ASSERT_FALSE(known_failure.has_value());
  EXPECT_EQ(unknown_failure.error().code, known_failure.error().code);
  EXPECT_EQ(unknown_failure.error().message, known_failure.error().message);
}

TEST_F(LoginTest, ReplayedOrForeignChallengesFail) {
  const Member alice = add_member("alice", "correct horse");
  add_member("bob", "battery staple");
  auto challenge = run(issue_login_challenge(context_, "alice")).value();
  const crypto::Bytes proof = crypto::sign_login_challenge(challenge.challenge, alice.keys.auth);
  const LoginAttempt attempt{.login_name = "alice",
                             .challenge = challenge.challenge,
                             .proof = {proof.begin(), proof.end()}};
  ASSERT_TRUE(run(login(context_, attempt)).has_value());
  EXPECT_EQ(run(login(context_, attempt)).error().code, errc::authentication_failed);
  LoginAttempt as_bob = attempt;
  as_bob.login_name = "bob";
  EXPECT_EQ(run(login(context_, as_bob)).error().code, errc::authentication_failed);
}

TEST_F(LoginTest, RepeatedFailuresDelayThenLockOnlyThatAccountUntilUnlocked) {
  const Member alice = add_member("alice", "correct horse");
  const Member bob = add_member("bob", "battery staple");
  const crypto::SigningKeyPair wrong = crypto::generate_signing_key_pair();
  for (std::uint32_t failure = 1; failure <= 5; ++failure) {
    // Wait out the delay so that each attempt counts.
    now_ += login_delay(failure - 1) + std::chrono::seconds(1);
    ASSERT_FALSE(try_login("alice", wrong).has_value());
    EXPECT_EQ(stored(alice.id).failed_logins, failure);
  }
  EXPECT_EQ(stored(alice.id).state, AccountState::kLocked);
  const auto actions = audit_actions();
  EXPECT_EQ(std::count(actions.begin(), actions.end(), "auth.login_failed"), 5);
  EXPECT_EQ(actions.back(), "account.lock");

  // Locked: even the right passphrase fails, and nothing more is counted.
  now_ += std::chrono::hours(1);
  EXPECT_FALSE(try_login("alice", alice.keys.auth).has_value());
  EXPECT_EQ(stored(alice.id).failed_logins, 5u);
  // Bob is not affected.
  EXPECT_TRUE(try_login("bob", bob.keys.auth).has_value());

  Account unlocked = stored(alice.id);
  unlocked.state = AccountState::kActive;
  unlocked.failed_logins = 0;
  writer_.reset();  // the offline registry writes the audit chain itself
  ASSERT_TRUE(storage::put_account(*store_, unlocked, "account.unlock").has_value());
  writer_ = std::make_unique<storage::GroupCommitWriter>(*store_);
  context_.writer = writer_.get();
  EXPECT_TRUE(try_login("alice", alice.keys.auth).has_value());
}

TEST_F(LoginTest, InsideTheDelayEvenTheRightProofFailsAndIsNotCounted) {
  const Member alice = add_member("alice", "correct horse");
  const crypto::SigningKeyPair wrong = crypto::generate_signing_key_pair();
  for (int i = 0; i < 3; ++i) ASSERT_FALSE(try_login("alice", wrong).has_value());
  EXPECT_EQ(stored(alice.id).failed_logins, 3u);  // the third one sets a 1 s delay
  EXPECT_FALSE(try_login("alice", alice.keys.auth).has_value());
  EXPECT_EQ(stored(alice.id).failed_logins, 3u);
  now_ += std::chrono::seconds(1);
  EXPECT_TRUE(try_login("alice", alice.keys.auth).has_value());
  EXPECT_EQ(stored(alice.id).failed_logins, 0u);
}

TEST_F(LoginTest, AnAccountWithASecondFactorNeedsTheCurrentCode) {
  const std::string secret = "12345678901234567890";
  const Member carol = add_member("carol", "pass phrase", secret);
  EXPECT_FALSE(try_login("carol", carol.keys.auth).has_value());
  now_ += std::chrono::seconds(1);
  const std::string wrong_code = totp_code(secret, now_) == "000000" ? "111111" : "000000";
  EXPECT_FALSE(try_login("carol", carol.keys.auth, wrong_code).has_value());
  now_ += std::chrono::seconds(1);
  auto logged_in = try_login("carol", carol.keys.auth, totp_code(secret, now_));
  ASSERT_TRUE(logged_in.has_value()) << logged_in.error().message;
}

TEST(Totp, MatchesTheRfc6238ExampleAtTheSha1Vector) {
  // RFC 6238 appendix B, SHA-1, T = 59 s: 94287082 (8 digits); 6 digits: 287082.
  const std::string secret = "12345678901234567890";
  const AuthClock::time_point at{std::chrono::seconds(59)};
  EXPECT_EQ(totp_code(secret, at), "287082");
  EXPECT_TRUE(totp_matches(secret, "287082", at));
  EXPECT_TRUE(totp_matches(secret, "287082", at + std::chrono::seconds(30)));  // one step late
  EXPECT_FALSE(totp_matches(secret, "287082", at + std::chrono::seconds(90)));
  EXPECT_FALSE(totp_matches(secret, "28708", at));
  EXPECT_FALSE(totp_matches("", "287082", at));
}

}  // namespace
}  // namespace clueline::services
