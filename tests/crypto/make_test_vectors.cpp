// Writes docs/crypto-test-vectors.json (and seed corpora for the fuzz
// targets) from fixed inputs with the C++ reference implementation.
//
//   make_crypto_test_vectors [VECTORS_JSON [CORPUS_DIR]]
//
// Reproducible: every seed, salt and nonce comes from a label
// (vector_support.hpp), and libsodium's random source is replaced by a
// fixed-seed generator before libsodium starts, so the randomised parts
// (crypto_box_seal's ephemeral keys, secretstream headers) come out the same
// on every run and the committed file only changes when the protocol does.
// Never link this replacement into anything but this program.
#include <sodium.h>

#include <algorithm>
#include <boost/json.hpp>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "clueline/crypto/crypto.hpp"
#include "clueline/crypto/testing.hpp"
#include "vector_support.hpp"

namespace {

namespace json = boost::json;
namespace fs = std::filesystem;
using namespace clueline::crypto;
using clueline::crypto::test::box_pair;
using clueline::crypto::test::bytes_of;
using clueline::crypto::test::must;
using clueline::crypto::test::seed_of;
using clueline::crypto::test::signing_pair;

// ---------------------------------------------------------------------------
// Deterministic random source (SplitMix64). Test vectors only.

std::uint64_t rng_state = 0x636c75656c696e65ULL;  // "clueline"

std::uint64_t next_random() {
  std::uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

const char* rng_name() { return "clueline-test-vectors"; }
std::uint32_t rng_random() { return static_cast<std::uint32_t>(next_random()); }
void rng_buf(void* const buf, const size_t size) {
  auto* out = static_cast<unsigned char*>(buf);
  for (size_t i = 0; i < size; ++i) {
    out[i] = static_cast<unsigned char>(next_random());
  }
}

randombytes_implementation deterministic_rng = {
    rng_name, rng_random, nullptr, nullptr, rng_buf, nullptr,
};

// ---------------------------------------------------------------------------
// Helpers

std::string b64(std::span<const std::byte> s) { return to_base64url(s); }

Bytes bytes(std::string_view s) {
  const auto span = as_bytes(s);
  return Bytes(span.begin(), span.end());
}

Bytes concat(std::initializer_list<std::span<const std::byte>> parts) {
  Bytes out;
  for (const auto p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

// byte i = i mod 251: a pattern that does not repeat at any power of two.
Bytes pattern(std::size_t n) {
  Bytes out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::byte>(i % 251);
  return out;
}

std::array<std::byte, 32> blake2b_32(std::span<const std::byte> in) {
  std::array<std::byte, 32> out{};
  crypto_generichash(reinterpret_cast<unsigned char*>(out.data()), out.size(),
                     reinterpret_cast<const unsigned char*>(in.data()), in.size(), nullptr, 0);
  return out;
}

Bytes flip(Bytes b, std::size_t index, std::uint8_t mask = 0x01) {
  b.at(index) ^= static_cast<std::byte>(mask);
  return b;
}

Bytes truncated(Bytes b, std::size_t size) {
  b.resize(size);
  return b;
}

Bytes appended(Bytes b, std::uint8_t value) {
  b.push_back(static_cast<std::byte>(value));
  return b;
}

json::object invalid(std::string description, const char* error) {
  return {{"description", std::move(description)}, {"valid", false}, {"error", error}};
}

// ---------------------------------------------------------------------------
// Pretty printer: objects one member per line, arrays of scalars on one line.

bool scalar(const json::value& v) { return !v.is_object() && !v.is_array(); }

void print(std::ostream& out, const json::value& v, int indent) {
  const std::string pad(static_cast<std::size_t>(indent) * 2, ' ');
  const std::string inner(static_cast<std::size_t>(indent + 1) * 2, ' ');
  if (v.is_object()) {
    const auto& o = v.as_object();
    if (o.empty()) {
      out << "{}";
      return;
    }
    out << "{\n";
    bool first = true;
    for (const auto& [key, member] : o) {
      if (!first) out << ",\n";
      first = false;
      out << inner << json::serialize(json::string(key)) << ": ";
      print(out, member, indent + 1);
    }
    out << "\n" << pad << "}";
  } else if (v.is_array()) {
    const auto& a = v.as_array();
    if (std::all_of(a.begin(), a.end(), scalar)) {
      out << "[";
      for (std::size_t i = 0; i < a.size(); ++i) out << (i ? ", " : "") << json::serialize(a[i]);
      out << "]";
      return;
    }
    out << "[\n";
    for (std::size_t i = 0; i < a.size(); ++i) {
      out << inner;
      print(out, a[i], indent + 1);
      out << (i + 1 < a.size() ? ",\n" : "\n");
    }
    out << pad << "]";
  } else {
    out << json::serialize(v);
  }
}

// ---------------------------------------------------------------------------
// Sections

json::array base64url_vectors() {
  json::array out;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "empty input"},
      {"00", "one byte: 2 characters, the last carrying 4 zero bits"},
      {"0001", "two bytes: 3 characters"},
      {"000102", "three bytes: one full group, no padding"},
      {"fbff", "bytes that use '-' and '_' (62 and 63)"},
      {"ffffffff", "four bytes"},
  };
  for (const auto& [hex, description] : cases) {
    Bytes raw(hex.size() / 2);
    for (std::size_t i = 0; i < raw.size(); ++i) {
      raw[i] = static_cast<std::byte>(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
    }
    out.push_back({{"description", description}, {"hex", hex}, {"text", b64(raw)}});
  }
  json::object refused = invalid(
      "every one of these is refused: padding, whitespace, the standard alphabet's '+' and '/', a "
      "length of 1 mod 4, non-zero trailing bits ('AB' would be 0x00 with leftover bits 0001), "
      "a NUL, non-ASCII characters (libsodium 1.0.18's own decoder takes UTF-8 bytes >= 0x80 for "
      "'_')",
      "invalid_argument");
  refused["invalid"] = json::array{"AA==",
                                   "AA=",
                                   "AA A",
                                   " AA",
                                   "AA\n",
                                   "+w",
                                   "/w",
                                   "A",
                                   "AAAAA",
                                   "AB",
                                   "AAB",
                                   "_-9",
                                   json::string("AA\0A", 4),
                                   "\u00ca\u00ca\u00ca\u00ca",
                                   "AA\u00ff",
                                   "\u00e9\u00e9"};
  out.push_back(std::move(refused));
  return out;
}

json::array key_id_vectors() {
  json::array out;
  for (const char* label : {"unit A", "unit B", "unit C"}) {
    const auto pair = box_pair(label);
    out.push_back(
        {{"description", std::string("X25519 key pair crypto_box_seed_keypair(seed) of ") + label +
                             "; key_id = BLAKE2b-16(public_key)"},
         {"seed", b64(seed_of(label))},
         {"secret_key", b64(pair.secret_key.bytes())},
         {"public_key", b64(pair.public_key.bytes)},
         {"key_id", b64(key_id(pair.public_key))}});
  }
  return out;
}

json::array site_token_vectors() {
  json::array out;
  const auto signer = signing_pair("site-signing");
  const auto other = signing_pair("other site-signing");
  const SiteToken cases[] = {{1, 1}, {4242, 7}, {0xFFFFFFFFu, 0xFFFF}, {0, 0}};
  for (const auto& t : cases) {
    out.push_back({{"description",
                    "site token signed with crypto_sign_detached (deterministic Ed25519) "
                    "by crypto_sign_seed_keypair(seed)"},
                   {"seed", b64(seed_of("site-signing"))},
                   {"secret_key", b64(signer.secret_key.bytes())},
                   {"public_key", b64(signer.public_key.bytes)},
                   {"site_id", t.site_id},
                   {"token_version", t.token_version},
                   {"fingerprint", b64(deployment_fingerprint(signer.public_key))},
                   {"token", sign_site_token(t, signer)},
                   {"valid", true}});
  }
  const std::string good = sign_site_token({4242, 7}, signer);
  auto raw = must(from_base64url(good), "token");
  auto add = [&](std::string description, std::string token, const SigningPublicKey& key,
                 const char* error) {
    auto v = invalid(std::move(description), error);
    v["public_key"] = b64(key.bytes);
    v["token"] = std::move(token);
    out.push_back(std::move(v));
  };
  add("token of site 4242 v7 checked with another deployment's key", good, other.public_key,
      "authentication_failed");
  add("token signed by another deployment's key (its own fingerprint), checked with this one",
      sign_site_token({4242, 7}, other), signer.public_key, "authentication_failed");
  add("fingerprint changed, signature kept", b64(flip(raw, 10, 0x01)), signer.public_key,
      "authentication_failed");
  add("token_version changed from 7 to 8, signature kept", b64(flip(raw, 5, 0x0f)),
      signer.public_key, "authentication_failed");
  add("site_id changed, signature kept", b64(flip(raw, 3, 0x01)), signer.public_key,
      "authentication_failed");
  add("one bit of the signature flipped", b64(flip(raw, 40, 0x10)), signer.public_key,
      "authentication_failed");
  add("114 characters", good.substr(0, 114), signer.public_key, "invalid_argument");
  add("116 characters", good + "A", signer.public_key, "invalid_argument");
  std::string padded = good.substr(0, 113) + "==";
  add("115 characters ending in padding", padded, signer.public_key, "invalid_argument");
  std::string spaced = good;
  spaced[50] = ' ';
  add("115 characters with a space", spaced, signer.public_key, "invalid_argument");
  // The 115th character carries 4 data bits and 2 zero bits; 'B' sets one of
  // the zero bits.
  std::string noncanonical = good;
  noncanonical[114] = static_cast<char>(noncanonical[114] == 'A' ? 'B' : noncanonical[114] ^ 1);
  if (!from_base64url(noncanonical)) {
    add("non-canonical last character (non-zero trailing bits)", noncanonical, signer.public_key,
        "invalid_argument");
  }
  return out;
}

Bytes ascii_bytes(std::string_view text) {
  const auto bytes = as_bytes(text);
  return {bytes.begin(), bytes.end()};
}

json::array unit_key_certificate_vectors() {
  json::array out;
  const auto signer = signing_pair("site-signing");
  const auto other = signing_pair("other site-signing");
  struct Case {
    std::uint32_t unit_id;
    std::uint32_t parent_id;
    const char* level;
    const char* key_label;
    std::uint64_t not_before;
    std::uint64_t not_after;
  };
  const Case cases[] = {{1, 0, "province", "unit-a", 1'790'000'000, 1'853'072'000},
                        {42, 7, "township", "unit-b", 1'800'000'000, 1'800'086'400},
                        // not_after 2^53 - 1: the largest integer a JavaScript number holds.
                        {0xFFFFFFFFu, 0xFFFFFFFEu, "abcdefghijklmnopqrstuvwxyz_01234", "unit-c", 0,
                         9'007'199'254'740'991ull}};
  Bytes good;
  for (const Case& c : cases) {
    UnitKeyCertificate fields;
    fields.unit_id = c.unit_id;
    fields.parent_id = c.parent_id;
    fields.level = c.level;
    fields.public_key = box_pair(c.key_label).public_key;
    fields.not_before = c.not_before;
    fields.not_after = c.not_after;
    const Bytes certificate = sign_unit_key_certificate(fields, signer);
    if (good.empty()) good = certificate;
    out.push_back({{"description",
                    "unit key certificate signed with crypto_sign_detached (deterministic "
                    "Ed25519) by crypto_sign_seed_keypair(seed)"},
                   {"seed", b64(seed_of("site-signing"))},
                   {"public_key", b64(signer.public_key.bytes)},
                   {"unit_id", c.unit_id},
                   {"parent_id", c.parent_id},
                   {"level", c.level},
                   {"unit_public_key", b64(fields.public_key.bytes)},
                   {"key_id", b64(key_id(fields.public_key))},
                   {"not_before", c.not_before},
                   {"not_after", c.not_after},
                   {"certificate", b64(certificate)},
                   {"valid", true}});
  }
  auto add = [&](std::string description, const Bytes& certificate, const SigningPublicKey& key,
                 const char* error) {
    auto v = invalid(std::move(description), error);
    v["public_key"] = b64(key.bytes);
    v["certificate"] = b64(certificate);
    out.push_back(std::move(v));
  };
  // Layout of the first case (level "province", 8 bytes): unit_id 0..3,
  // parent_id 4..7, level length 8, level 9..16, key_id 17..32, public key
  // 33..64, not_before 65..72, not_after 73..80, signature 81..144.
  add("checked with another deployment's key", good, other.public_key, "authentication_failed");
  add("unit_id changed, signature kept", flip(good, 3), signer.public_key, "authentication_failed");
  add("parent_id changed, signature kept", flip(good, 7), signer.public_key,
      "authentication_failed");
  add("level changed to \"provincf\", signature kept", flip(good, 16, 0x03), signer.public_key,
      "authentication_failed");
  add("public key changed, signature kept", flip(good, 40), signer.public_key,
      "authentication_failed");
  add("not_after changed, signature kept", flip(good, 80), signer.public_key,
      "authentication_failed");
  add("one bit of the signature flipped", flip(good, 100, 0x10), signer.public_key,
      "authentication_failed");
  // `fields` (a certificate without its signature) signed as the spec says,
  // for fields that signing through the API would refuse.
  const auto signed_fields = [&signer](Bytes fields) {
    Bytes message = ascii_bytes("clueline/unit-key-certificate/v1");
    message.insert(message.end(), fields.begin(), fields.end());
    const Signature signature = sign_detached(message, signer);
    fields.insert(fields.end(), signature.begin(), signature.end());
    return fields;
  };
  {
    // Signed correctly, but the key id is not BLAKE2b-16 of the key.
    Bytes fields(good.begin(), good.end() - 64);
    fields[20] ^= std::byte{0x01};
    fields = signed_fields(std::move(fields));
    add("validly signed, but key_id is not BLAKE2b-16(public_key)", fields, signer.public_key,
        "authentication_failed");
  }
  {
    Bytes fields(good.begin(), good.end() - 64);
    fields[9] = std::byte{'P'};  // "Province": outside [a-z0-9_]
    fields = signed_fields(std::move(fields));
    add("validly signed, level with an upper-case letter", fields, signer.public_key,
        "invalid_argument");
  }
  {
    Bytes fields(good.begin(), good.end() - 64);
    std::copy(fields.begin() + 65, fields.begin() + 73, fields.begin() + 73);  // after = before
    fields = signed_fields(std::move(fields));
    add("validly signed, not_after equal to not_before", fields, signer.public_key,
        "invalid_argument");
  }
  {
    Bytes fields(good.begin(), good.end() - 64);
    for (std::size_t i = 73; i < 81; ++i) fields[i] = std::byte{0};
    fields[74] = std::byte{0x20};  // not_after = 2^53
    fields = signed_fields(std::move(fields));
    add("validly signed, not_after 2^53 (past the largest allowed, 2^53 - 1)", fields,
        signer.public_key, "invalid_argument");
  }
  add("one byte short", Bytes(good.begin(), good.end() - 1), signer.public_key, "invalid_argument");
  Bytes longer = good;
  longer.push_back(std::byte{0});
  add("one trailing byte", longer, signer.public_key, "invalid_argument");
  add("level length 9 in a certificate holding 8", flip(good, 8, 0x01), signer.public_key,
      "invalid_argument");
  Bytes empty_level = good;
  empty_level[8] = std::byte{0};
  add("level length 0", empty_level, signer.public_key, "invalid_argument");
  return out;
}

Bytes u64be(std::uint64_t counter) {
  Bytes out(8);
  for (int i = 0; i < 8; ++i)
    out[static_cast<std::size_t>(i)] = static_cast<std::byte>(counter >> (56 - 8 * i));
  return out;
}

std::uint64_t counter_of(const PowNonce& nonce) {
  std::uint64_t c = 0;
  for (auto b : nonce) c = (c << 8) | std::to_integer<std::uint64_t>(b);
  return c;
}

json::array pow_vectors() {
  json::array out;
  for (unsigned difficulty : {0u, 1u, 8u, 12u, 16u}) {
    const PowChallenge challenge = seed_of("pow challenge " + std::to_string(difficulty));
    const PowNonce nonce = solve_pow(challenge, difficulty);
    const auto hash = blake2b_32(concat({challenge, nonce}));
    const unsigned zeros = leading_zero_bits(hash);
    json::array checks;
    checks.push_back({{"nonce", b64(nonce)}, {"difficulty", difficulty}, {"valid", true}});
    checks.push_back({{"nonce", b64(nonce)}, {"difficulty", zeros}, {"valid", true}});
    checks.push_back({{"nonce", b64(nonce)}, {"difficulty", zeros + 1}, {"valid", false}});
    if (const auto counter = counter_of(nonce); counter > 0) {
      checks.push_back(
          {{"nonce", b64(u64be(counter - 1))}, {"difficulty", difficulty}, {"valid", false}});
    }
    out.push_back({{"description",
                    "first nonce = u64be(counter), counter = 0, 1, ..., with "
                    "BLAKE2b-32(challenge || nonce) starting with `difficulty` zero bits; "
                    "`hash` is that BLAKE2b output, `leading_zero_bits` its zero bits; "
                    "`checks` are verification cases"},
                   {"challenge", b64(challenge)},
                   {"difficulty", difficulty},
                   {"nonce", b64(nonce)},
                   {"counter", counter_of(nonce)},
                   {"hash", b64(hash)},
                   {"leading_zero_bits", zeros},
                   {"checks", std::move(checks)}});
  }
  return out;
}

struct ReceiptFixture {
  std::string digits;
  std::array<std::byte, 16> salt;
};

ReceiptFixture receipt_fixture(int n) {
  return {n == 1 ? "0123456789012345678901234" : "3141592653589793238462643",
          bytes_of<16>("deployment salt")};
}

json::array receipt_vectors() {
  json::array out;
  for (int n : {1, 2}) {
    const auto f = receipt_fixture(n);
    const auto keys = must(derive_receipt_keys(f.digits, f.salt), "receipt");
    // The Argon2id output is recomputed with libsodium directly so that its
    // second half (the reply seed) can be shown.
    std::array<unsigned char, 64> raw{};
    if (crypto_pwhash(raw.data(), raw.size(), f.digits.data(), f.digits.size(),
                      reinterpret_cast<const unsigned char*>(f.salt.data()), 2, 67108864,
                      crypto_pwhash_ALG_ARGON2ID13) != 0) {
      throw std::runtime_error("crypto_pwhash");
    }
    const auto seed = std::as_bytes(std::span(raw)).subspan(32);
    out.push_back({{"description",
                    "out = Argon2id13(receipt digits, salt, opslimit 2, memlimit 67108864, "
                    "64 bytes); lookup_key = out[0..32], reply_seed = out[32..64], reply key "
                    "pair = crypto_box_seed_keypair(reply_seed), lookup_hash = "
                    "BLAKE2b-32(lookup_key)"},
                   {"receipt", f.digits},
                   {"formatted", format_receipt(f.digits)},
                   {"salt", b64(f.salt)},
                   {"lookup_key", b64(keys.lookup_key.bytes())},
                   {"lookup_hash", b64(keys.lookup_hash)},
                   {"reply_seed", b64(seed)},
                   {"reply_public_key", b64(keys.reply_key_pair.public_key.bytes)},
                   {"reply_secret_key", b64(keys.reply_key_pair.secret_key.bytes())}});
  }
  return out;
}

json::array receipt_normalization_vectors() {
  json::array out;
  const std::string d = "0123456789012345678901234";
  auto ok = [&](std::string description, std::string typed) {
    out.push_back({{"description", std::move(description)},
                   {"typed", std::move(typed)},
                   {"digits", d},
                   {"formatted", "01234-56789-01234-56789-01234"},
                   {"valid", true}});
  };
  auto bad = [&](std::string description, std::string typed) {
    auto v = invalid(std::move(description), "invalid_argument");
    v["typed"] = std::move(typed);
    out.push_back(std::move(v));
  };
  ok("as displayed", "01234-56789-01234-56789-01234");
  ok("bare digits", d);
  ok("spaces between groups", "01234 56789 01234 56789 01234");
  ok("leading, trailing and repeated separators", "  -01234--56789  01234 - 56789-01234- ");
  ok("separators inside groups", "0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4");
  bad("24 digits", "01234-56789-01234-56789-0123");
  bad("26 digits", "01234-56789-01234-56789-012345");
  bad("a letter", "01234-56789-01234-56789-0123O");
  bad("a tab", "01234\t56789-01234-56789-01234");
  bad("an en dash (U+2013)", "01234\u201356789-01234-56789-01234");
  bad("a full-width digit (U+FF11)", "01234-56789-01234-56789-0123\uFF11");
  bad("an underscore", "01234_56789-01234-56789-01234");
  bad("empty", "");
  return out;
}

json::array padding_vectors() {
  json::array out;
  const std::vector<std::pair<Bytes, std::string>> cases = {
      {Bytes{}, "empty plaintext: 0x80 then 1023 zeros"},
      {bytes("hello"), "5 bytes into the 1024 bucket"},
      {pattern(1023),
       "1023 bytes: the largest plaintext of the 1024 bucket (0x80 is the last byte)"},
      {pattern(1024), "1024 bytes: the smallest plaintext of the 4096 bucket"},
  };
  for (const auto& [m, description] : cases) {
    out.push_back({{"description",
                    "sodium_pad to the smallest bucket strictly larger than the "
                    "plaintext: " +
                        description},
                   {"plaintext", b64(m)},
                   {"padded", b64(must(pad_to_bucket(m), "pad"))}});
  }
  return out;
}

json::array unpad_vectors() {
  json::array out;
  Bytes good = pattern(1000);
  good.push_back(std::byte{0x80});
  good.resize(1024);
  out.push_back(
      {{"description", "sodium_unpad(padded, block_size): 1000 data bytes, 0x80, 23 zeros"},
       {"padded", b64(good)},
       {"block_size", 1024},
       {"plaintext", b64(pattern(1000))},
       {"valid", true}});
  auto bad = [&](std::string description, const Bytes& padded, const char* error) {
    auto v = invalid(std::move(description), error);
    v["padded"] = b64(padded);
    v["block_size"] = 1024;
    out.push_back(std::move(v));
  };
  bad("all zeros: no 0x80 marker", Bytes(1024), "authentication_failed");
  bad("a non-zero byte after the marker", flip(good, 1020, 0x01), "authentication_failed");
  Bytes marker81 = good;
  marker81[1000] = std::byte{0x81};
  bad("0x81 instead of 0x80", marker81, "authentication_failed");
  bad("length not a multiple of the block size", truncated(good, 1000), "invalid_argument");
  return out;
}

// Payloads. Data keys and nonces are fixed; the recipient entries came from
// crypto_box_seal under the deterministic random source.
struct PayloadCase {
  std::string name;
  std::string description;
  PayloadDomain domain;
  Bytes context;
  std::vector<std::string> recipients;  // labels of box pairs ("reply" = reply key)
  Bytes plaintext;
  std::string opener;
};

const char* domain_name(PayloadDomain d) {
  switch (d) {
    case PayloadDomain::kEnvelope:
      return "envelope";
    case PayloadDomain::kMessage:
      return "message";
    case PayloadDomain::kReply:
      return "reply";
  }
  return "";
}

// Receipt vector 1's keys, derived once (Argon2id with 64 MiB is slow).
const ReceiptKeys& receipt1() {
  static const ReceiptKeys keys = [] {
    const auto f = receipt_fixture(1);
    return must(derive_receipt_keys(f.digits, f.salt), "receipt");
  }();
  return keys;
}

BoxKeyPair pair_for(const std::string& label) {
  if (label == "reply") {
    return must(box_key_pair_from_secret(receipt1().reply_key_pair.secret_key.bytes()), "reply");
  }
  return box_pair(label);
}

Bytes seal_case(const PayloadCase& c) {
  std::vector<BoxPublicKey> keys;
  for (const auto& r : c.recipients) keys.push_back(pair_for(r).public_key);
  return must(
      seal_payload_deterministic(c.domain, c.context, keys, c.plaintext,
                                 seed_of("data key " + c.name), bytes_of<24>("nonce " + c.name)),
      "seal " + c.name);
}

json::array payload_vectors(Bytes& corpus_payload) {
  json::array out;
  const auto clue = bytes_of<16>("clue id");
  const Bytes clue_id(clue.begin(), clue.end());
  const std::vector<PayloadCase> cases = {
      {"P1",
       "follow-up message to one unit key",
       PayloadDomain::kMessage,
       clue_id,
       {"unit A"},
       bytes("Follow-up: the meeting was on Tuesday, not Monday."),
       "unit A"},
      {"P2",
       "follow-up message to three unit keys, opened with the third",
       PayloadDomain::kMessage,
       clue_id,
       {"unit A", "unit B", "unit C"},
       bytes("补充：会议是星期二，不是星期一。Also: the invoice number is 4471."),
       "unit C"},
      {"P3",
       "unit reply to the reporter's reply key (receipt vector 1)",
       PayloadDomain::kReply,
       clue_id,
       {"reply"},
       bytes("Thank you. We have opened an inquiry."),
       "reply"},
      {"P4",
       "1024-byte plaintext (byte i = i mod 251): the 4096 bucket",
       PayloadDomain::kMessage,
       clue_id,
       {"unit B"},
       pattern(1024),
       "unit B"},
      {"P5",
       "an envelope-domain payload with an arbitrary 5-byte context and an empty plaintext",
       PayloadDomain::kEnvelope,
       bytes("hello"),
       {"unit A"},
       Bytes{},
       "unit A"},
  };
  std::vector<Bytes> sealed;
  for (const auto& c : cases) {
    const Bytes payload = seal_case(c);
    sealed.push_back(payload);
    const auto opener = pair_for(c.opener);
    json::array ids;
    for (const auto& r : c.recipients)
      ids.push_back(json::string(b64(key_id(pair_for(r).public_key))));
    out.push_back({{"description", c.name + ": " + c.description +
                                       ". Open with secret_key; data_key and nonce are the values "
                                       "sealed (fixed for these vectors)"},
                   {"domain", domain_name(c.domain)},
                   {"context", b64(c.context)},
                   {"recipient_key_ids", std::move(ids)},
                   {"secret_key", b64(opener.secret_key.bytes())},
                   {"public_key", b64(opener.public_key.bytes)},
                   {"data_key", b64(seed_of("data key " + c.name))},
                   {"nonce", b64(bytes_of<24>("nonce " + c.name))},
                   {"payload", b64(payload)},
                   {"plaintext", b64(c.plaintext)},
                   {"valid", true}});
  }
  corpus_payload = sealed[1];

  // Transfer: P1's data key resealed for unit B, who is not in the header.
  {
    const auto a = pair_for("unit A");
    const auto b = pair_for("unit B");
    const auto data_key = must(open_data_key(sealed[0], a), "open_data_key");
    const PayloadRecipient entry = reseal_data_key(data_key, b.public_key);
    const Bytes entry_bytes = concat({entry.key_id, entry.sealed_key});
    out.push_back({{"description",
                    "P1 opened by unit B through a transfer entry (key_id || "
                    "crypto_box_seal(data_key, pk_B)) made by unit A; the payload is "
                    "unchanged"},
                   {"domain", "message"},
                   {"context", b64(clue_id)},
                   {"secret_key", b64(b.secret_key.bytes())},
                   {"public_key", b64(b.public_key.bytes)},
                   {"data_key", b64(seed_of("data key P1"))},
                   {"payload", b64(sealed[0])},
                   {"transferred_entries", json::array{json::string(b64(entry_bytes))}},
                   {"plaintext", b64(cases[0].plaintext)},
                   {"valid", true}});
  }

  const Bytes& p1 = sealed[0];
  const Bytes& p2 = sealed[1];
  const Bytes& p3 = sealed[2];
  const std::size_t p1_header = 1 + 96 + 24;
  auto bad = [&](std::string description, const char* domain, const Bytes& context,
                 const std::string& opener, const Bytes& payload, const char* error) {
    const auto pair = pair_for(opener);
    auto v = invalid(std::move(description), error);
    v["domain"] = domain;
    v["context"] = b64(context);
    v["secret_key"] = b64(pair.secret_key.bytes());
    v["public_key"] = b64(pair.public_key.bytes);
    v["payload"] = b64(payload);
    out.push_back(std::move(v));
  };
  const char* auth = "authentication_failed";
  const char* malformed = "invalid_argument";
  bad("P1 opened with unit B, which is not a recipient", "message", clue_id, "unit B", p1, auth);
  bad("P1 opened with another clue id as context", "message", flip(clue_id, 15), "unit A", p1,
      auth);
  bad("P1 opened as a reply (wrong domain)", "reply", clue_id, "unit A", p1, auth);
  bad("P3 opened as a message (wrong domain)", "message", clue_id, "reply", p3, auth);
  bad("P1 with one ciphertext bit flipped", "message", clue_id, "unit A",
      flip(p1, p1_header + 4 + 100), auth);
  bad("P1 with one tag bit flipped", "message", clue_id, "unit A", flip(p1, p1.size() - 1, 0x80),
      auth);
  bad("P1 with one bit of the sealed data key flipped", "message", clue_id, "unit A",
      flip(p1, 1 + 16 + 40), auth);
  bad("P1 with one nonce bit flipped", "message", clue_id, "unit A", flip(p1, p1_header - 1), auth);
  bad("P1 with its key id changed (no entry for the key)", "message", clue_id, "unit A",
      flip(p1, 1), auth);
  {
    // Entries 2 and 3 of P2 swapped: C's entry is intact but the header
    // (associated data) changed.
    Bytes swapped = p2;
    std::swap_ranges(swapped.begin() + 1 + 96, swapped.begin() + 1 + 192,
                     swapped.begin() + 1 + 192);
    bad("P2 with its recipient entries 2 and 3 swapped", "message", clue_id, "unit C", swapped,
        auth);
    // Entry 1 (unit A) dropped.
    Bytes dropped = p2;
    dropped.erase(dropped.begin() + 1, dropped.begin() + 1 + 96);
    dropped[0] = std::byte{2};
    bad("P2 with the first recipient entry removed", "message", clue_id, "unit C", dropped, auth);
    // Entry 3's key id replaced by entry 1's.
    Bytes duplicate = p2;
    std::copy(p2.begin() + 1, p2.begin() + 17, duplicate.begin() + 1 + 192);
    bad("P2 with two entries carrying the same key id", "message", clue_id, "unit A", duplicate,
        malformed);
  }
  bad("P1 with one byte appended", "message", clue_id, "unit A", appended(p1, 0), malformed);
  bad("P1 with its last byte removed", "message", clue_id, "unit A", truncated(p1, p1.size() - 1),
      malformed);
  {
    Bytes zero = p1;
    zero[0] = std::byte{0};
    bad("P1 with recipient count 0", "message", clue_id, "unit A", zero, malformed);
    Bytes many = p1;
    many[0] = std::byte{17};
    bad("P1 with recipient count 17", "message", clue_id, "unit A", many, malformed);
    Bytes length = p1;
    length[p1_header + 3] = std::byte{0x11};  // 1040 -> 1041
    bad("P1 with ciphertext length field 1041", "message", clue_id, "unit A", length, malformed);
  }
  bad("P1 with a 15-byte context (message contexts are 16-byte clue ids)", "message",
      truncated(clue_id, 15), "unit A", p1, malformed);
  bad("P2 (three recipients) opened as a reply (replies have exactly one)", "reply", clue_id,
      "unit C", p2, malformed);
  return out;
}

struct EnvelopeCase {
  std::string name;
  std::string description;
  std::string category;
  std::string accused_level;
  std::vector<std::string> recipients;
  std::string body;
  std::string opener;
};

EnvelopeHeader envelope_header(const EnvelopeCase& c) {
  const auto signer = signing_pair("site-signing");
  const auto& receipt = receipt1();
  EnvelopeHeader h{};
  h.site_token = sign_site_token_raw({4242, 7}, signer);
  h.category = c.category;
  h.accused_level = c.accused_level;
  h.reply_public_key = receipt.reply_key_pair.public_key;
  h.receipt_lookup_hash = receipt.lookup_hash;
  h.pow_challenge = seed_of("envelope pow challenge " + c.name);
  h.pow_nonce = solve_pow(h.pow_challenge, 8);
  return h;
}

json::array envelope_vectors(std::vector<Bytes>& corpus) {
  json::array out;
  const std::string attachment_key = b64(seed_of("attachment key"));
  const std::vector<EnvelopeCase> cases = {
      {"E1",
       "one recipient, accused level unknown (empty)",
       "fraud",
       "",
       {"unit A"},
       R"({"v":1,"text":"Invoices for the canteen contract are paid twice.","lang":"en"})",
       "unit A"},
      {"E2",
       "three recipients, opened with the second; body with CJK text, answers and an attachment",
       "harassment",
       "department_head",
       {"unit A", "unit B", "unit C"},
       R"({"v":1,"text":"部门负责人在会议上多次辱骂同事。","answers":{"when":"2024-03","witnesses":"yes"},"attachments":[{"id":"a1","key":")" +
           attachment_key + R"(","name":"photo.jpg","type":"image/jpeg","size":100}],"lang":"zh"})",
       "unit B"},
  };
  std::vector<Bytes> sealed;
  for (const auto& c : cases) {
    const EnvelopeHeader h = envelope_header(c);
    std::vector<BoxPublicKey> keys;
    json::array ids;
    for (const auto& r : c.recipients) {
      keys.push_back(pair_for(r).public_key);
      ids.push_back(json::string(b64(key_id(keys.back()))));
    }
    const Bytes envelope = must(seal_envelope(h, keys, c.body), "seal_envelope");
    sealed.push_back(envelope);
    corpus.push_back(envelope);
    const auto opener = pair_for(c.opener);
    out.push_back(
        {{"description", c.name + ": " + c.description +
                             ". Site token = site_token vector (4242, 7); reply key and lookup "
                             "hash from receipt vector 1; pow nonce solved at difficulty 8"},
         {"secret_key", b64(opener.secret_key.bytes())},
         {"public_key", b64(opener.public_key.bytes)},
         {"envelope", b64(envelope)},
         {"body", c.body},
         {"site_token", b64(h.site_token)},
         {"site_id", 4242},
         {"token_version", 7},
         {"category", c.category},
         {"accused_level", c.accused_level},
         {"reply_public_key", b64(h.reply_public_key.bytes)},
         {"receipt_lookup_hash", b64(h.receipt_lookup_hash)},
         {"pow_challenge", b64(h.pow_challenge)},
         {"pow_nonce", b64(h.pow_nonce)},
         {"recipient_key_ids", std::move(ids)},
         {"valid", true}});
  }

