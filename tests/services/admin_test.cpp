// Administration and onboarding use cases over a real RocksDB store and
// group-commit writer, without sockets: each change is stored with its
// audit entry and installs a new registry snapshot; each refusal says why
// and changes nothing.
#include "clueline/services/admin.hpp"

#include <gtest/gtest.h>

#include <boost/asio/thread_pool.hpp>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "../integration/deployment_fixture.hpp"
#include "../storage/temp_directory.hpp"
#include "clueline/crypto/crypto.hpp"
#include "clueline/services/audit_log.hpp"
#include "clueline/services/config.hpp"
#include "clueline/services/totp.hpp"
#include "clueline/storage/audit.hpp"
#include "run_use_case.hpp"

namespace clueline::services {
namespace {

using storage::Account;
using storage::AccountState;
using storage::Role;
using testing::run_use_case;

const crypto::KdfParams kFastKdf{.opslimit = 1, .memlimit = 65536};

class AdminTest : public ::testing::Test {
 protected:
  AdminTest() {
    deployment_ = testing::write_test_deployment(directory_.path());
    store_ = storage::Store::open({.directory = directory_.path() / "rocksdb"}).value();
    township_ = deployment_.unit_ids.at("township");
    county_ = deployment_.unit_ids.at("county");
    admin_ = {.account_id = add_account("root", township_, Role::kAdmin),
              .unit_id = township_,
              .role = Role::kAdmin};
    unit_admin_ = {.account_id = add_account("chief", township_, Role::kUnitAdmin),
                   .unit_id = township_,
                   .role = Role::kUnitAdmin};
    handler_ = {.account_id = add_account("wang", township_, Role::kHandler),
                .unit_id = township_,
                .role = Role::kHandler};
    registry_ = std::make_unique<Registry>(read_registry(*store_, policy_, "(built-in)").value());
    writer_ = std::make_unique<storage::GroupCommitWriter>(*store_);
    auth_.store = store_.get();
    auth_.writer = writer_.get();
    auth_.blocking_pool = &pool_;
    auth_.sessions = &sessions_;
    auth_.challenges = &challenges_;
    auth_.claims = &claims_;
    auth_.registry = registry_.get();
    auth_.clock = [this] { return now_; };
    context_ = {.auth = &auth_, .registry = registry_.get(), .policy = &policy_};
  }
  ~AdminTest() override { writer_.reset(); }

  std::uint32_t add_account(const std::string& name, std::uint32_t unit, Role role) {
    Account account{.login_name = name, .unit_id = unit, .role = role};
    crypto::random_bytes(account.salt);
    account.kdf_opslimit = kFastKdf.opslimit;
    account.kdf_memlimit = kFastKdf.memlimit;
    account.auth_public_key = crypto::generate_signing_key_pair().public_key.bytes;
    return storage::add_account(*store_, account).value();
  }

  std::vector<storage::AuditRecord> audit() {
    std::vector<storage::AuditRecord> records;
    for (auto& entry : storage::read_audit(*store_, 1, 10000).value()) {
      records.push_back(std::move(entry.record));
    }
    return records;
  }

  testing::Snapshot database() {
    // The store stays open here; the snapshot reads every family through it.
    testing::Snapshot all;
    for (int family = 0; family <= static_cast<int>(storage::Family::kDeadlines); ++family) {
      for (auto& [key, value] :
           store_->scan(static_cast<storage::Family>(family), "", 1000000).value()) {
        if (family == static_cast<int>(storage::Family::kMeta) && key.starts_with("storage.")) {
          continue;
        }
        all.emplace(std::make_pair(family, key), value);
      }
    }
    return all;
  }

