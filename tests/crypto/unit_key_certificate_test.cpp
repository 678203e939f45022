#include "clueline/crypto/unit_key_certificate.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "test_util.hpp"

namespace clueline::crypto {
namespace {

using test::fails_with;

class UnitKeyCertificateTest : public ::testing::Test {
 protected:
  UnitKeyCertificateTest() {
    fields_.unit_id = 12;
    fields_.parent_id = 5;
    fields_.level = "township";
    fields_.public_key = unit_.public_key;
    fields_.not_before = 1'800'000'000;
    fields_.not_after = 1'800'086'400;
  }

  SigningKeyPair deployment_ = generate_signing_key_pair();
  BoxKeyPair unit_ = generate_box_key_pair();
  UnitKeyCertificate fields_;
};

TEST_F(UnitKeyCertificateTest, SignsAndVerifies) {
  const Bytes certificate = sign_unit_key_certificate(fields_, deployment_);
  EXPECT_EQ(certificate.size(), kMinUnitKeyCertificateBytes - 1 + fields_.level.size());
  const auto verified = verify_unit_key_certificate(certificate, deployment_.public_key);
  ASSERT_TRUE(verified.has_value());
  UnitKeyCertificate expected = fields_;
  expected.key_id = key_id(unit_.public_key);
  EXPECT_EQ(*verified, expected);
  EXPECT_EQ(sign_unit_key_certificate(fields_, deployment_), certificate);  // deterministic
}

TEST_F(UnitKeyCertificateTest, EveryBitFlipIsRefused) {
  const Bytes certificate = sign_unit_key_certificate(fields_, deployment_);
  for (std::size_t bit = 0; bit < certificate.size() * 8; ++bit) {
    EXPECT_TRUE(test::refused(
        verify_unit_key_certificate(test::flip_bit(certificate, bit), deployment_.public_key)))
        << bit;
  }
}

TEST_F(UnitKeyCertificateTest, AnotherDeploymentKeyIsRefused) {
  const Bytes certificate = sign_unit_key_certificate(fields_, deployment_);
  EXPECT_TRUE(
      fails_with(verify_unit_key_certificate(certificate, generate_signing_key_pair().public_key),
                 errc::authentication_failed));
}

TEST_F(UnitKeyCertificateTest, WrongLengthsAreMalformed) {
  const Bytes certificate = sign_unit_key_certificate(fields_, deployment_);
  for (std::size_t n = 0; n <= kMaxUnitKeyCertificateBytes + 1; ++n) {
    if (n == certificate.size()) continue;
    Bytes resized = certificate;
    resized.resize(n);
    EXPECT_TRUE(fails_with(verify_unit_key_certificate(resized, deployment_.public_key),
                           errc::invalid_argument))
        << n;
  }
}

TEST_F(UnitKeyCertificateTest, SigningRefusesMalformedFields) {
  UnitKeyCertificate bad_level = fields_;
  bad_level.level = "Township";
  EXPECT_THROW(sign_unit_key_certificate(bad_level, deployment_), std::invalid_argument);
  bad_level.level = "";
  EXPECT_THROW(sign_unit_key_certificate(bad_level, deployment_), std::invalid_argument);
  UnitKeyCertificate backwards = fields_;
  backwards.not_after = backwards.not_before;
  EXPECT_THROW(sign_unit_key_certificate(backwards, deployment_), std::invalid_argument);
  UnitKeyCertificate too_late = fields_;
  too_late.not_after = kMaxCertificateTime + 1;
  EXPECT_THROW(sign_unit_key_certificate(too_late, deployment_), std::invalid_argument);
  too_late.not_after = kMaxCertificateTime;
  EXPECT_NO_THROW(sign_unit_key_certificate(too_late, deployment_));
}

TEST_F(UnitKeyCertificateTest, MismatchNamesWhatDoesNotFit) {
  const auto certificate =
      verify_unit_key_certificate(sign_unit_key_certificate(fields_, deployment_),
                                  deployment_.public_key)
          .value();
  const CertifiedUnit unit{.unit_id = 12, .level = "township", .parent_id = 5};
  const std::uint64_t now = 1'800'000'100;
  EXPECT_EQ(certificate_mismatch(certificate, unit, unit_.public_key, now), "");
  EXPECT_EQ(certificate_mismatch(certificate, {.unit_id = 12, .level = "township"},
                                 unit_.public_key, now),
            "");  // a client does not know the parent
  EXPECT_EQ(certificate_mismatch(certificate, unit, generate_box_key_pair().public_key, now),
            "the certificate is for another key");
  EXPECT_NE(
      certificate_mismatch(certificate, {.unit_id = 13, .level = "township"}, unit_.public_key, now)
          .find("unit 12, not unit 13"),
      std::string::npos);
  EXPECT_NE(
      certificate_mismatch(certificate, {.unit_id = 12, .level = "county"}, unit_.public_key, now)
          .find("township"),
      std::string::npos);
  EXPECT_NE(certificate_mismatch(certificate, {.unit_id = 12, .level = "township", .parent_id = 6},
                                 unit_.public_key, now)
                .find("under unit 5"),
            std::string::npos);
  EXPECT_EQ(certificate_mismatch(certificate, unit, unit_.public_key, fields_.not_before - 1),
            "the certificate is not valid yet");
  EXPECT_EQ(certificate_mismatch(certificate, unit, unit_.public_key, fields_.not_after + 1),
            "the certificate has expired");
  EXPECT_EQ(certificate_mismatch(certificate, unit, unit_.public_key, fields_.not_after), "");
}

}  // namespace
}  // namespace clueline::crypto