  const Bytes& e1 = sealed[0];
  // E1 layout: magic 4 | token 86 | 1 | "fraud" 5 | 1 | "" | reply 32 | hash 32 | challenge 32 |
  // nonce 8.
  const std::size_t category_at = 4 + kSiteTokenBytes + 1;
  const std::size_t reply_at = category_at + 5 + 1;
  const std::size_t hash_at = reply_at + 32;
  const std::size_t challenge_at = hash_at + 32;
  const std::size_t nonce_at = challenge_at + 32;
  const std::size_t payload_at = nonce_at + 8;
  auto bad = [&](std::string description, const std::string& opener, const Bytes& envelope,
                 const char* error) {
    const auto pair = pair_for(opener);
    auto v = invalid(std::move(description), error);
    v["secret_key"] = b64(pair.secret_key.bytes());
    v["public_key"] = b64(pair.public_key.bytes);
    v["envelope"] = b64(envelope);
    out.push_back(std::move(v));
    corpus.push_back(envelope);
  };
  const char* auth = "authentication_failed";
  const char* malformed = "invalid_argument";
  bad("E1 opened with unit B, which is not a recipient", "unit B", e1, auth);
  {
    Bytes e = e1;
    e[category_at + 4] = std::byte{'e'};  // "fraud" -> "fraue"
    bad("E1 with its category changed to 'fraue' (still well-formed)", "unit A", e, auth);
  }
  {
    // Accused level "" -> "x": the envelope grows by one byte before the
    // payload; the structure stays valid.
    Bytes e(e1.begin(), e1.begin() + static_cast<std::ptrdiff_t>(reply_at - 1));
    e.push_back(std::byte{1});
    e.push_back(std::byte{'x'});
    e.insert(e.end(), e1.begin() + static_cast<std::ptrdiff_t>(reply_at), e1.end());
    bad("E1 with accused level 'x' inserted", "unit A", e, auth);
  }
  bad("E1 with one bit of the site token flipped", "unit A", flip(e1, 4 + kSiteTokenBytes - 1),
      auth);
  bad("E1 with one bit of the reply public key flipped", "unit A", flip(e1, reply_at), auth);
  bad("E1 with one bit of the receipt lookup hash flipped", "unit A", flip(e1, hash_at + 31), auth);
  bad("E1 with one bit of the pow challenge flipped", "unit A", flip(e1, challenge_at), auth);
  bad("E1 with one bit of the pow nonce flipped", "unit A", flip(e1, nonce_at + 7), auth);
  bad("E1 with one bit of the body ciphertext flipped", "unit A", flip(e1, e1.size() - 200), auth);
  bad("E1 with magic 'CLE1' (version 1, 70-byte tokens)", "unit A", flip(e1, 3, 0x03), malformed);
  {
    Bytes e = e1;
    e[category_at] = std::byte{'F'};
    bad("E1 with category 'Fraud' (upper case is outside [a-z0-9_])", "unit A", e, malformed);
    Bytes dash = e1;
    dash[category_at + 2] = std::byte{'-'};
    bad("E1 with category 'fr-ud' ('-' is outside [a-z0-9_])", "unit A", dash, malformed);
  }
  {
    // Category of 33 'a's.
    Bytes e(e1.begin(), e1.begin() + static_cast<std::ptrdiff_t>(category_at - 1));
    e.push_back(std::byte{33});
    e.insert(e.end(), 33, std::byte{'a'});
    e.insert(e.end(), e1.begin() + static_cast<std::ptrdiff_t>(category_at + 5), e1.end());
    bad("E1 with a 33-byte category", "unit A", e, malformed);
    // Empty category.
    Bytes empty(e1.begin(), e1.begin() + static_cast<std::ptrdiff_t>(category_at - 1));
    empty.push_back(std::byte{0});
    empty.insert(empty.end(), e1.begin() + static_cast<std::ptrdiff_t>(category_at + 5), e1.end());
    bad("E1 with an empty category", "unit A", empty, malformed);
  }
  bad("E1 with one byte appended", "unit A", appended(e1, 0), malformed);
  bad("E1 with its last byte removed", "unit A", truncated(e1, e1.size() - 1), malformed);
  bad("E1 cut just before the payload", "unit A", truncated(e1, payload_at), malformed);
  return out;
}