  // A certificate for `key` as the unit `unit_id` stands in the registry,
  // valid around the test clock unless told otherwise.
  std::string certificate_for(std::uint32_t unit_id, const crypto::BoxPublicKey& key,
                              const crypto::SigningKeyPair& signing, std::int64_t from_hours = -1,
                              std::int64_t to_hours = 24 * 365) {
    const storage::Unit& unit = *registry_->current()->unit(unit_id);
    const auto now = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(now_.time_since_epoch()).count());
    crypto::UnitKeyCertificate fields;
    fields.unit_id = unit.id;
    fields.parent_id = unit.parent_id;
    fields.level = unit.level;
    fields.public_key = key;
    fields.not_before = now + static_cast<std::uint64_t>(from_hours * 3600);
    fields.not_after = now + static_cast<std::uint64_t>(to_hours * 3600);
    const crypto::Bytes certificate = crypto::sign_unit_key_certificate(fields, signing);
    return {reinterpret_cast<const char*>(certificate.data()), certificate.size()};
  }
  NewUnitKey certified(std::uint32_t unit_id, const crypto::BoxPublicKey& key) {
    return {.unit_id = unit_id,
            .certificate = certificate_for(unit_id, key, deployment_.site_signing),
            .deployment_key = deployment_.site_signing.public_key};
  }

  struct Invited {
    std::array<std::byte, crypto::kInvitationCodeBytes> code;
    crypto::AccountKeys keys;
    storage::Bytes16 salt;
  };
  Invited invite(const std::string& name, Role role = Role::kHandler) {
    auto issued = run_use_case(invite_account(context_, admin_, name, township_, role));
    EXPECT_TRUE(issued) << (issued ? "" : issued.error().message);
    Invited invited{issued->code, {}, {}};
    crypto::random_bytes(invited.salt);
    invited.keys =
        crypto::derive_account_keys("a newcomer's passphrase", invited.salt, kFastKdf).value();
    return invited;
  }
  Activation activation_of(const Invited& invited, bool second_factor = false) {
    const crypto::Bytes proof =
        crypto::sign_activation(invited.code, invited.keys.box.public_key, invited.keys.auth);
    return {.code = invited.code,
            .salt = invited.salt,
            .kdf = kFastKdf,
            .auth_public_key = invited.keys.auth.public_key,
            .box_public_key = invited.keys.box.public_key,
            .proof = {proof.begin(), proof.end()},
            .second_factor = second_factor};
  }

  storage::testing::TempDirectory directory_;
  testing::TestDeployment deployment_;
  std::unique_ptr<storage::Store> store_;
  routing::Policy policy_ = load_routing_policy({});
  std::unique_ptr<Registry> registry_;
  std::unique_ptr<storage::GroupCommitWriter> writer_;
  boost::asio::thread_pool pool_{1};
  AccountSessions sessions_{AuthSettings{}};
  LoginChallenges challenges_;
  storage::ClaimSet claims_;
  AuthContext auth_;
  AdminContext context_;
  AuthClock::time_point now_{std::chrono::hours(500000)};
  std::uint32_t township_ = 0, county_ = 0;
  Actor admin_, unit_admin_, handler_;
};

TEST_F(AdminTest, AnAddedUnitIsStoredAuditedAndInTheNextRegistrySnapshot) {
  const auto before = registry_->current();
  auto unit = run_use_case(add_unit(
      context_, admin_, {.name = "New village", .level = "village", .parent_id = township_}));
  ASSERT_TRUE(unit) << unit.error().message;
  EXPECT_TRUE(unit->keys.empty()) << "keys come with certificates naming the new id";
  EXPECT_EQ(storage::get_unit(*store_, unit->id).value(), *unit);
  EXPECT_EQ(before->unit(unit->id), nullptr) << "an old snapshot must not change";
  ASSERT_NE(registry_->current()->unit(unit->id), nullptr);
  EXPECT_NE(registry_->current()->tree.find(unit->id), nullptr);
  const auto records = audit();
  ASSERT_FALSE(records.empty());
  EXPECT_EQ(records.back().action, "unit.add");
  EXPECT_EQ(records.back().actor, "account:" + std::to_string(admin_.account_id));
  EXPECT_EQ(records.back().object, "unit:" + std::to_string(unit->id));

  const auto key = crypto::generate_box_key_pair();
  auto keyed = run_use_case(add_unit_key(context_, admin_, certified(unit->id, key.public_key)));
  ASSERT_TRUE(keyed) << keyed.error().message;
  ASSERT_EQ(keyed->keys.size(), 1u);
  EXPECT_TRUE(keyed->receiving());
  EXPECT_FALSE(keyed->keys[0].certificate.empty());
  EXPECT_EQ(storage::get_unit(*store_, unit->id).value(), *keyed);
  // The same key cannot be registered to a second unit.
  auto copy = run_use_case(
      add_unit(context_, admin_, {.name = "Copy", .level = "village", .parent_id = township_}));
  ASSERT_TRUE(copy);
  auto again = run_use_case(add_unit_key(context_, admin_, certified(copy->id, key.public_key)));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, errc::invalid_argument);
  EXPECT_NE(again.error().message.find("already registered to unit"), std::string::npos);
}

