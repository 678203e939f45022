// Checks every case of docs/crypto-test-vectors.json against the C++
// implementation. The same file is checked by the JavaScript module
// (web/crypto/test/vectors.test.mjs), which is what makes the two agree byte
// for byte.
#include <gtest/gtest.h>
#include <sodium.h>

#include <boost/json.hpp>
#include <fstream>
#include <iterator>
#include <set>
#include <string>

#include "clueline/crypto/crypto.hpp"
#include "clueline/crypto/testing.hpp"
#include "test_util.hpp"

namespace clueline::crypto {
namespace {

namespace json = boost::json;
using test::fails_with;
using test::same_bytes;

const json::object& vectors() {
  static const json::object root = [] {
    std::ifstream in(CLUELINE_TEST_VECTORS, std::ios::binary);
    if (!in) {
      throw std::runtime_error("cannot read " + std::string(CLUELINE_TEST_VECTORS));
    }
    const std::string text{std::istreambuf_iterator<char>(in), {}};
    return json::parse(text).as_object();
  }();
  return root;
}

const json::array& section(std::string_view name) {
  const auto* found = vectors().if_contains(json::string_view(name.data(), name.size()));
  if (found == nullptr) {
    throw std::runtime_error("no section " + std::string(name));
  }
  return found->as_array();
}

std::string str(const json::object& v, std::string_view key) {
  const auto& s = v.at(json::string_view(key.data(), key.size())).as_string();
  return std::string(s.data(), s.size());
}

Bytes bin(const json::object& v, std::string_view key) {
  auto decoded = from_base64url(str(v, key));
  if (!decoded) {
    throw std::runtime_error("field " + std::string(key) + " is not base64url");
  }
  return std::move(*decoded);
}

template <std::size_t N>
std::array<std::byte, N> fixed(const json::object& v, std::string_view key) {
  const Bytes b = bin(v, key);
  if (b.size() != N) {
    throw std::runtime_error("field " + std::string(key) + " has the wrong size");
  }
  std::array<std::byte, N> out{};
  std::copy(b.begin(), b.end(), out.begin());
  return out;
}

std::uint64_t num(const json::object& v, std::string_view key) {
  return v.at(json::string_view(key.data(), key.size())).to_number<std::uint64_t>();
}

bool valid(const json::object& v) {
  const auto* flag = v.if_contains("valid");
  return flag == nullptr || flag->as_bool();
}

errc expected_error(const json::object& v) {
  const std::string e = str(v, "error");
  if (e == "invalid_argument") return errc::invalid_argument;
  if (e == "authentication_failed") return errc::authentication_failed;
  throw std::runtime_error("unknown error " + e);
}

std::string description(const json::object& v) { return str(v, "description"); }

BoxKeyPair box_pair_of(const json::object& v) {
  return test::must(box_key_pair_from_secret(bin(v, "secret_key")), "secret_key");
}

PayloadDomain domain_of(const json::object& v) {
  const std::string d = str(v, "domain");
  if (d == "envelope") return PayloadDomain::kEnvelope;
  if (d == "message") return PayloadDomain::kMessage;
  if (d == "reply") return PayloadDomain::kReply;
  throw std::runtime_error("unknown domain " + d);
}

Bytes hex(const std::string& h) {
  Bytes out(h.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    out[i] = static_cast<std::byte>(std::stoi(h.substr(2 * i, 2), nullptr, 16));
  }
  return out;
}

TEST(CryptoVectors, FileHasVersionAndOnlyKnownSections) {
  EXPECT_EQ(vectors().at("version").to_number<int>(), 2);
  const std::set<std::string> known = {"version",
                                       "description",
                                       "base64url",
                                       "key_id",
                                       "site_token",
                                       "unit_key_certificate",
                                       "pow",
                                       "receipt",
                                       "receipt_normalization",
                                       "padding",
                                       "unpad",
                                       "payload",
                                       "envelope",
                                       "attachment",
                                       "account",
                                       "wrapped_key",
                                       "login",
                                       "account_box_key",
                                       "activation_proof",
                                       "account_fingerprint",
                                       "unit_key_grant"};
  for (const auto& [key, value] : vectors()) {
    EXPECT_TRUE(known.count(std::string(key.data(), key.size())) == 1)
        << "unchecked section " << key;
    if (value.is_array()) {
      EXPECT_FALSE(value.as_array().empty()) << key;
      for (const auto& c : value.as_array()) {
        EXPECT_TRUE(c.as_object().contains("description")) << key;
      }
    }
  }
}

TEST(CryptoVectors, Base64url) {
  for (const auto& c : section("base64url")) {
    const auto& v = c.as_object();
    SCOPED_TRACE(description(v));
    if (!valid(v)) {
      for (const auto& text : v.at("invalid").as_array()) {
        const auto& s = text.as_string();
        EXPECT_TRUE(fails_with(from_base64url(std::string_view(s.data(), s.size())),
                               errc::invalid_argument))
            << s;
      }
      continue;
    }
    const Bytes raw = hex(str(v, "hex"));
    EXPECT_EQ(to_base64url(raw), str(v, "text"));
    EXPECT_EQ(bin(v, "text"), raw);
  }
}

TEST(CryptoVectors, KeyId) {
  for (const auto& c : section("key_id")) {
    const auto& v = c.as_object();
    SCOPED_TRACE(description(v));
    const auto pair = box_pair_of(v);
    EXPECT_EQ(to_base64url(pair.public_key.bytes), str(v, "public_key"));
    EXPECT_EQ(to_base64url(key_id(pair.public_key)), str(v, "key_id"));
    // The seed really is the crypto_box_seed_keypair seed of the pair.
    std::array<unsigned char, 32> pk{};
    std::array<unsigned char, 32> sk{};
    const Bytes seed = bin(v, "seed");
    crypto_box_seed_keypair(pk.data(), sk.data(),
                            reinterpret_cast<const unsigned char*>(seed.data()));
    EXPECT_TRUE(same_bytes(std::as_bytes(std::span(sk)), pair.secret_key.bytes()));
  }
}

TEST(CryptoVectors, SiteToken) {
  for (const auto& c : section("site_token")) {
    const auto& v = c.as_object();
    SCOPED_TRACE(description(v));
    const auto key = test::must(signing_public_key_from(bin(v, "public_key")), "public_key");
    const std::string token = str(v, "token");
    if (!valid(v)) {
      EXPECT_TRUE(fails_with(verify_site_token(token, key), expected_error(v)));
      continue;
    }
    const SiteToken expected{static_cast<std::uint32_t>(num(v, "site_id")),
                             static_cast<std::uint16_t>(num(v, "token_version"))};
    auto verified = verify_site_token(token, key);
    ASSERT_TRUE(verified.has_value());
    EXPECT_EQ(*verified, expected);
    const auto from_seed = test::must(signing_key_pair_from_seed(bin(v, "seed")), "seed");
    EXPECT_EQ(from_seed.public_key, key);
    const auto from_secret =
        test::must(signing_key_pair_from_secret(bin(v, "secret_key")), "secret");
    EXPECT_EQ(sign_site_token(expected, from_secret), token);
    EXPECT_EQ(sign_site_token(expected, from_seed), token);
    EXPECT_EQ(to_base64url(deployment_fingerprint(key)), str(v, "fingerprint"));
    EXPECT_EQ(to_base64url(site_token_fingerprint(token).value()), str(v, "fingerprint"));
  }
}

TEST(CryptoVectors, UnitKeyCertificate) {
  for (const auto& c : section("unit_key_certificate")) {
    const auto& v = c.as_object();
    SCOPED_TRACE(description(v));
    const auto key = test::must(signing_public_key_from(bin(v, "public_key")), "public_key");
    const Bytes certificate = bin(v, "certificate");
    if (!valid(v)) {
      EXPECT_TRUE(fails_with(verify_unit_key_certificate(certificate, key), expected_error(v)));
      continue;
    }
    UnitKeyCertificate expected;
    expected.unit_id = static_cast<std::uint32_t>(num(v, "unit_id"));
    expected.parent_id = static_cast<std::uint32_t>(num(v, "parent_id"));
    expected.level = str(v, "level");
    expected.public_key = test::must(box_public_key_from(bin(v, "unit_public_key")), "key");
    expected.key_id = key_id(expected.public_key);
    expected.not_before = num(v, "not_before");
    expected.not_after = num(v, "not_after");
    EXPECT_EQ(to_base64url(expected.key_id), str(v, "key_id"));
    const auto verified = verify_unit_key_certificate(certificate, key);
    ASSERT_TRUE(verified.has_value());
    EXPECT_EQ(*verified, expected);
    const auto from_seed = test::must(signing_key_pair_from_seed(bin(v, "seed")), "seed");
    EXPECT_EQ(from_seed.public_key, key);
    EXPECT_EQ(sign_unit_key_certificate(expected, from_seed), certificate);
  }
}

TEST(CryptoVectors, ProofOfWork) {
  for (const auto& c : section("pow")) {
    const auto& v = c.as_object();
    SCOPED_TRACE(description(v));
    const auto challenge = fixed<32>(v, "challenge");
    const auto difficulty = static_cast<unsigned>(num(v, "difficulty"));
    const PowNonce nonce = solve_pow(challenge, difficulty);
    EXPECT_EQ(to_base64url(nonce), str(v, "nonce"));
    const Bytes hash = bin(v, "hash");
    EXPECT_EQ(leading_zero_bits(hash), num(v, "leading_zero_bits"));
    std::array<std::byte, 40> input{};
    std::copy(challenge.begin(), challenge.end(), input.begin());
    std::copy(nonce.begin(), nonce.end(), input.begin() + 32);
    std::array<std::byte, 32> computed{};
    crypto_generichash(reinterpret_cast<unsigned char*>(computed.data()), 32,
                       reinterpret_cast<const unsigned char*>(input.data()), input.size(), nullptr,
                       0);
    EXPECT_TRUE(same_bytes(computed, hash));
    for (const auto& check : v.at("checks").as_array()) {
      const auto& k = check.as_object();
      EXPECT_EQ(
          verify_pow(challenge, fixed<8>(k, "nonce"), static_cast<unsigned>(num(k, "difficulty"))),
          k.at("valid").as_bool())
          << json::serialize(k);
    }
  }
}

TEST(CryptoVectors, Receipt) {
  for (const auto& c : section("receipt")) {
    const auto& v = c.as_object();
    SCOPED_TRACE(description(v));
    const auto keys = test::must(derive_receipt_keys(str(v, "receipt"), bin(v, "salt")), "derive");
    EXPECT_EQ(to_base64url(keys.lookup_key.bytes()), str(v, "lookup_key"));
    EXPECT_EQ(to_base64url(keys.lookup_hash), str(v, "lookup_hash"));
    EXPECT_EQ(to_base64url(receipt_lookup_hash(keys.lookup_key.bytes())), str(v, "lookup_hash"));
    EXPECT_EQ(to_base64url(keys.reply_key_pair.public_key.bytes), str(v, "reply_public_key"));
    EXPECT_EQ(to_base64url(keys.reply_key_pair.secret_key.bytes()), str(v, "reply_secret_key"));
    EXPECT_EQ(format_receipt(str(v, "receipt")), str(v, "formatted"));
  }
}

TEST(CryptoVectors, ReceiptNormalization) {
  for (const auto& c : section("receipt_normalization")) {
    const auto& v = c.as_object();
    SCOPED_TRACE(description(v));
    auto normal = normalize_receipt(str(v, "typed"));
    if (!valid(v)) {
      EXPECT_TRUE(fails_with(normal, expected_error(v)));
      continue;
    }
    ASSERT_TRUE(normal.has_value());
    EXPECT_EQ(*normal, str(v, "digits"));
    EXPECT_EQ(format_receipt(str(v, "typed")), str(v, "formatted"));
  }
}

TEST(CryptoVectors, Padding) {
  for (const auto& c : section("padding")) {
    const auto& v = c.as_object();
    SCOPED_TRACE(description(v));
    const Bytes m = bin(v, "plaintext");
    const Bytes padded = bin(v, "padded");
    EXPECT_EQ(test::must(pad_to_bucket(m), "pad"), padded);
    EXPECT_EQ(test::must(unpad(padded, padded.size()), "unpad"), m);
  }
  for (const auto& c : section("unpad")) {
    const auto& v = c.as_object();
    SCOPED_TRACE(description(v));
    const auto r = unpad(bin(v, "padded"), num(v, "block_size"));
    if (!valid(v)) {
      EXPECT_TRUE(fails_with(r, expected_error(v)));
      continue;
    }
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(*r, bin(v, "plaintext"));
  }
}

TEST(CryptoVectors, Payload) {
  for (const auto& c : section("payload")) {
    const auto& v = c.as_object();
    SCOPED_TRACE(description(v));
    const auto pair = box_pair_of(v);
    EXPECT_EQ(to_base64url(pair.public_key.bytes), str(v, "public_key"));
    const Bytes payload = bin(v, "payload");
    std::vector<PayloadRecipient> transferred;
    if (const auto* entries = v.if_contains("transferred_entries")) {
      for (const auto& e : entries->as_array()) {
        const auto& s = e.as_string();
        const Bytes raw = test::must(from_base64url(std::string_view(s.data(), s.size())), "entry");
        ASSERT_EQ(raw.size(), kRecipientEntryBytes);
        PayloadRecipient r{};
        std::copy(raw.begin(), raw.begin() + 16, r.key_id.begin());
        std::copy(raw.begin() + 16, raw.end(), r.sealed_key.begin());
        transferred.push_back(r);
      }
    }
    const auto opened = open_payload(domain_of(v), bin(v, "context"), payload, pair, transferred);
    if (!valid(v)) {
      EXPECT_TRUE(fails_with(opened, expected_error(v)));
      continue;
    }
    ASSERT_TRUE(opened.has_value()) << opened.error().message();
    EXPECT_TRUE(same_bytes(opened->bytes(), bin(v, "plaintext")));

    const auto parsed = test::must(parse_payload(payload), "parse");
    if (v.contains("nonce")) {
      EXPECT_EQ(to_base64url(parsed.nonce), str(v, "nonce"));
    }
    if (transferred.empty()) {
      const auto data_key = test::must(open_data_key(payload, pair), "open_data_key");
      EXPECT_EQ(to_base64url(data_key.bytes()), str(v, "data_key"));
      const auto ids = v.at("recipient_key_ids").as_array();
      ASSERT_EQ(ids.size(), parsed.recipients.size());
      for (std::size_t i = 0; i < ids.size(); ++i) {
        const auto& s = ids[i].as_string();
        EXPECT_EQ(to_base64url(parsed.recipients[i].key_id), std::string(s.data(), s.size()));
      }
    }
  }
}

TEST(CryptoVectors, Envelope) {
  for (const auto& c : section("envelope")) {
    const auto& v = c.as_object();
    SCOPED_TRACE(description(v));
    const auto pair = box_pair_of(v);
    const Bytes envelope = bin(v, "envelope");
    const auto opened = open_envelope(envelope, pair);
    if (!valid(v)) {
      EXPECT_TRUE(fails_with(opened, expected_error(v)));
      continue;
    }
    ASSERT_TRUE(opened.has_value()) << opened.error().message();
    const std::string body = str(v, "body");
    EXPECT_TRUE(same_bytes(opened->bytes(), as_bytes(body)));
    const auto parsed = test::must(parse_envelope(envelope), "parse");
    EXPECT_EQ(parsed.header.category, str(v, "category"));
    EXPECT_EQ(parsed.header.accused_level, str(v, "accused_level"));
    EXPECT_EQ(to_base64url(parsed.header.site_token), str(v, "site_token"));
    EXPECT_EQ(to_base64url(parsed.header.reply_public_key.bytes), str(v, "reply_public_key"));
    EXPECT_EQ(to_base64url(parsed.header.receipt_lookup_hash), str(v, "receipt_lookup_hash"));
    EXPECT_EQ(to_base64url(parsed.header.pow_challenge), str(v, "pow_challenge"));
    EXPECT_EQ(to_base64url(parsed.header.pow_nonce), str(v, "pow_nonce"));
    EXPECT_TRUE(verify_pow(parsed.header.pow_challenge, parsed.header.pow_nonce, 8));
    const auto& ids = v.at("recipient_key_ids").as_array();
    ASSERT_EQ(ids.size(), parsed.payload.recipients.size());
    for (std::size_t i = 0; i < ids.size(); ++i) {
      const auto& s = ids[i].as_string();
      EXPECT_EQ(to_base64url(parsed.payload.recipients[i].key_id), std::string(s.data(), s.size()));
    }
    // The token verifies with the site_token vectors' key.
    const auto& token_case = section("site_token").at(0).as_object();
    const auto key = test::must(signing_public_key_from(bin(token_case, "public_key")), "key");
    const auto token = verify_site_token_bytes(parsed.header.site_token, key);
    ASSERT_TRUE(token.has_value());
    EXPECT_EQ(token->site_id, num(v, "site_id"));
    EXPECT_EQ(token->token_version, num(v, "token_version"));
  }
}

Bytes edited(const Bytes& stream, const json::object& edit) {
  Bytes out = stream;
  if (const auto* t = edit.if_contains("truncate")) {
    out.resize(t->to_number<std::size_t>());
  }
  if (edit.contains("append")) {
    const Bytes extra = bin(edit, "append");
    out.insert(out.end(), extra.begin(), extra.end());
  }
  if (const auto* x = edit.if_contains("xor")) {
    const auto& a = x->as_array();
    out.at(a.at(0).to_number<std::size_t>()) ^=
        static_cast<std::byte>(a.at(1).to_number<unsigned>());
  }
  return out;
}

TEST(CryptoVectors, Attachment) {
  for (const auto& c : section("attachment")) {
    const auto& v = c.as_object();
    SCOPED_TRACE(description(v));
    auto key = test::secure_from(bin(v, "key"));
    const Bytes stream = bin(v, "stream");
    const auto opened = decrypt_attachment(stream, key);
    if (!valid(v)) {
      EXPECT_TRUE(fails_with(opened, expected_error(v)));
      continue;
    }
    ASSERT_TRUE(opened.has_value()) << opened.error().message();
    if (v.contains("plaintext")) {
      EXPECT_EQ(*opened, bin(v, "plaintext"));
    } else {
      EXPECT_EQ(opened->size(), num(v, "plaintext_length"));
      std::array<std::byte, 32> hash{};
      crypto_generichash(reinterpret_cast<unsigned char*>(hash.data()), 32,
                         reinterpret_cast<const unsigned char*>(opened->data()), opened->size(),
                         nullptr, 0);
      EXPECT_EQ(to_base64url(hash), str(v, "plaintext_blake2b_32"));
      for (std::size_t i = 0; i < opened->size(); ++i) {
        ASSERT_EQ((*opened)[i], static_cast<std::byte>(i % 251)) << i;
      }
    }
    EXPECT_EQ(stream.size(), attachment_stream_size(opened->size()));
    if (const auto* rejects = v.if_contains("rejects")) {
      for (const auto& r : rejects->as_array()) {
        const auto& edit = r.as_object();
        SCOPED_TRACE(description(edit));
        EXPECT_TRUE(
            fails_with(decrypt_attachment(edited(stream, edit), key), expected_error(edit)));
      }
    }
  }
}

TEST(CryptoVectors, Account) {
  for (const auto& c : section("account")) {
    const auto& v = c.as_object();
    SCOPED_TRACE(description(v));
    const KdfParams params{static_cast<std::uint32_t>(num(v, "opslimit")), num(v, "memlimit")};
    const Bytes salt = bin(v, "salt");
    const std::string passphrase = str(v, "passphrase");
    const auto keys = test::must(derive_account_keys(passphrase, salt, params), "derive");
    EXPECT_EQ(to_base64url(keys.auth.public_key.bytes), str(v, "auth_public_key"));
    EXPECT_EQ(to_base64url(keys.auth.secret_key.bytes().first(32)), str(v, "auth_seed"));
    EXPECT_EQ(to_base64url(keys.wrap_key.bytes()), str(v, "wrap_key"));
    const auto unit = test::must(box_key_pair_from_secret(bin(v, "unit_secret_key")), "unit");
    EXPECT_EQ(to_base64url(unit.public_key.bytes), str(v, "unit_public_key"));
    EXPECT_EQ(to_base64url(key_id(unit.public_key)), str(v, "key_id"));
    const Bytes blob = test::must(
        wrap_unit_secret_key_deterministic(unit, keys, salt, params, bin(v, "nonce")), "wrap");
    EXPECT_EQ(to_base64url(blob), str(v, "blob"));
    const auto info = test::must(parse_wrapped_key(blob), "parse");
    EXPECT_EQ(info.params, params);
    EXPECT_EQ(to_base64url(info.salt), str(v, "salt"));
    EXPECT_EQ(to_base64url(info.key_id), str(v, "key_id"));
    const auto unwrapped = test::must(unwrap_unit_secret_key(blob, passphrase), "unwrap");
    EXPECT_EQ(to_base64url(unwrapped.secret_key.bytes()), str(v, "unit_secret_key"));
    // The master key: Argon2id13 straight from libsodium.
    std::array<unsigned char, 32> master{};
    ASSERT_EQ(crypto_pwhash(master.data(), 32, passphrase.data(), passphrase.size(),
                            reinterpret_cast<const unsigned char*>(salt.data()), params.opslimit,
                            params.memlimit, crypto_pwhash_ALG_ARGON2ID13),
              0);
    EXPECT_EQ(to_base64url(std::as_bytes(std::span(master))), str(v, "master_key"));
    if (v.contains("passphrase_nfd")) {
      // This module takes the NFC bytes as given and does not normalise, so
      // the NFD spelling derives other keys here (the browser module, which
      // normalises, must derive the same ones).
      const std::string nfd = str(v, "passphrase_nfd");
      EXPECT_NE(nfd, passphrase);
      const auto other = test::must(derive_account_keys(nfd, salt, params), "nfd");
      EXPECT_NE(other.auth.public_key, keys.auth.public_key);
    }
  }
}

TEST(CryptoVectors, WrappedKey) {
  for (const auto& c : section("wrapped_key")) {
    const auto& v = c.as_object();
    SCOPED_TRACE(description(v));
    const auto unwrapped = unwrap_unit_secret_key(bin(v, "blob"), str(v, "passphrase"));
    if (!valid(v)) {
      EXPECT_TRUE(fails_with(unwrapped, expected_error(v)));
      continue;
    }
    ASSERT_TRUE(unwrapped.has_value()) << unwrapped.error().message();
    EXPECT_EQ(to_base64url(unwrapped->secret_key.bytes()), str(v, "unit_secret_key"));
    EXPECT_EQ(to_base64url(unwrapped->public_key.bytes), str(v, "unit_public_key"));
  }
}

TEST(CryptoVectors, Login) {
  for (const auto& c : section("login")) {
    const auto& v = c.as_object();
    SCOPED_TRACE(description(v));
    const auto key = test::must(signing_public_key_from(bin(v, "auth_public_key")), "key");
    const Bytes challenge = bin(v, "challenge");
    const Bytes signature = bin(v, "signature");
    EXPECT_EQ(verify_login_proof(challenge, signature, key), valid(v));
    if (valid(v)) {
      const auto pair = test::must(signing_key_pair_from_seed(bin(v, "auth_seed")), "seed");
      EXPECT_EQ(pair.public_key, key);
      EXPECT_EQ(sign_login_challenge(challenge, pair), signature);
    }
  }
}

TEST(CryptoVectors, AccountBoxKey) {
  for (const auto& c : section("account_box_key")) {
    const auto& v = c.as_object();
    SCOPED_TRACE(description(v));
    const KdfParams params{static_cast<std::uint32_t>(num(v, "opslimit")), num(v, "memlimit")};
    const auto keys =
        test::must(derive_account_keys(str(v, "passphrase"), bin(v, "salt"), params), "derive");
    EXPECT_EQ(to_base64url(keys.box.secret_key.bytes()), str(v, "box_secret_key"));
    EXPECT_EQ(to_base64url(keys.box.public_key.bytes), str(v, "box_public_key"));
  }
}

TEST(CryptoVectors, ActivationProof) {
  for (const auto& c : section("activation_proof")) {
    const auto& v = c.as_object();
    SCOPED_TRACE(description(v));
    const auto auth = test::must(signing_public_key_from(bin(v, "auth_public_key")), "key");
    const auto box = test::must(box_public_key_from(bin(v, "box_public_key")), "box");
    const Bytes code = bin(v, "code");
    const Bytes signature = bin(v, "signature");
    EXPECT_EQ(verify_activation(code, box, signature, auth), valid(v));
    if (valid(v)) {
      const auto pair = test::must(signing_key_pair_from_seed(bin(v, "auth_seed")), "seed");
      EXPECT_EQ(sign_activation(code, box, pair), signature);
      EXPECT_EQ(to_base64url(blake2b<32>({code})), str(v, "invitation_code_hash"));
    }
  }
}

TEST(CryptoVectors, AccountFingerprint) {
  for (const auto& c : section("account_fingerprint")) {
    const auto& v = c.as_object();
    SCOPED_TRACE(description(v));
    const auto auth = test::must(signing_public_key_from(bin(v, "auth_public_key")), "key");
    const auto box = test::must(box_public_key_from(bin(v, "box_public_key")), "box");
    EXPECT_EQ(account_fingerprint(auth, box), str(v, "fingerprint"));
  }
}

TEST(CryptoVectors, UnitKeyGrant) {
  for (const auto& c : section("unit_key_grant")) {
    const auto& v = c.as_object();
    SCOPED_TRACE(description(v));
    const auto box = test::must(box_key_pair_from_secret(bin(v, "box_secret_key")), "box");
    EXPECT_EQ(to_base64url(box.public_key.bytes), str(v, "box_public_key"));
    const Bytes id_bytes = bin(v, "key_id");
    KeyId id{};
    std::copy(id_bytes.begin(), id_bytes.end(), id.begin());
    const auto opened = open_unit_key_grant(bin(v, "grant"), box, id);
    if (!valid(v)) {
      EXPECT_TRUE(fails_with(opened, expected_error(v)));
      continue;
    }
    ASSERT_TRUE(opened.has_value()) << opened.error().message();
    EXPECT_EQ(to_base64url(opened->secret_key.bytes()), str(v, "unit_secret_key"));
  }
}

}  // namespace
}  // namespace clueline::crypto