json::array attachment_vectors(std::string& two_chunk_description) {
  json::array out;
  const auto key_bytes = seed_of("attachment key");
  auto key = must(SecureBuffer::allocate(32), "key");
  std::copy(key_bytes.begin(), key_bytes.end(), key.data());

  const Bytes small =
      bytes("A 100-byte attachment: the photo would go here, with its metadata stripped first!!!");
  const Bytes small_file = [&] {
    Bytes f = small;
    f.resize(100, std::byte{'.'});
    return f;
  }();
  const Bytes small_stream = must(encrypt_attachment(small_file, key), "encrypt");
  out.push_back({{"description", "100-byte file: one chunk (MESSAGE never used, FINAL on chunk 1)"},
                 {"key", b64(key_bytes)},
                 {"stream", b64(small_stream)},
                 {"plaintext", b64(small_file)},
                 {"valid", true}});

  const Bytes big = pattern(70000);
  const Bytes big_stream = must(encrypt_attachment(big, key), "encrypt");
  two_chunk_description =
      "70000-byte file, byte i = i mod 251: two chunks (MESSAGE, FINAL). The plaintext is not "
      "stored; "
      "plaintext_length and plaintext_blake2b_32 (BLAKE2b-32 of the file) describe it";
  json::array rejects;
  auto reject = [&](std::string description, json::object edit, const char* error) {
    edit["description"] = std::move(description);
    edit["valid"] = false;
    edit["error"] = error;
    rejects.push_back(std::move(edit));
  };
  constexpr std::size_t one = 24 + 65553;
  reject("cut after the first chunk (the last chunk is then tagged MESSAGE)", {{"truncate", one}},
         "authentication_failed");
  reject("cut inside the second chunk", {{"truncate", one + 100}}, "invalid_argument");
  reject("cut inside the header", {{"truncate", 10}}, "invalid_argument");
  reject("one byte appended", {{"append", b64(Bytes{std::byte{0}})}}, "invalid_argument");
  reject("a bit of the header flipped", {{"xor", json::array{3, 1}}}, "authentication_failed");
  reject("a bit of chunk 1 flipped", {{"xor", json::array{24 + 1000, 1}}}, "authentication_failed");
  reject("a bit of chunk 2's tag byte flipped", {{"xor", json::array{one, 1}}},
         "authentication_failed");
  reject("a bit of chunk 2's MAC flipped", {{"xor", json::array{big_stream.size() - 1, 128}}},
         "authentication_failed");
  out.push_back(
      {{"description", two_chunk_description +
                           ". `rejects` lists edits of this stream that must be refused: "
                           "truncate (to a length), append (bytes), xor ([offset, mask])"},
       {"key", b64(key_bytes)},
       {"stream", b64(big_stream)},
       {"plaintext_length", big.size()},
       {"plaintext_pattern", "byte i = i mod 251"},
       {"plaintext_blake2b_32", b64(blake2b_32(big))},
       {"valid", true},
       {"rejects", std::move(rejects)}});

  // Malformed streams built with libsodium directly.
  auto raw_stream = [&](const std::vector<std::pair<Bytes, unsigned char>>& chunks) {
    crypto_secretstream_xchacha20poly1305_state st;
    Bytes stream(24 + chunks.size() * 65553);
    crypto_secretstream_xchacha20poly1305_init_push(
        &st, reinterpret_cast<unsigned char*>(stream.data()),
        reinterpret_cast<const unsigned char*>(key.data()));
    for (std::size_t i = 0; i < chunks.size(); ++i) {
      crypto_secretstream_xchacha20poly1305_push(
          &st, reinterpret_cast<unsigned char*>(stream.data() + 24 + i * 65553), nullptr,
          reinterpret_cast<const unsigned char*>(chunks[i].first.data()), chunks[i].first.size(),
          nullptr, 0, chunks[i].second);
    }
    return stream;
  };
  auto padded_chunk = [](const Bytes& data) {
    Bytes c = data;
    c.push_back(std::byte{0x80});
    c.resize(65536);
    return c;
  };
  const unsigned char final_tag = crypto_secretstream_xchacha20poly1305_TAG_FINAL;
  auto bad = [&](std::string description, const Bytes& stream) {
    auto v = invalid(std::move(description), "authentication_failed");
    v["key"] = b64(key_bytes);
    v["stream"] = b64(stream);
    out.push_back(std::move(v));
  };
  bad("one chunk with tag FINAL but no 0x80 marker (all-zero plaintext): bad padding",
      raw_stream({{Bytes(65536), final_tag}}));
  bad("two chunks, FINAL on the first (a FINAL before the last chunk)",
      raw_stream({{pattern(65536), final_tag}, {padded_chunk(bytes("tail")), final_tag}}));
  bad("one well-padded chunk tagged PUSH (only MESSAGE or FINAL are allowed)",
      raw_stream({{padded_chunk(small_file), crypto_secretstream_xchacha20poly1305_TAG_PUSH}}));
  return out;
}