TEST_F(AdminTest, AKeyIsAddedOnlyWithACertificateForThatUnitFromTheDeploymentKey) {
  const auto key = crypto::generate_box_key_pair();
  const auto stranger = crypto::generate_signing_key_pair();
  const auto before = database();
  struct Bad {
    NewUnitKey request;
    errc code;
    std::string says;
  };
  NewUnitKey foreign = certified(township_, key.public_key);
  foreign.certificate = certificate_for(township_, key.public_key, stranger);
  NewUnitKey other_unit = certified(township_, key.public_key);
  other_unit.certificate = certificate_for(county_, key.public_key, deployment_.site_signing);
  NewUnitKey expired = certified(township_, key.public_key);
  expired.certificate =
      certificate_for(township_, key.public_key, deployment_.site_signing, -48, -1);
  NewUnitKey early = certified(township_, key.public_key);
  early.certificate = certificate_for(township_, key.public_key, deployment_.site_signing, 2, 48);
  NewUnitKey malformed = certified(township_, key.public_key);
  malformed.certificate.pop_back();
  // The township's own id with another level or parent.
  const auto certificate_with = [&](std::string level, std::uint32_t parent) {
    const storage::Unit& township = *registry_->current()->unit(township_);
    crypto::UnitKeyCertificate fields;
    fields.unit_id = township.id;
    fields.parent_id = parent;
    fields.level = std::move(level);
    fields.public_key = key.public_key;
    fields.not_before = 1'799'000'000;
    fields.not_after = 1'801'000'000;
    const crypto::Bytes bytes = crypto::sign_unit_key_certificate(fields, deployment_.site_signing);
    return std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  };
  NewUnitKey other_level = certified(township_, key.public_key);
  other_level.certificate =
      certificate_with("county", registry_->current()->unit(township_)->parent_id);
  NewUnitKey other_parent = certified(township_, key.public_key);
  other_parent.certificate = certificate_with("township", township_ + 100);
  NewUnitKey other_deployment = certified(township_, key.public_key);
  other_deployment.certificate = certificate_for(township_, key.public_key, stranger);
  other_deployment.deployment_key = stranger.public_key;
  const std::vector<Bad> cases = {
      {foreign, errc::invalid_argument, "does not verify under the deployment's signing key"},
      {other_unit, errc::invalid_argument, "the certificate is for unit"},
      {other_level, errc::invalid_argument, "the certificate is for a county unit"},
      {other_parent, errc::invalid_argument, "the certificate places the unit under unit"},
      {expired, errc::invalid_argument, "the certificate has expired"},
      {early, errc::invalid_argument, "the certificate is not valid yet"},
      {malformed, errc::invalid_argument, "malformed"},
      {other_deployment, errc::conflict, "site-signing public key is"},
  };
  for (const Bad& bad : cases) {
    auto refused = run_use_case(add_unit_key(context_, admin_, bad.request));
    ASSERT_FALSE(refused) << bad.says;
    EXPECT_EQ(refused.error().code, bad.code) << bad.says;
    EXPECT_NE(refused.error().message.find(bad.says), std::string::npos) << refused.error().message;
  }
  auto forbidden =
      run_use_case(add_unit_key(context_, handler_, certified(township_, key.public_key)));
  ASSERT_FALSE(forbidden);
  EXPECT_EQ(forbidden.error().code, errc::forbidden);
  EXPECT_EQ(database(), before);
}

