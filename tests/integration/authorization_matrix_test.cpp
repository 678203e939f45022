// The authorization matrix over real HTTPS: every supervisor and
// administration endpoint × every role × the unit it is about (the actor's
// own unit, its parent, a child, a sibling, another branch; for a clue, the
// unit handling it), and the same
// endpoints with no session, an expired session and a disabled account.
// The expected answers are written out here, independently of
// services/authorization.cpp; after every refusal the database is read
// (read-only, while the server runs) and must be unchanged.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include "clueline/crypto/crypto.hpp"
#include "clueline/storage/accounts.hpp"
#include "clueline/storage/records.hpp"
#include "clueline/storage/stats.hpp"
#include "deployment_fixture.hpp"
#include "https_client.hpp"
#include "server_process.hpp"

namespace clueline::testing {
namespace {

namespace fs = std::filesystem;
namespace http = boost::beast::http;
namespace json = boost::json;
using storage::Role;

constexpr std::string_view kPassphrase = "matrix passphrase 0123";
const crypto::KdfParams kFastKdf{.opslimit = 1, .memlimit = 65536};

// Where the resource of a request lies, seen from the actor's unit (the
// township "T"): T itself, its county, its village, the other township of
// its county, a township of another county.
enum class Relation { kOwn, kParent, kChild, kSibling, kOtherBranch, kNone };
constexpr Relation kRelations[] = {Relation::kOwn, Relation::kParent, Relation::kChild,
                                   Relation::kSibling, Relation::kOtherBranch};
std::string relation_name(Relation relation) {
  switch (relation) {
    case Relation::kOwn:
      return "own";
    case Relation::kParent:
      return "parent";
    case Relation::kChild:
      return "child";
    case Relation::kSibling:
      return "sibling";
    case Relation::kOtherBranch:
      return "other-branch";
    case Relation::kNone:
      return "-";
  }
  return "?";
}

constexpr Role kRoles[] = {Role::kHandler, Role::kUnitAdmin, Role::kAuditor, Role::kAdmin};

enum class Endpoint {
  kDeployment,
  kDirectory,
  kAddUnit,
  kAddUnitKey,
  kAddSite,
  kRevokeSite,
  kInviteHandler,
  kInviteAuditor,
  kListAccounts,
  kDisableAccount,
  kGrantKey,
  kAwaitingKey,
  kMe,
  kStoreOwnKey,
  kAuditLog,
  kQueue,
  kOpenClue,
  kAcknowledgeClue,
  kTakeOverClue,
  kClueAttachment,
  kReplyClue,
  kTransferClue,
  kRecuseClue,
  kStats,
  kDeactivateUnit,  // last: it changes what the units receive
};
// The moves first: they carry key entries for the units' keys of before
// kAddUnitKey rotates them.
constexpr Endpoint kEndpoints[] = {
    Endpoint::kTransferClue,   Endpoint::kRecuseClue,      Endpoint::kDeployment,
    Endpoint::kDirectory,      Endpoint::kAddUnit,         Endpoint::kAddUnitKey,
    Endpoint::kAddSite,        Endpoint::kRevokeSite,      Endpoint::kInviteHandler,
    Endpoint::kInviteAuditor,  Endpoint::kListAccounts,    Endpoint::kDisableAccount,
    Endpoint::kGrantKey,       Endpoint::kAwaitingKey,     Endpoint::kMe,
    Endpoint::kStoreOwnKey,    Endpoint::kAuditLog,        Endpoint::kQueue,
    Endpoint::kOpenClue,       Endpoint::kAcknowledgeClue, Endpoint::kTakeOverClue,
    Endpoint::kClueAttachment, Endpoint::kReplyClue,       Endpoint::kStats,
    Endpoint::kDeactivateUnit};

// The endpoints that act on one clue each (per role and relation).
constexpr Endpoint kClueEndpoints[] = {Endpoint::kOpenClue,     Endpoint::kAcknowledgeClue,
                                       Endpoint::kTakeOverClue, Endpoint::kClueAttachment,
                                       Endpoint::kReplyClue,    Endpoint::kTransferClue,
                                       Endpoint::kRecuseClue};

bool about_a_unit(Endpoint endpoint) {
  return endpoint != Endpoint::kDeployment && endpoint != Endpoint::kDirectory &&
         endpoint != Endpoint::kAwaitingKey && endpoint != Endpoint::kMe &&
         endpoint != Endpoint::kStoreOwnKey;
}

// The expected status, written out per endpoint (SECURITY.md, "Who can see
// and do what").
unsigned expected_status(Endpoint endpoint, Role role, Relation relation) {
  const bool admin = role == Role::kAdmin;
  const bool unit_admin_here = role == Role::kUnitAdmin && relation == Relation::kOwn;
  const bool worker_any = role == Role::kHandler || role == Role::kUnitAdmin;
  const bool worker_here = worker_any && relation == Relation::kOwn;
  switch (endpoint) {
    case Endpoint::kDeployment:
      return admin ? 200 : 403;
    case Endpoint::kDirectory:
      return 200;
    case Endpoint::kAddUnit:
      // Nothing can be placed under a village: allowed, but invalid.
      if (admin) return relation == Relation::kChild ? 400 : 201;
      return 403;
    case Endpoint::kAddUnitKey:
    case Endpoint::kRevokeSite:
    case Endpoint::kDeactivateUnit:
      return admin ? 200 : 403;
    case Endpoint::kAddSite:
      return admin ? 201 : 403;
    case Endpoint::kInviteHandler:
      return admin || unit_admin_here ? 201 : 403;
    case Endpoint::kInviteAuditor:
      return admin ? 201 : 403;
    case Endpoint::kListAccounts:
    case Endpoint::kDisableAccount:
      return admin || unit_admin_here ? 200 : 403;
    case Endpoint::kGrantKey:
      return worker_here ? 200 : 403;
    case Endpoint::kAwaitingKey:
      return role == Role::kHandler || role == Role::kUnitAdmin ? 200 : 403;
    case Endpoint::kMe:
      return 200;
    case Endpoint::kStoreOwnKey:
      return 400;  // everyone may store their own key; this blob is not one
    case Endpoint::kQueue:
      return worker_here ? 200 : 403;
    // A clue handled by the unit of the relation; the village's were
    // escalated to T. A clue exists only for the unit handling it and the
    // units it escalated to (404 to every other, whatever the role); of
    // those, only the handling unit acts on it, and a unit it escalated to
    // takes it over.
    case Endpoint::kOpenClue:
    case Endpoint::kClueAttachment:
      return worker_any && (relation == Relation::kOwn || relation == Relation::kChild) ? 200 : 404;
    case Endpoint::kAcknowledgeClue:
    case Endpoint::kTransferClue:  // to the sibling township, with its key entry
    case Endpoint::kRecuseClue:    // to the county, with its key entry
      if (worker_any && relation == Relation::kOwn) return 200;
      if (worker_any && relation == Relation::kChild) return 403;
      return 404;
    case Endpoint::kReplyClue:
      if (worker_any && relation == Relation::kOwn) return 201;
      if (worker_any && relation == Relation::kChild) return 403;
      return 404;
    case Endpoint::kStats:
      // Counts of T's subtree, for everyone who works or audits there.
      return !admin && (relation == Relation::kOwn || relation == Relation::kChild) ? 200 : 403;
    case Endpoint::kTakeOverClue:
      if (worker_any && relation == Relation::kChild) return 200;
      if (worker_any && relation == Relation::kOwn) return 403;
      return 404;
    case Endpoint::kAuditLog:
      // An auditor reads the log of its subtree: T's, or its village's.
      return role == Role::kAuditor && (relation == Relation::kOwn || relation == Relation::kChild)
                 ? 200
                 : 403;
  }
  return 0;
}

std::string b64(std::span<const std::byte> bytes) { return crypto::to_base64url(bytes); }

struct Call {
  http::verb method = http::verb::get;
  std::string target;
  std::string body;
  std::string content_type = "application/json";
};

class AuthorizationMatrixTest : public ::testing::Test {
 protected:
  void SetUp() override {
    directory_ = fs::temp_directory_path() /
                 ("clueline-authz-matrix-" + std::to_string(std::random_device{}()));
    fs::create_directories(directory_ / "data");
    fs::permissions(directory_ / "data", fs::perms::owner_all, fs::perm_options::replace);
    deployment_ = write_test_deployment(directory_ / "data");
    auto store = storage::Store::open({.directory = directory_ / "data" / "rocksdb"}).value();
    const auto add_unit = [&](const std::string& name, const std::string& level,
                              std::uint32_t parent) {
      storage::Unit unit{.name = name, .level = level, .parent_id = parent};
      unit.id = storage::add_unit(*store, unit).value();
      const auto pair = crypto::generate_box_key_pair();
      unit.keys.push_back(certified_unit_key(unit, pair.public_key, deployment_.site_signing));
      storage::put_unit(*store, unit, "unit.add_key").value();
      key_id_of_[unit.id] = unit.keys.front().key_id;
      units_[unit.id] = unit;
      return unit.id;
    };
    for (const auto& [level, id] : deployment_.unit_ids) {
      units_[id] = storage::get_unit(*store, id).value();
    }
    key_id_of_[deployment_.unit_ids.at("county")] =
        crypto::key_id(deployment_.unit_keys.at("county").public_key);
    unit_of_[Relation::kOwn] = deployment_.unit_ids.at("township");
    unit_of_[Relation::kParent] = deployment_.unit_ids.at("county");
    unit_of_[Relation::kChild] = deployment_.unit_ids.at("village");
    unit_of_[Relation::kSibling] =
        add_unit("Sibling township", "township", deployment_.unit_ids.at("county"));
    const std::uint32_t other_county =
        add_unit("Other county", "county", deployment_.unit_ids.at("city"));
    unit_of_[Relation::kOtherBranch] = add_unit("Far township", "township", other_county);
    level_below_ = {{Relation::kOwn, "village"},
                    {Relation::kParent, "township"},
                    {Relation::kChild, "village"},
                    {Relation::kSibling, "village"},
                    {Relation::kOtherBranch, "village"}};
    for (const Relation relation : kRelations) {
      site_of_[relation] = storage::add_site(*store, {.name = "Site " + relation_name(relation),
                                                      .unit_id = unit_of_[relation],
                                                      .kind = "clinic",
                                                      .token_version = 1})
                               .value();
      newcomer_of_[relation] = add_account(*store, "newcomer-" + relation_name(relation),
                                           unit_of_[relation], Role::kHandler, /*box_key=*/true);
      for (const Role role : kRoles) {
        victim_of_[{role, relation}] = add_account(
            *store,
            "victim-" + std::string(storage::role_name(role)) + "-" + relation_name(relation),
            unit_of_[relation], Role::kHandler, false);
      }
    }
    const std::uint32_t own = unit_of_[Relation::kOwn];
    for (const Role role : kRoles) {
      add_account(*store, "actor-" + std::string(storage::role_name(role)), own, role, false);
    }
    // One clue per clue endpoint, role and relation, handled by the unit of
    // the relation (each acknowledged or taken over at most once); the
    // village's are escalated to T.
    for (const Endpoint endpoint : kClueEndpoints) {
      for (const Relation relation : kRelations) {
        for (const Role role : kRoles) {
          clue_of_[{endpoint, role, relation}] =
              add_clue(*store, unit_of_[relation], relation == Relation::kChild ? own : 0);
        }
      }
    }
    add_account(*store, "actor-expired", own, Role::kHandler, false);
    add_account(*store, "actor-disabled", own, Role::kHandler, false);
  }
  void TearDown() override { fs::remove_all(directory_); }