struct AccountCase {
  std::string name;
  std::string passphrase;
  KdfParams params;
};

json::array account_vectors(std::vector<Bytes>& blobs) {
  json::array out;
  const std::vector<AccountCase> cases = {
      {"K1", "correct horse battery staple", {1, 65536}},
      {"K2", "Zhōngwén 中文 passphrase ✓ café", {2, 1048576}},
  };
  const auto unit = box_pair("unit A");
  for (const auto& c : cases) {
    const auto salt = bytes_of<16>("account salt " + c.name);
    const auto nonce = bytes_of<24>("wrap nonce " + c.name);
    const auto keys =
        must(derive_account_keys(c.passphrase, salt, c.params), "derive_account_keys");
    const Bytes blob =
        must(wrap_unit_secret_key_deterministic(unit, keys, salt, c.params, nonce), "wrap");
    blobs.push_back(blob);
    // Intermediate values recomputed with libsodium directly.
    std::array<unsigned char, 32> master{};
    std::array<unsigned char, 32> auth_seed{};
    if (crypto_pwhash(master.data(), master.size(), c.passphrase.data(), c.passphrase.size(),
                      reinterpret_cast<const unsigned char*>(salt.data()), c.params.opslimit,
                      c.params.memlimit, crypto_pwhash_ALG_ARGON2ID13) != 0) {
      throw std::runtime_error("crypto_pwhash");
    }
    crypto_kdf_derive_from_key(auth_seed.data(), auth_seed.size(), 1, "CLacct01", master.data());
    out.push_back(
        {{"description", c.name + ": master = Argon2id13(passphrase as UTF-8 NFC, salt, opslimit, "
                                  "memlimit, 32 bytes); auth_seed and wrap_key = "
                                  "crypto_kdf_derive_from_key(32, 1 resp. 2, \"CLacct01\", "
                                  "master); blob wraps unit A's secret key with the given nonce"},
         {"passphrase", c.passphrase},
         {"salt", b64(salt)},
         {"opslimit", c.params.opslimit},
         {"memlimit", c.params.memlimit},
         {"master_key", b64(std::as_bytes(std::span(master)))},
         {"auth_seed", b64(std::as_bytes(std::span(auth_seed)))},
         {"auth_public_key", b64(keys.auth.public_key.bytes)},
         {"wrap_key", b64(keys.wrap_key.bytes())},
         {"unit_secret_key", b64(unit.secret_key.bytes())},
         {"unit_public_key", b64(unit.public_key.bytes)},
         {"key_id", b64(key_id(unit.public_key))},
         {"nonce", b64(nonce)},
         {"blob", b64(blob)}});
    if (c.name == "K2") {
      out.back().as_object()["passphrase_nfd"] =
          "Zho\u0304ngwe\u0301n 中文 passphrase ✓ cafe\u0301";
      out.back().as_object()["passphrase_nfd_note"] =
          "the same passphrase in NFD; an implementation that normalises (the browser module) must "
          "derive the same keys from it, one that takes NFC bytes (the C++ module) must be given "
          "`passphrase`";
    }
  }
  return out;
}

