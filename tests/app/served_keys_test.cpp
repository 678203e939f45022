// What `submit`, `followup --message`, `transfer` and `recuse` check before
// sealing to keys a server names (crypto-spec §3.1), on answers built here
// as a hostile server would build them.
#include "served_keys.hpp"

#include <gtest/gtest.h>

#include <boost/json/array.hpp>
#include <stdexcept>
#include <string>

#include "clueline/crypto/crypto.hpp"

namespace clueline::app {
namespace {

namespace json = boost::json;

constexpr std::uint64_t kNow = 1'800'000'000;

std::string b64(std::span<const std::byte> bytes) { return crypto::to_base64url(bytes); }

class ServedKeysTest : public ::testing::Test {
 protected:
  ServedKeysTest() {
    crypto::initialize();
    token_ = crypto::sign_site_token_raw({7, 1}, deployment_);
  }

  crypto::Bytes certificate(const crypto::BoxPublicKey& key, const crypto::SigningKeyPair& by,
                            std::uint32_t unit_id = 12, std::string level = "township",
                            std::uint64_t not_before = kNow - 3600,
                            std::uint64_t not_after = kNow + 86400, std::uint32_t parent = 5) {
    crypto::UnitKeyCertificate fields;
    fields.unit_id = unit_id;
    fields.parent_id = parent;
    fields.level = std::move(level);
    fields.public_key = key;
    fields.not_before = not_before;
    fields.not_after = not_after;
    return crypto::sign_unit_key_certificate(fields, by);
  }
  static json::object key_json(const crypto::BoxPublicKey& key, const crypto::Bytes& cert) {
    return {{"key_id", b64(crypto::key_id(key))},
            {"public_key", b64(key.bytes)},
            {"certificate", b64(cert)}};
  }
  json::object unit_json(json::array keys) const {
    return {{"id", 12}, {"level", "township"}, {"parent_id", 5}, {"keys", std::move(keys)}};
  }
  json::object answer(json::object unit, const crypto::SigningPublicKey& deployment_key) const {
    return {{"deployment_key", b64(deployment_key.bytes)}, {"unit", std::move(unit)}};
  }
  std::vector<crypto::BoxPublicKey> check(const json::object& answer,
                                          ServedUnit served = {.id_field = "id"}) const {
    return certified_keys(answer.at("unit"), served, anchored_deployment_key(answer, token_), kNow);
  }
  // The message of what check() throws, or "" if it did not.
  std::string refusal(const json::object& answer, ServedUnit served = {.id_field = "id"}) const {
    try {
      check(answer, served);
    } catch (const std::runtime_error& e) {
      return e.what();
    }
    return "";
  }

  crypto::SigningKeyPair deployment_ = crypto::generate_signing_key_pair();
  crypto::SigningKeyPair attacker_ = crypto::generate_signing_key_pair();
  crypto::BoxKeyPair unit_key_ = crypto::generate_box_key_pair();
  crypto::BoxKeyPair attacker_key_ = crypto::generate_box_key_pair();
  std::array<std::byte, crypto::kSiteTokenBytes> token_{};
};

TEST_F(ServedKeysTest, GenuineKeysAreReturnedAndRetiredOnesPassedOver) {
  json::object retired = key_json(crypto::generate_box_key_pair().public_key,
                                  certificate(unit_key_.public_key, deployment_));
  retired["current"] = false;
  json::object current =
      key_json(unit_key_.public_key, certificate(unit_key_.public_key, deployment_));
  current["current"] = true;
  const auto keys = check(answer(unit_json({retired, current}), deployment_.public_key),
                          {.id_field = "id", .expected = 12, .check_parent = true});
  ASSERT_EQ(keys.size(), 1u);
  EXPECT_EQ(keys[0], unit_key_.public_key);
}

TEST_F(ServedKeysTest, ADeploymentKeyOtherThanThePostersIsRefused) {
  // The attacker's own deployment key, and certificates it made for its key:
  // every signature checks out, only the poster's fingerprint tells.
  const json::object forged = answer(
      unit_json(
          {key_json(attacker_key_.public_key, certificate(attacker_key_.public_key, attacker_))}),
      attacker_.public_key);
  EXPECT_NE(refusal(forged).find("not the one the poster was signed with"), std::string::npos)
      << refusal(forged);
  json::object unnamed = forged;
  unnamed.erase("deployment_key");
  EXPECT_NE(refusal(unnamed).find("named no deployment key"), std::string::npos);
}

TEST_F(ServedKeysTest, EveryKeyWithoutAFittingCertificateIsRefused) {
  const auto& key = attacker_key_.public_key;
  struct Case {
    json::object unit_key;
    std::string says;
  };
  json::object missing = key_json(key, {});
  missing.erase("certificate");
  json::object mislabelled =
      key_json(unit_key_.public_key, certificate(unit_key_.public_key, deployment_));
  mislabelled["key_id"] = b64(crypto::key_id(key));
  const std::vector<Case> cases = {
      // The genuine certificate of the unit's key, served with another key.
      {key_json(key, certificate(unit_key_.public_key, deployment_)), "another key"},
      {key_json(key, certificate(key, attacker_)), "no valid certificate"},
      {key_json(key, certificate(key, deployment_, 13)), "for unit 13, not unit 12"},
      {key_json(key, certificate(key, deployment_, 12, "county")), "county"},
      {key_json(key, certificate(key, deployment_, 12, "township", kNow + 60, kNow + 86400)),
       "not valid yet"},
      {key_json(key, certificate(key, deployment_, 12, "township", kNow - 86400, kNow - 1)),
       "expired"},
      {key_json(key, certificate(key, deployment_, 12, "township", kNow - 3600, kNow + 86400, 6)),
       "under unit 6, not unit 5"},
      {missing, "no valid certificate"},
      {key_json(key, {}), "no valid certificate"},
      {mislabelled, "another key's id"},
  };
  for (const Case& bad : cases) {
    // One bad key among genuine ones stops everything.
    const json::object served = answer(
        unit_json({key_json(unit_key_.public_key, certificate(unit_key_.public_key, deployment_)),
                   bad.unit_key}),
        deployment_.public_key);
    const std::string why = refusal(served, {.id_field = "id", .check_parent = true});
    EXPECT_NE(why.find(bad.says), std::string::npos) << bad.says << ": " << why;
    EXPECT_NE(why.find("refusing to seal"), std::string::npos) << why;
  }
}

TEST_F(ServedKeysTest, AnAnswerForAnotherUnitOrWithoutKeysIsRefused) {
  const json::object genuine = answer(
      unit_json({key_json(unit_key_.public_key, certificate(unit_key_.public_key, deployment_))}),
      deployment_.public_key);
  EXPECT_NE(refusal(genuine, {.id_field = "id", .expected = 99}).find("not unit 99"),
            std::string::npos);
  EXPECT_NE(refusal(answer(unit_json({}), deployment_.public_key)).find("no current key"),
            std::string::npos);
  json::object no_parent = genuine;
  no_parent["unit"].as_object().erase("parent_id");
  EXPECT_NE(refusal(no_parent, {.id_field = "id", .check_parent = true}).find("no parent"),
            std::string::npos);
}

}  // namespace
}  // namespace clueline::app