  std::uint32_t add_account(storage::Store& store, const std::string& name, std::uint32_t unit,
                            Role role, bool box_key) {
    storage::Account account{.login_name = name, .unit_id = unit, .role = role};
    crypto::random_bytes(account.salt);
    account.kdf_opslimit = kFastKdf.opslimit;
    account.kdf_memlimit = kFastKdf.memlimit;
    const auto keys = crypto::derive_account_keys(kPassphrase, account.salt, kFastKdf).value();
    account.auth_public_key = keys.auth.public_key.bytes;
    if (box_key) account.box_public_key = keys.box.public_key.bytes;
    return storage::add_account(store, account).value();
  }

  // A clue about a village cadre reported at T's site, handled by `unit`
  // (escalated to `escalated_to` unless 0), with its envelope, one complete
  // attachment part and its counters; its id in base64url.
  std::string add_clue(storage::Store& store, std::uint32_t unit, std::uint32_t escalated_to) {
    storage::Clue clue;
    crypto::random_bytes(clue.id);
    clue.site_id = site_of_[Relation::kOwn];
    clue.received_at = 1'795'000'000;
    clue.category = "bribery";
    clue.accused_level = "village";
    clue.unit_id = unit;
    const crypto::BoxKeyPair reporter = crypto::generate_box_key_pair();
    clue.reply_public_key = reporter.public_key.bytes;
    clue.acknowledge_by = clue.received_at + 15 * 86'400;
    clue.handle_by = clue.received_at + 90 * 86'400;
    clue.attachments.push_back({.index = 0, .bytes = 5, .parts = 1, .complete = true});
    if (escalated_to != 0) {
      clue.escalations.push_back({.unit_id = escalated_to,
                                  .reason = "acknowledge_overdue",
                                  .deadline = clue.acknowledge_by,
                                  .at = clue.acknowledge_by + 60});
    }
    std::vector<storage::Mutation> batch{
        {storage::Family::kClues, storage::clue_key(clue.id), storage::encode(clue)},
        {storage::Family::kClues, storage::envelope_key(clue.id), "sealed"},
        {storage::Family::kClues, storage::attachment_part_key(clue.id, 0, 0), "part0"}};
    for (auto& mutation : storage::index_mutations(nullptr, clue)) batch.push_back(mutation);
    for (auto& mutation : storage::stats_mutations(nullptr, clue)) batch.push_back(mutation);
    EXPECT_TRUE(store.write(batch).has_value());
    const std::string id = crypto::to_base64url(clue.id);
    reporter_of_[id] = reporter.public_key;
    return id;
  }