json::array wrapped_key_vectors(const std::vector<Bytes>& blobs) {
  json::array out;
  const auto unit = box_pair("unit A");
  const std::string passphrase = "correct horse battery staple";
  const Bytes& blob = blobs.at(0);
  out.push_back({{"description",
                  "account vector K1's blob unwrapped with its passphrase (the KDF "
                  "parameters and salt are read from the blob)"},
                 {"blob", b64(blob)},
                 {"passphrase", passphrase},
                 {"unit_secret_key", b64(unit.secret_key.bytes())},
                 {"unit_public_key", b64(unit.public_key.bytes)},
                 {"valid", true}});
  auto bad = [&](std::string description, const Bytes& b, const std::string& phrase,
                 const char* error) {
    auto v = invalid(std::move(description), error);
    v["blob"] = b64(b);
    v["passphrase"] = phrase;
    out.push_back(std::move(v));
  };
  const char* auth = "authentication_failed";
  const char* malformed = "invalid_argument";
  bad("wrong passphrase", blob, "correct horse battery stapler", auth);
  bad("a bit of the ciphertext flipped", flip(blob, 100), passphrase, auth);
  bad("a bit of the key id flipped", flip(blob, 28), passphrase, auth);
  bad("a bit of the nonce flipped", flip(blob, 44), passphrase, auth);
  bad("a bit of the salt flipped", flip(blob, 12), passphrase, auth);
  bad("opslimit changed from 1 to 2", flip(blob, 7, 0x03), passphrase, auth);
  bad("memlimit_kib changed from 64 to 65", flip(blob, 11, 0x01), passphrase, auth);
  {
    Bytes b = blob;
    b[7] = std::byte{0};
    bad("opslimit 0", b, passphrase, malformed);
    b[7] = std::byte{11};
    bad("opslimit 11", b, passphrase, malformed);
    Bytes m = blob;
    m[8] = m[9] = m[10] = std::byte{0};
    m[11] = std::byte{4};
    bad("memlimit_kib 4 (below 8 KiB)", m, passphrase, malformed);
    m[8] = std::byte{0};
    m[9] = std::byte{0x10};
    m[10] = std::byte{0};
    m[11] = std::byte{1};
    bad("memlimit_kib 1048577 (above 1 GiB)", m, passphrase, malformed);
  }
  bad("magic 'CLK2'", flip(blob, 3, 0x03), passphrase, malformed);
  bad("115 bytes", truncated(blob, 115), passphrase, malformed);
  bad("117 bytes", appended(blob, 0), passphrase, malformed);
  {
    // A well-authenticated blob whose key id names unit B while the wrapped
    // secret is unit A's: the final key id check must refuse it.
    const auto b = box_pair("unit B");
    const auto salt = bytes_of<16>("account salt K1");
    const auto nonce = bytes_of<24>("wrap nonce K1");
    const auto keys = must(derive_account_keys(passphrase, salt, {1, 65536}), "derive");
    Bytes head(blob.begin(), blob.begin() + 68);
    const auto id = key_id(b.public_key);
    std::copy(id.begin(), id.end(), head.begin() + 28);
    const Bytes ad = concat({as_bytes("clueline/unit-key/v1"), head});
    Bytes forged = head;
    forged.resize(116);
    crypto_aead_xchacha20poly1305_ietf_encrypt(
        reinterpret_cast<unsigned char*>(forged.data() + 68), nullptr,
        reinterpret_cast<const unsigned char*>(unit.secret_key.data()), 32,
        reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), nullptr,
        reinterpret_cast<const unsigned char*>(nonce.data()),
        reinterpret_cast<const unsigned char*>(keys.wrap_key.data()));
    bad("authenticated blob whose key id (unit B's) is not that of the wrapped key (unit A's)",
        forged, passphrase, auth);
  }
  return out;
}