TEST_F(AdminTest, BadUnitsAreRefusedWithTheReasonAndChangeNothing) {
  const auto before = database();
  struct Bad {
    NewUnit unit;
    std::string says;
  };
  const std::vector<Bad> cases = {
      {{.name = "", .level = "village", .parent_id = township_}, "name must be"},
      {{.name = "X", .level = "hamlet", .parent_id = township_}, "level must be one of"},
      {{.name = "X", .level = "village", .parent_id = 999}, "no such unit"},
      {{.name = "X", .level = "county", .parent_id = township_}, "higher level"},
  };
  for (const Bad& bad : cases) {
    auto refused = run_use_case(add_unit(context_, admin_, bad.unit));
    ASSERT_FALSE(refused) << bad.says;
    EXPECT_EQ(refused.error().code, errc::invalid_argument);
    EXPECT_NE(refused.error().message.find(bad.says), std::string::npos) << refused.error().message;
  }
  auto forbidden = run_use_case(
      add_unit(context_, unit_admin_, {.name = "X", .level = "village", .parent_id = township_}));
  ASSERT_FALSE(forbidden);
  EXPECT_EQ(forbidden.error().code, errc::forbidden);
  EXPECT_EQ(database(), before);
}

TEST_F(AdminTest, KeyRotationAndDeactivationUpdateTheUnit) {
  const auto key = crypto::generate_box_key_pair();
  auto rotated = run_use_case(add_unit_key(context_, admin_, certified(township_, key.public_key)));
  ASSERT_TRUE(rotated) << rotated.error().message;
  ASSERT_EQ(rotated->keys.size(), 2u);
  EXPECT_FALSE(rotated->keys[0].current);
  EXPECT_TRUE(rotated->keys[1].current);
  EXPECT_EQ(registry_->current()->unit(township_)->keys, rotated->keys);
  EXPECT_EQ(audit().back().action, "unit.add_key");
  // Renewal: the same key with a new certificate stays one key.
  NewUnitKey renewal = certified(township_, key.public_key);
  renewal.certificate =
      certificate_for(township_, key.public_key, deployment_.site_signing, -1, 24 * 700);
  auto renewed = run_use_case(add_unit_key(context_, admin_, renewal));
  ASSERT_TRUE(renewed) << renewed.error().message;
  ASSERT_EQ(renewed->keys.size(), 2u);
  EXPECT_TRUE(renewed->keys[1].current);
  EXPECT_EQ(renewed->keys[1].certificate, renewal.certificate);
  auto deactivated = run_use_case(deactivate_unit(context_, admin_, township_));
  ASSERT_TRUE(deactivated) << deactivated.error().message;
  EXPECT_FALSE(registry_->current()->unit(township_)->receiving());
  auto twice = run_use_case(deactivate_unit(context_, admin_, township_));
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, errc::conflict);
  EXPECT_EQ(audit().back().action, "unit.deactivate");
}

TEST_F(AdminTest, SitesMustBeSignedWithTheDeploymentKeyAndRevokingBumpsTheVersion) {
  auto site =
      run_use_case(add_site(context_, admin_,
                            {.name = "Clinic",
                             .unit_id = township_,
                             .kind = "clinic",
                             .site_signing_public_key = deployment_.site_signing.public_key}));
  ASSERT_TRUE(site) << site.error().message;
  EXPECT_EQ(site->token_version, 1);
  EXPECT_NE(registry_->current()->site(site->id), nullptr);
  const auto before = database();
  auto forged = run_use_case(
      add_site(context_, admin_,
               {.name = "Forged",
                .unit_id = township_,
                .kind = "clinic",
                .site_signing_public_key = crypto::generate_signing_key_pair().public_key}));
  ASSERT_FALSE(forged);
  EXPECT_EQ(forged.error().code, errc::conflict);
  auto bad_kind =
      run_use_case(add_site(context_, admin_,
                            {.name = "X",
                             .unit_id = township_,
                             .kind = "Village Board",
                             .site_signing_public_key = deployment_.site_signing.public_key}));
  ASSERT_FALSE(bad_kind);
  EXPECT_EQ(bad_kind.error().code, errc::invalid_argument);
  EXPECT_EQ(database(), before);
  auto revoked = run_use_case(revoke_site(context_, admin_, site->id));
  ASSERT_TRUE(revoked) << revoked.error().message;
  EXPECT_EQ(revoked->token_version, 2);
  EXPECT_EQ(registry_->current()->site(site->id)->token_version, 2);
  auto unknown = run_use_case(revoke_site(context_, admin_, 999));
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, errc::not_found);
  auto by_handler = run_use_case(revoke_site(context_, handler_, site->id));
  ASSERT_FALSE(by_handler);
  EXPECT_EQ(by_handler.error().code, errc::forbidden);
}