  // A key entry for `unit`'s key (the server cannot tell a real seal).
  std::string key_entry_for(std::uint32_t unit) {
    std::array<std::byte, 96> entry{};
    const storage::Bytes16& id = key_id_of_.at(unit);
    std::copy(id.begin(), id.end(), entry.begin());
    crypto::random_bytes(std::span(entry).subspan(16));
    return b64(entry);
  }

  std::string clue_of(Endpoint endpoint, Role role, Relation relation) {
    return clue_of_.at({endpoint, role, relation});
  }

  // Signs in over HTTPS as the command line does; the bearer header value.
  std::string sign_in(const std::string& name) {
    const json::value challenge = HttpsClient::json(client_->post_json(
        "/api/v1/auth/challenge", json::serialize(json::object{{"account", name}})));
    const auto salt = crypto::from_base64url(challenge.at("salt").as_string()).value();
    const auto keys = crypto::derive_account_keys(kPassphrase, salt, kFastKdf).value();
    const auto bytes = crypto::from_base64url(challenge.at("challenge").as_string()).value();
    const auto proof = crypto::sign_login_challenge(bytes, keys.auth);
    const auto answer = client_->post_json(
        "/api/v1/auth/login", json::serialize(json::object{{"account", name},
                                                           {"challenge", challenge.at("challenge")},
                                                           {"proof", b64(proof)},
                                                           {"client", "cli"}}));
    EXPECT_EQ(answer.result_int(), 201u) << name << ": " << answer.body();
    return "Bearer " + std::string(HttpsClient::json(answer).at("session").as_string());
  }