json::array login_vectors() {
  json::array out;
  const auto salt = bytes_of<16>("account salt K1");
  const auto keys =
      must(derive_account_keys("correct horse battery staple", salt, {1, 65536}), "derive");
  const auto challenge = seed_of("login challenge");
  const Bytes signature = sign_login_challenge(challenge, keys.auth);
  out.push_back({{"description",
                  "crypto_sign_detached(\"clueline/login/v1\" || challenge, auth secret key) "
                  "with the auth key pair of account vector K1"},
                 {"auth_seed", b64(keys.auth.secret_key.bytes().first(32))},
                 {"auth_public_key", b64(keys.auth.public_key.bytes)},
                 {"challenge", b64(challenge)},
                 {"signature", b64(signature)},
                 {"valid", true}});
  auto bad = [&](std::string description, std::span<const std::byte> c, const Bytes& s) {
    json::object v{{"description", std::move(description)},
                   {"auth_public_key", b64(keys.auth.public_key.bytes)},
                   {"challenge", b64(c)},
                   {"signature", b64(s)},
                   {"valid", false}};
    out.push_back(std::move(v));
  };
  const auto other = seed_of("other login challenge");
  bad("the proof checked against another challenge", other, signature);
  bad("a bit of the signature flipped", challenge, flip(signature, 10));
  {
    Bytes bare(64);
    crypto_sign_detached(reinterpret_cast<unsigned char*>(bare.data()), nullptr,
                         reinterpret_cast<const unsigned char*>(challenge.data()), challenge.size(),
                         reinterpret_cast<const unsigned char*>(keys.auth.secret_key.data()));
    bad("a signature of the challenge without the domain string", challenge, bare);
  }
  return out;
}