TEST_F(AdminTest, AnInvitationActivatesOnceIntoAnAccountWithItsKeys) {
  const Invited invited = invite("li.new");
  // The server keeps only the code's hash.
  const auto stored = storage::list_invitations(*store_).value();
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].code_hash, crypto::blake2b<32>({invited.code}));
  // The name is reserved while the invitation is open.
  auto twice = run_use_case(invite_account(context_, admin_, "li.new", township_, Role::kHandler));
  ASSERT_FALSE(twice);
  EXPECT_EQ(twice.error().code, errc::conflict);

  auto activated = run_use_case(activate_account(context_, activation_of(invited, true)));
  ASSERT_TRUE(activated) << activated.error().message;
  const Account& account = activated->account;
  EXPECT_EQ(account.login_name, "li.new");
  EXPECT_EQ(account.unit_id, township_);
  EXPECT_EQ(account.role, Role::kHandler);
  EXPECT_EQ(account.box_public_key, invited.keys.box.public_key.bytes);
  EXPECT_EQ(activated->totp_secret.size(), 20u);
  EXPECT_EQ(storage::find_account(*store_, "li.new").value(), account);
  EXPECT_TRUE(storage::list_invitations(*store_).value().empty()) << "the code was not spent";
  EXPECT_EQ(audit().back().action, "account.activate");
  EXPECT_EQ(audit().back().actor, "account:" + std::to_string(account.id));

  auto again = run_use_case(activate_account(context_, activation_of(invited)));
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, errc::not_found);
}

TEST_F(AdminTest, ActivationRefusesAWrongProofAnExpiredCodeAndBadParameters) {
  const Invited invited = invite("zhao.new");
  const auto before = database();
  Activation wrong = activation_of(invited);
  wrong.box_public_key = crypto::generate_box_key_pair().public_key;  // swapped by someone
  auto refused = run_use_case(activate_account(context_, wrong));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, errc::authentication_failed);
  Activation weak = activation_of(invited);
  weak.kdf.memlimit = 1000;
  auto bad_kdf = run_use_case(activate_account(context_, weak));
  ASSERT_FALSE(bad_kdf);
  EXPECT_EQ(bad_kdf.error().code, errc::invalid_argument);
  now_ += context_.invitation_lifetime + std::chrono::seconds(1);
  auto expired = run_use_case(activate_account(context_, activation_of(invited)));
  ASSERT_FALSE(expired);
  EXPECT_EQ(expired.error().code, errc::not_found);
  EXPECT_EQ(database(), before);
}

TEST_F(AdminTest, AUnitAdminInvitesOnlyHandlersAndUnitAdminsOfItsOwnUnit) {
  EXPECT_TRUE(
      run_use_case(invite_account(context_, unit_admin_, "ok.handler", township_, Role::kHandler)));
  for (const auto& [unit, role] : std::vector<std::pair<std::uint32_t, Role>>{
           {township_, Role::kAuditor}, {township_, Role::kAdmin}, {county_, Role::kHandler}}) {
    auto refused = run_use_case(invite_account(context_, unit_admin_, "no.way", unit, role));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error().code, errc::forbidden);
  }
  auto unknown_unit =
      run_use_case(invite_account(context_, admin_, "nowhere", 999, Role::kHandler));
  ASSERT_FALSE(unknown_unit);
  EXPECT_EQ(unknown_unit.error().code, errc::invalid_argument);
  EXPECT_NE(unknown_unit.error().message.find("no such unit"), std::string::npos);
}