  Call call_for(Endpoint endpoint, Role role, Relation relation) {
    const std::uint32_t unit = unit_of_[relation];
    const std::string tag = std::to_string(++serial_);
    const auto post = [](std::string target, json::object body) {
      return Call{http::verb::post, std::move(target), json::serialize(body)};
    };
    switch (endpoint) {
      case Endpoint::kDeployment:
        return {http::verb::get, "/api/v1/admin/deployment", {}};
      case Endpoint::kDirectory:
        return {http::verb::get, "/api/v1/directory", {}};
      case Endpoint::kAddUnit:
        return post(
            "/api/v1/admin/units",
            {{"name", "Unit " + tag}, {"level", level_below_[relation]}, {"parent_id", unit}});
      case Endpoint::kAddUnitKey: {
        const storage::UnitKey key = certified_unit_key(
            units_.at(unit), crypto::generate_box_key_pair().public_key, deployment_.site_signing);
        return post("/api/v1/admin/units/keys",
                    {{"unit_id", unit},
                     {"certificate", b64(crypto::as_bytes(key.certificate))},
                     {"site_signing_public_key", b64(deployment_.site_signing.public_key.bytes)}});
      }
      case Endpoint::kAddSite:
        return post("/api/v1/admin/sites",
                    {{"name", "Site " + tag},
                     {"unit_id", unit},
                     {"kind", "clinic"},
                     {"site_signing_public_key", b64(deployment_.site_signing.public_key.bytes)}});
      case Endpoint::kRevokeSite:
        return post("/api/v1/admin/sites/revoke", {{"site_id", site_of_[relation]}});
      case Endpoint::kInviteHandler:
        return post("/api/v1/admin/invitations",
                    {{"account", "invited-" + tag}, {"unit_id", unit}, {"role", "handler"}});
      case Endpoint::kInviteAuditor:
        return post("/api/v1/admin/invitations",
                    {{"account", "invited-" + tag}, {"unit_id", unit}, {"role", "auditor"}});
      case Endpoint::kListAccounts:
        return {http::verb::get, "/api/v1/admin/accounts?unit=" + std::to_string(unit), {}};
      case Endpoint::kDisableAccount:
        return post("/api/v1/admin/accounts/change",
                    {{"account_id", victim_of_[{role, relation}]}, {"change", "disable"}});
      case Endpoint::kGrantKey: {
        std::array<std::byte, crypto::kUnitKeyGrantBytes> grant{};
        crypto::random_bytes(grant);
        const auto& key = deployment_.unit_keys.at("township");
        return post("/api/v1/accounts/grants", {{"account_id", newcomer_of_[relation]},
                                                {"key_id", b64(crypto::key_id(key.public_key))},
                                                {"grant", b64(grant)}});
      }
      case Endpoint::kAwaitingKey:
        return {http::verb::get, "/api/v1/accounts/awaiting-key", {}};
      case Endpoint::kMe:
        return {http::verb::get, "/api/v1/auth/me", {}};
      case Endpoint::kStoreOwnKey: {
        std::array<std::byte, crypto::kWrappedKeyBytes> blob{};
        crypto::random_bytes(blob);
        return post(
            "/api/v1/auth/me/keys",
            {{"key_id", b64(crypto::key_id(deployment_.unit_keys.at("township").public_key))},
             {"blob", b64(blob)}});
      }
      case Endpoint::kAuditLog:
        return {http::verb::get, "/api/v1/audit?from=1&limit=10&unit=" + std::to_string(unit), {}};
      case Endpoint::kQueue:
        return {http::verb::get, "/api/v1/queue?unit=" + std::to_string(unit), {}};
      case Endpoint::kOpenClue:
        return {http::verb::get, "/api/v1/clues/" + clue_of(endpoint, role, relation), {}};
      case Endpoint::kClueAttachment:
        return {http::verb::get,
                "/api/v1/clues/" + clue_of(endpoint, role, relation) + "/attachments/0/0",
                {}};
      case Endpoint::kAcknowledgeClue:
        return post("/api/v1/clues/" + clue_of(endpoint, role, relation) + "/actions",
                    {{"action", "acknowledge"}});
      case Endpoint::kTakeOverClue:
        return post("/api/v1/clues/" + clue_of(endpoint, role, relation) + "/actions",
                    {{"action", "take_over"}});
      case Endpoint::kReplyClue: {
        const std::string id = clue_of(endpoint, role, relation);
        const std::array recipients{reporter_of_.at(id)};
        const auto clue_id = crypto::from_base64url(id).value();
        const auto sealed = crypto::seal_payload(crypto::PayloadDomain::kReply, clue_id, recipients,
                                                 crypto::as_bytes("a reply"))
                                .value();
        return {http::verb::post, "/api/v1/clues/" + id + "/replies",
                std::string(reinterpret_cast<const char*>(sealed.data()), sealed.size()),
                "application/octet-stream"};
      }
      case Endpoint::kTransferClue:
        return post("/api/v1/clues/" + clue_of(endpoint, role, relation) + "/actions",
                    {{"action", "transfer"},
                     {"to", unit_of_[Relation::kSibling]},
                     {"reason", "belongs to the sibling township"},
                     {"key_entries",
                      json::array{json::value(key_entry_for(unit_of_[Relation::kSibling]))}}});
      case Endpoint::kRecuseClue:
        return post("/api/v1/clues/" + clue_of(endpoint, role, relation) + "/actions",
                    {{"action", "recuse"},
                     {"reason", "conflict of interest"},
                     {"key_entries",
                      json::array{json::value(key_entry_for(unit_of_[Relation::kParent]))}}});
      case Endpoint::kStats:
        return {http::verb::get, "/api/v1/stats?unit=" + std::to_string(unit), {}};
      case Endpoint::kDeactivateUnit:
        return post("/api/v1/admin/units/deactivate", {{"unit_id", unit}});
    }
    return {};
  }