// ---- onboarding (spec §9.4) ------------------------------------------------------

const char* const kK1Passphrase = "correct horse battery staple";

AccountKeys k1_keys() {
  return must(derive_account_keys(kK1Passphrase, bytes_of<16>("account salt K1"), {1, 65536}),
              "derive");
}

json::array account_box_key_vectors() {
  json::array out;
  const auto salt = bytes_of<16>("account salt K1");
  const AccountKeys keys = k1_keys();
  // Recomputed with libsodium directly: subkey 3 of the master, as an
  // X25519 secret, and its public key.
  std::array<unsigned char, 32> master{};
  std::array<unsigned char, 32> secret{};
  std::array<unsigned char, 32> public_key{};
  if (crypto_pwhash(master.data(), master.size(), kK1Passphrase, std::strlen(kK1Passphrase),
                    reinterpret_cast<const unsigned char*>(salt.data()), 1, 65536,
                    crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error("crypto_pwhash");
  }
  crypto_kdf_derive_from_key(secret.data(), secret.size(), 3, "CLacct01", master.data());
  crypto_scalarmult_base(public_key.data(), secret.data());
  if (std::memcmp(public_key.data(), keys.box.public_key.bytes.data(), 32) != 0) {
    throw std::runtime_error("box key mismatch");
  }
  out.push_back({{"description",
                  "account vector K1's box key: secret = crypto_kdf_derive_from_key(32, 3, "
                  "\"CLacct01\", master), public = crypto_scalarmult_base(secret)"},
                 {"passphrase", kK1Passphrase},
                 {"salt", b64(salt)},
                 {"opslimit", 1},
                 {"memlimit", 65536},
                 {"box_secret_key", b64(std::as_bytes(std::span(secret)))},
                 {"box_public_key", b64(keys.box.public_key.bytes)}});
  return out;
}

json::array activation_proof_vectors() {
  json::array out;
  const AccountKeys keys = k1_keys();
  const auto code = seed_of("invitation code");
  const Bytes signature = sign_activation(code, keys.box.public_key, keys.auth);
  out.push_back({{"description",
                  "crypto_sign_detached(\"clueline/activate/v1\" || code || box_public_key, auth "
                  "secret key) with account vector K1's keys"},
                 {"auth_seed", b64(keys.auth.secret_key.bytes().first(32))},
                 {"auth_public_key", b64(keys.auth.public_key.bytes)},
                 {"box_public_key", b64(keys.box.public_key.bytes)},
                 {"code", b64(code)},
                 {"invitation_code_hash", b64(blake2b<32>({code}))},
                 {"signature", b64(signature)},
                 {"valid", true}});
  const auto bad = [&](std::string description, std::span<const std::byte> c,
                       const BoxPublicKey& box, const Bytes& sig) {
    out.push_back({{"description", std::move(description)},
                   {"auth_public_key", b64(keys.auth.public_key.bytes)},
                   {"box_public_key", b64(box.bytes)},
                   {"code", b64(c)},
                   {"signature", b64(sig)},
                   {"valid", false}});
  };
  bad("the proof checked with another box key (a substituted key)", code,
      box_pair("substituted box key").public_key, signature);
  bad("the proof checked against another invitation code", seed_of("other invitation code"),
      keys.box.public_key, signature);
  bad("a bit of the signature flipped", code, keys.box.public_key, flip(signature, 5));
  return out;
}

json::array account_fingerprint_vectors() {
  json::array out;
  const AccountKeys keys = k1_keys();
  out.push_back({{"description",
                  "the first 10 bytes of BLAKE2b-32(\"clueline/account-fingerprint/v1\" || "
                  "auth_public_key || box_public_key) as five groups of four lower-case hex "
                  "digits, for account vector K1"},
                 {"auth_public_key", b64(keys.auth.public_key.bytes)},
                 {"box_public_key", b64(keys.box.public_key.bytes)},
                 {"fingerprint", account_fingerprint(keys.auth.public_key, keys.box.public_key)}});
  const auto other = box_pair("substituted box key");
  out.push_back({{"description", "the same auth key with a substituted box key"},
                 {"auth_public_key", b64(keys.auth.public_key.bytes)},
                 {"box_public_key", b64(other.public_key.bytes)},
                 {"fingerprint", account_fingerprint(keys.auth.public_key, other.public_key)}});
  return out;
}

json::array unit_key_grant_vectors() {
  json::array out;
  const AccountKeys keys = k1_keys();
  const auto unit = box_pair("unit A");
  const Bytes grant = must(seal_unit_key_grant(unit, keys.box.public_key), "grant");
  out.push_back({{"description",
                  "crypto_box_seal(unit A's secret key, account vector K1's box public key) "
                  "(randomised: open-only); the opened key's id must be key_id"},
                 {"box_secret_key", b64(keys.box.secret_key.bytes())},
                 {"box_public_key", b64(keys.box.public_key.bytes)},
                 {"key_id", b64(key_id(unit.public_key))},
                 {"grant", b64(grant)},
                 {"unit_secret_key", b64(unit.secret_key.bytes())},
                 {"valid", true}});
  const auto bad = [&](std::string description, const Bytes& g, const KeyId& id,
                       const char* error) {
    auto v = invalid(std::move(description), error);
    v["box_secret_key"] = b64(keys.box.secret_key.bytes());
    v["box_public_key"] = b64(keys.box.public_key.bytes);
    v["key_id"] = b64(id);
    v["grant"] = b64(g);
    out.push_back(std::move(v));
  };
  bad("a bit of the sealed key flipped", flip(grant, 40), key_id(unit.public_key),
      "authentication_failed");
  bad("the key inside is not the stated key id (unit B's)", grant,
      key_id(box_pair("unit B").public_key), "authentication_failed");
  bad("79 bytes", Bytes(grant.begin(), grant.end() - 1), key_id(unit.public_key),
      "invalid_argument");
  return out;
}

void write_file(const fs::path& path, std::span<const std::byte> content) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(content.data()),
            static_cast<std::streamsize>(content.size()));
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

}  // namespace