TEST_F(AdminTest, DisablingEndsSessionsAndUnlockNeedsALockedAccount) {
  const auto session = sessions_.open(handler_, now_).value();
  auto disabled =
      run_use_case(change_account(context_, admin_, handler_.account_id, AccountChange::kDisable));
  ASSERT_TRUE(disabled) << disabled.error().message;
  EXPECT_EQ(disabled->state, AccountState::kDisabled);
  EXPECT_FALSE(sessions_.find(session.token, now_)) << "the session outlived the account";
  auto unlock =
      run_use_case(change_account(context_, admin_, handler_.account_id, AccountChange::kUnlock));
  ASSERT_FALSE(unlock);
  EXPECT_EQ(unlock.error().code, errc::conflict);
  auto enabled = run_use_case(
      change_account(context_, unit_admin_, handler_.account_id, AccountChange::kEnable));
  ASSERT_TRUE(enabled) << enabled.error().message;
  EXPECT_EQ(enabled->state, AccountState::kActive);
  auto self =
      run_use_case(change_account(context_, admin_, admin_.account_id, AccountChange::kDisable));
  ASSERT_FALSE(self);
  EXPECT_EQ(self.error().code, errc::invalid_argument);
  auto by_handler = run_use_case(
      change_account(context_, handler_, unit_admin_.account_id, AccountChange::kDisable));
  ASSERT_FALSE(by_handler);
  EXPECT_EQ(by_handler.error().code, errc::forbidden);
  const auto records = audit();
  EXPECT_EQ(records[records.size() - 2].action, "account.disable");
  EXPECT_EQ(records.back().action, "account.enable");
  EXPECT_EQ(parse_account_change("reset_second_factor"), AccountChange::kResetSecondFactor);
  EXPECT_FALSE(parse_account_change("delete"));
}

TEST_F(AdminTest, AGrantedUnitKeyOpensOnTheNewcomersSideAndBecomesItsWrappedKey) {
  const Invited invited = invite("li.grant");
  const Account newcomer =
      run_use_case(activate_account(context_, activation_of(invited))).value().account;
  const auto& unit_key = deployment_.unit_keys.at("township");
  const crypto::KeyId key_id = crypto::key_id(unit_key.public_key);

  auto awaiting = run_use_case(accounts_awaiting_key(context_, handler_));
  ASSERT_TRUE(awaiting) << awaiting.error().message;
  ASSERT_EQ(awaiting->size(), 1u);
  EXPECT_EQ((*awaiting)[0].account.id, newcomer.id);
  ASSERT_EQ((*awaiting)[0].missing_key_ids.size(), 1u);
  EXPECT_EQ((*awaiting)[0].missing_key_ids[0], key_id);

  const crypto::Bytes grant =
      crypto::seal_unit_key_grant(unit_key, invited.keys.box.public_key).value();
  const std::string grant_text(reinterpret_cast<const char*>(grant.data()), grant.size());
  auto stored = run_use_case(grant_unit_key(context_, handler_, newcomer.id, key_id, grant_text));
  ASSERT_TRUE(stored) << stored.error().message;
  ASSERT_EQ(stored->pending_grants.size(), 1u);
  EXPECT_TRUE(run_use_case(accounts_awaiting_key(context_, handler_))->empty());
  // Only a member of the same unit who works its clues may grant.
  auto by_admin = run_use_case(grant_unit_key(context_, admin_, newcomer.id, key_id, grant_text));
  ASSERT_FALSE(by_admin);
  EXPECT_EQ(by_admin.error().code, errc::forbidden);

  // The newcomer's device opens the grant and stores it wrapped.
  const auto opened = crypto::open_unit_key_grant(crypto::as_bytes(stored->pending_grants[0].grant),
                                                  invited.keys.box, key_id);
  ASSERT_TRUE(opened);
  const crypto::Bytes blob =
      crypto::wrap_unit_secret_key(*opened, invited.keys, invited.salt, kFastKdf).value();
  const Actor me{.account_id = newcomer.id, .unit_id = township_, .role = Role::kHandler};
  const std::string blob_text(reinterpret_cast<const char*>(blob.data()), blob.size());
  // A blob under other parameters would not open with the account's own.
  const crypto::Bytes other_params =
      crypto::wrap_unit_secret_key(*opened, invited.keys, invited.salt,
                                   {.opslimit = 2, .memlimit = 65536})
          .value();
  auto refused = run_use_case(store_own_wrapped_key(
      context_, me, key_id,
      std::string(reinterpret_cast<const char*>(other_params.data()), other_params.size())));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, errc::invalid_argument);
  auto kept = run_use_case(store_own_wrapped_key(context_, me, key_id, blob_text));
  ASSERT_TRUE(kept) << kept.error().message;
  EXPECT_TRUE(kept->pending_grants.empty());
  ASSERT_EQ(kept->wrapped_keys.size(), 1u);
  EXPECT_TRUE(crypto::unwrap_unit_secret_key(crypto::as_bytes(kept->wrapped_keys[0].blob),
                                             "a newcomer's passphrase"));
}