  unsigned send(const Call& call, const std::string& bearer) {
    const auto answer = client_->request(call.method, call.target, call.body,
                                         call.body.empty() ? "" : call.content_type, bearer);
    last_body_ = answer.body();
    return answer.result_int();
  }

  Snapshot database() const { return snapshot(directory_ / "data", /*read_only=*/true); }

  fs::path directory_;
  TestDeployment deployment_;
  std::map<Relation, std::uint32_t> unit_of_;
  std::map<Relation, std::string> level_below_;
  std::map<Relation, std::uint32_t> site_of_;
  std::map<Relation, std::uint32_t> newcomer_of_;
  std::map<std::pair<Role, Relation>, std::uint32_t> victim_of_;
  std::map<std::tuple<Endpoint, Role, Relation>, std::string> clue_of_;
  std::map<std::string, crypto::BoxPublicKey> reporter_of_;  // by clue id
  std::map<std::uint32_t, storage::Bytes16> key_id_of_;      // by unit
  std::map<std::uint32_t, storage::Unit> units_;             // as stored at set-up
  std::optional<ServerProcess> server_;
  std::optional<HttpsClient> client_;
  std::string last_body_;
  unsigned serial_ = 0;
};

TEST_F(AuthorizationMatrixTest, EveryEndpointRoleAndUnitGetsTheExpectedAnswer) {
  server_.emplace("AuthzMatrix",
                  ServerOptions{.extra_config = "[accounts]\nsession_idle_seconds = 60\n",
                                .data_dir = directory_ / "data"});
  client_.emplace(server_->certificate(), server_->public_port());
  std::map<Role, std::string> bearer;
  for (const Role role : kRoles) {
    bearer[role] = sign_in("actor-" + std::string(storage::role_name(role)));
  }
  const auto expired_at = std::chrono::steady_clock::now();
  const std::string expired = sign_in("actor-expired");
  const std::string disabled = sign_in("actor-disabled");
  // Disabling ends the account's sessions at once.
  const auto disabled_id = HttpsClient::json(client_->get("/api/v1/auth/me", disabled))
                               .at("account")
                               .at("id")
                               .to_number<std::uint32_t>();
  ASSERT_EQ(
      send({http::verb::post, "/api/v1/admin/accounts/change",
            json::serialize(json::object{{"account_id", disabled_id}, {"change", "disable"}})},
           bearer[Role::kAdmin]),
      200u)
      << last_body_;

  std::size_t cases = 0, refusals = 0;
  for (const Endpoint endpoint : kEndpoints) {
    const std::vector<Relation> relations =
        about_a_unit(endpoint) ? std::vector<Relation>(std::begin(kRelations), std::end(kRelations))
                               : std::vector<Relation>{Relation::kNone};
    for (const Relation relation : relations) {
      for (const Role role : kRoles) {
        const unsigned expected = expected_status(endpoint, role, relation);
        const Call call = call_for(endpoint, role, relation);
        const bool refused = expected >= 400;
        std::optional<Snapshot> before;
        if (refused) before = database();
        const unsigned got = send(call, bearer[role]);
        ++cases;
        EXPECT_EQ(got, expected) << call.target << " as " << storage::role_name(role) << " on "
                                 << relation_name(relation) << ": " << last_body_;
        if (refused) {
          ++refusals;
          EXPECT_TRUE(*before == database())
              << call.target << " as " << storage::role_name(role) << " on "
              << relation_name(relation) << " changed the database";
        }
      }
    }
  }

  // No session, a disabled account's ended session, and (once its idle
  // time has passed) an expired one: 401 everywhere, nothing changed.
  std::this_thread::sleep_until(expired_at + std::chrono::seconds(62));
  const Snapshot before = database();
  for (const Endpoint endpoint : kEndpoints) {
    for (const auto& [who, token] : std::vector<std::pair<std::string, std::string>>{
             {"no session", ""}, {"disabled account", disabled}, {"expired session", expired}}) {
      const Call call = call_for(endpoint, Role::kAdmin, Relation::kOwn);
      EXPECT_EQ(send(call, token), 401u) << call.target << " with " << who << ": " << last_body_;
      ++cases;
      ++refusals;
    }
  }
  EXPECT_TRUE(before == database()) << "a request without a valid session changed the database";
  std::cout << "[ matrix   ] " << cases << " requests, " << refusals << " refused\n";
}

}  // namespace
}  // namespace clueline::testing