int main(int argc, char** argv) {
  // Before anything starts libsodium: sodium_init() seeds from this source.
  randombytes_set_implementation(&deterministic_rng);
  try {
    initialize();
    const fs::path vectors_path = argc > 1 ? fs::path(argv[1]) : fs::path(CLUELINE_TEST_VECTORS);
    const fs::path corpus_dir = argc > 2 ? fs::path(argv[2]) : fs::path(CLUELINE_FUZZ_CORPUS);

    std::vector<Bytes> envelope_corpus;
    Bytes corpus_payload;
    std::vector<Bytes> blobs;
    std::string two_chunk;
    json::object root;
    root["version"] = 2;
    root["description"] =
        "Test vectors of docs/crypto-spec.md (protocol version 2), generated by "
        "tests/crypto/make_test_vectors.cpp with the C++ reference. Binary values are base64url "
        "(RFC 4648 section 5, no padding). Fixed seeds, salts and nonces are BLAKE2b-32(\"clueline/"
        "test-vector/\" || label), truncated where shorter. Cases with \"valid\": false must be "
        "refused "
        "with \"error\" (spec section 11: invalid_argument = malformed, authentication_failed = a "
        "signature, seal, tag, key id or padding that does not check out). crypto_box_seal and "
        "secretstream headers are randomised, so payload, envelope and attachment vectors are "
        "open-only.";
    root["base64url"] = base64url_vectors();
    root["key_id"] = key_id_vectors();
    root["site_token"] = site_token_vectors();
    root["unit_key_certificate"] = unit_key_certificate_vectors();
    root["pow"] = pow_vectors();
    root["receipt"] = receipt_vectors();
    root["receipt_normalization"] = receipt_normalization_vectors();
    root["padding"] = padding_vectors();
    root["unpad"] = unpad_vectors();
    root["payload"] = payload_vectors(corpus_payload);
    root["envelope"] = envelope_vectors(envelope_corpus);
    root["attachment"] = attachment_vectors(two_chunk);
    root["account"] = account_vectors(blobs);
    root["wrapped_key"] = wrapped_key_vectors(blobs);
    root["login"] = login_vectors();
    root["account_box_key"] = account_box_key_vectors();
    root["activation_proof"] = activation_proof_vectors();
    root["account_fingerprint"] = account_fingerprint_vectors();
    root["unit_key_grant"] = unit_key_grant_vectors();

    {
      std::ofstream out(vectors_path, std::ios::binary | std::ios::trunc);
      print(out, root, 0);
      out << "\n";
      if (!out) throw std::runtime_error("cannot write " + vectors_path.string());
    }

    // Seed corpora for the fuzz targets: the two valid envelopes and a few
    // of the rejected ones, a bare payload; tokens as text and raw bytes.
    fs::create_directories(corpus_dir / "envelope");
    fs::create_directories(corpus_dir / "site_token");
    const std::size_t keep = std::min<std::size_t>(envelope_corpus.size(), 8);
    for (std::size_t i = 0; i < keep; ++i) {
      write_file(corpus_dir / "envelope" / ("envelope-" + std::to_string(i)), envelope_corpus[i]);
    }
    write_file(corpus_dir / "envelope" / "payload-p2", corpus_payload);
    write_file(corpus_dir / "envelope" / "wrapped-key-k1", blobs.at(0));
    const auto signer = signing_pair("site-signing");
    int n = 0;
    for (const SiteToken t : {SiteToken{1, 1}, SiteToken{4242, 7}}) {
      const std::string text = sign_site_token(t, signer);
      write_file(corpus_dir / "site_token" / ("text-" + std::to_string(n)), as_bytes(text));
      write_file(corpus_dir / "site_token" / ("raw-" + std::to_string(n)),
                 sign_site_token_raw(t, signer));
      ++n;
    }
    n = 0;
    for (const json::value& v : root["unit_key_certificate"].as_array()) {
      write_file(corpus_dir / "site_token" / ("certificate-" + std::to_string(n++)),
                 must(from_base64url(v.at("certificate").as_string()), "certificate"));
    }
    std::cout << "wrote " << vectors_path.string() << " and " << corpus_dir.string() << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "make_crypto_test_vectors: " << e.what() << "\n";
    return 1;
  }
}