TEST_F(AdminTest, DeploymentInfoIsForAdminsOnly) {
  auto info = run_use_case(deployment_info(context_, admin_));
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->registry->units.size(), deployment_.unit_ids.size());
  EXPECT_EQ(info->accounts, 3u);
  EXPECT_FALSE(info->levels.empty());
  auto refused = run_use_case(deployment_info(context_, unit_admin_));
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, errc::forbidden);
  auto listed = run_use_case(unit_accounts(context_, unit_admin_, township_));
  ASSERT_TRUE(listed) << listed.error().message;
  EXPECT_EQ(listed->size(), 3u);
}

// ---- the audit log for auditors (audit_log.hpp) ---------------------------------

TEST(AuditScope, AnEntryConcernsTheUnitsItsActorObjectAndDetailName) {
  RegistrySnapshot registry{.tree =
                                routing::Tree::make({}, load_routing_policy({}).levels()).value()};
  registry.sites[7] = storage::Site{.id = 7, .name = "Board", .unit_id = 40, .kind = "clinic"};
  const std::unordered_map<std::uint32_t, std::uint32_t> account_units{{3, 30}, {5, 50}};
  const auto concerned = [&](std::string actor, std::string object, std::string detail) {
    return units_concerned({.at = 1,
                            .actor = std::move(actor),
                            .action = "x.y",
                            .object = std::move(object),
                            .detail = std::move(detail)},
                           registry, account_units);
  };
  using Units = std::vector<std::uint32_t>;
  EXPECT_EQ(concerned("account:3", "unit:9", "{}"), (Units{9, 30}));
  EXPECT_EQ(concerned("operator:cli", "site:7", "{\"unit_id\":40}"), (Units{40}));
  EXPECT_EQ(concerned("account:5", "account:3", "{}"), (Units{30, 50}));
  EXPECT_EQ(concerned("system:escalation", "clue:AAAA", "{\"unit_id\":2,\"handling_unit_id\":4}"),
            (Units{2, 4}));
  EXPECT_EQ(concerned("account:3", "invitation:00ff", "{\"unit_id\":8}"), (Units{8, 30}));
  // Nothing that cannot be told: the deployment itself, unknown ids,
  // malformed or foreign details, names that only look like ids.
  EXPECT_EQ(concerned("operator:cli", "deployment", "{\"site_signing_public_key\":\"x\"}"),
            Units{});
  EXPECT_EQ(concerned("account:99", "site:99", "not json"), Units{});
  EXPECT_EQ(concerned("account:3x", "unit:-1", "{\"unit_id\":-4,\"handling_unit_id\":\"4\"}"),
            Units{});
}

TEST_F(AdminTest, AnAuditorReadsItsSubtreeAndOnlyTheHashesOfTheRest) {
  const std::uint32_t village = deployment_.unit_ids.at("village");
  const std::uint32_t top = deployment_.unit_ids.at("province");
  const Actor township_auditor{.account_id = add_account("aud-t", township_, Role::kAuditor),
                               .unit_id = township_,
                               .role = Role::kAuditor};
  const Actor top_auditor{.account_id = add_account("aud-p", top, Role::kAuditor),
                          .unit_id = top,
                          .role = Role::kAuditor};
  const auto stored = storage::read_audit(*store_, 1, 10000).value();
  ASSERT_GT(stored.size(), 8u);

  auto whole = run_use_case(read_audit_log(auth_, top_auditor, 0, 1, 1000));
  ASSERT_TRUE(whole) << whole.error().message;
  EXPECT_TRUE(whole->whole_log);
  ASSERT_EQ(whole->entries.size(), stored.size());
  for (std::size_t i = 0; i < stored.size(); ++i) {
    EXPECT_FALSE(whole->entries[i].withheld);
    EXPECT_EQ(whole->entries[i].entry, stored[i]);
  }

  auto scoped = run_use_case(read_audit_log(auth_, township_auditor, 0, 1, 1000));
  ASSERT_TRUE(scoped) << scoped.error().message;
  EXPECT_FALSE(scoped->whole_log);
  EXPECT_EQ(scoped->unit_id, township_);
  ASSERT_EQ(scoped->entries.size(), stored.size()) << "every link of the chain is there";
  std::set<std::string> shown_objects;
  std::size_t withheld = 0;
  for (std::size_t i = 0; i < stored.size(); ++i) {
    const AuditPageEntry& got = scoped->entries[i];
    EXPECT_EQ(got.entry.seq, stored[i].seq);
    EXPECT_EQ(got.entry.prev_hash, stored[i].prev_hash);
    EXPECT_EQ(got.entry.hash, stored[i].hash);
    if (got.withheld) {
      ++withheld;
      EXPECT_EQ(got.entry.record, storage::AuditRecord{}) << "seq " << got.entry.seq;
    } else {
      EXPECT_EQ(got.entry.record, stored[i].record);
      shown_objects.insert(got.entry.record.object);
    }
  }
  EXPECT_GT(withheld, 0u);
  EXPECT_TRUE(shown_objects.contains("unit:" + std::to_string(township_)));
  EXPECT_TRUE(shown_objects.contains("unit:" + std::to_string(village)));
  EXPECT_TRUE(shown_objects.contains("site:" + std::to_string(deployment_.site_id)));
  EXPECT_FALSE(shown_objects.contains("unit:" + std::to_string(county_)));
  EXPECT_FALSE(shown_objects.contains("deployment"));

  // A unit below is a smaller subtree; one above or beside is refused.
  auto below = run_use_case(read_audit_log(auth_, township_auditor, village, 1, 1000));
  ASSERT_TRUE(below) << below.error().message;
  std::size_t shown_below = 0;
  for (const AuditPageEntry& got : below->entries) shown_below += !got.withheld;
  EXPECT_LT(shown_below, stored.size() - withheld) << "the township's own entries are withheld";
  EXPECT_GT(shown_below, 0u);
  auto above = run_use_case(read_audit_log(auth_, township_auditor, county_, 1, 1000));
  ASSERT_FALSE(above);
  EXPECT_EQ(above.error().code, errc::forbidden);
  auto handler = run_use_case(read_audit_log(auth_, handler_, 0, 1, 1000));
  ASSERT_FALSE(handler);
  EXPECT_EQ(handler.error().code, errc::forbidden);
  auto too_many = run_use_case(read_audit_log(auth_, top_auditor, 0, 1, kMaxAuditPage + 1));
  ASSERT_FALSE(too_many);
  EXPECT_EQ(too_many.error().code, errc::invalid_argument);
}

}  // namespace
}  // namespace clueline::services
