// A command-line face of the C++ crypto module for the interoperability
// tests in web/crypto/test/interop.test.mjs: the JavaScript side builds
// artefacts that this tool opens, and opens what this tool builds.
//
// Binary arguments and outputs are base64url; results are one JSON object on
// stdout; failures exit 1 with one line on stderr.
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "clueline/crypto/crypto.hpp"

namespace {

namespace crypto = clueline::crypto;
using crypto::Bytes;

struct Arguments {
  std::multimap<std::string, std::string> values;

  const std::string& one(const std::string& name) const {
    const auto found = values.find(name);
    if (found == values.end()) throw std::runtime_error("missing --" + name);
    return found->second;
  }
  std::vector<std::string> all(const std::string& name) const {
    std::vector<std::string> result;
    for (auto [it, end] = values.equal_range(name); it != end; ++it) result.push_back(it->second);
    return result;
  }
};

template <typename T>
T check(clueline::result<T> value, const std::string& what) {
  if (!value) throw std::runtime_error(what + ": " + value.error().message());
  return std::move(*value);
}

Bytes decode(const Arguments& args, const std::string& name) {
  return check(crypto::from_base64url(args.one(name)), "--" + name);
}

std::string encode(std::span<const std::byte> bytes) { return crypto::to_base64url(bytes); }

Bytes read_binary(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  const std::string text{std::istreambuf_iterator<char>(in), {}};
  const auto* begin = reinterpret_cast<const std::byte*>(text.data());
  return Bytes(begin, begin + text.size());
}

void write_binary(const std::string& path, std::span<const std::byte> bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

crypto::BoxKeyPair box_key_pair(const Arguments& args) {
  return check(crypto::box_key_pair_from_secret(decode(args, "secret-key")), "--secret-key");
}

std::vector<crypto::BoxPublicKey> recipients(const Arguments& args) {
  std::vector<crypto::BoxPublicKey> keys;
  for (const auto& text : args.all("recipient")) {
    const Bytes bytes = check(crypto::from_base64url(text), "--recipient");
    keys.push_back(check(crypto::box_public_key_from(bytes), "--recipient"));
  }
  return keys;
}

crypto::PayloadDomain domain(const Arguments& args) {
  const std::string& name = args.one("domain");
  if (name == "envelope") return crypto::PayloadDomain::kEnvelope;
  if (name == "message") return crypto::PayloadDomain::kMessage;
  if (name == "reply") return crypto::PayloadDomain::kReply;
  throw std::runtime_error("--domain must be envelope, message or reply");
}

template <std::size_t N>
std::array<std::byte, N> fixed(const Arguments& args, const std::string& name) {
  const Bytes bytes = decode(args, name);
  if (bytes.size() != N)
    throw std::runtime_error("--" + name + " must be " + std::to_string(N) + " bytes");
  std::array<std::byte, N> result;
  std::copy(bytes.begin(), bytes.end(), result.begin());
  return result;
}

std::string as_string(std::span<const std::byte> bytes) {
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

boost::json::object run(const std::string& command, const Arguments& args) {
  if (command == "keygen-box") {
    const auto pair = crypto::generate_box_key_pair();
    return {{"public_key", encode(pair.public_key.bytes)},
            {"secret_key", encode(pair.secret_key.bytes())},
            {"key_id", encode(crypto::key_id(pair.public_key))}};
  }
  if (command == "keygen-sign") {
    const auto pair = crypto::generate_signing_key_pair();
    return {{"public_key", encode(pair.public_key.bytes)},
            {"secret_key", encode(pair.secret_key.bytes())}};
  }
  if (command == "sign-token") {
    const auto pair =
        check(crypto::signing_key_pair_from_secret(decode(args, "secret-key")), "--secret-key");
    const crypto::SiteToken token{
        static_cast<std::uint32_t>(std::stoul(args.one("site-id"))),
        static_cast<std::uint16_t>(std::stoul(args.one("token-version")))};
    return {{"token", crypto::sign_site_token(token, pair)}};
  }
  if (command == "verify-token") {
    const auto key =
        check(crypto::signing_public_key_from(decode(args, "public-key")), "--public-key");
    const auto token = check(crypto::verify_site_token(args.one("token"), key), "token");
    return {{"site_id", token.site_id}, {"token_version", token.token_version}};
  }
  if (command == "sign-unit-cert") {
    const auto pair =
        check(crypto::signing_key_pair_from_secret(decode(args, "secret-key")), "--secret-key");
    crypto::UnitKeyCertificate fields;
    fields.unit_id = static_cast<std::uint32_t>(std::stoul(args.one("unit-id")));
    fields.parent_id = static_cast<std::uint32_t>(std::stoul(args.one("parent-id")));
    fields.level = args.one("level");
    fields.public_key =
        check(crypto::box_public_key_from(decode(args, "public-key")), "--public-key");
    fields.not_before = std::stoull(args.one("not-before"));
    fields.not_after = std::stoull(args.one("not-after"));
    return {{"certificate", encode(crypto::sign_unit_key_certificate(fields, pair))}};
  }
  if (command == "verify-unit-cert") {
    const auto key =
        check(crypto::signing_public_key_from(decode(args, "public-key")), "--public-key");
    const auto certificate =
        check(crypto::verify_unit_key_certificate(decode(args, "certificate"), key), "certificate");
    return {{"unit_id", certificate.unit_id},
            {"parent_id", certificate.parent_id},
            {"level", certificate.level},
            {"key_id", encode(certificate.key_id)},
            {"public_key", encode(certificate.public_key.bytes)},
            {"not_before", certificate.not_before},
            {"not_after", certificate.not_after}};
  }
  if (command == "seal-envelope") {
    crypto::EnvelopeHeader header;
    const Bytes token = check(crypto::from_base64url(args.one("token")), "--token");
    if (token.size() != header.site_token.size())
      throw std::runtime_error("--token has the wrong length");
    std::copy(token.begin(), token.end(), header.site_token.begin());
    header.category = args.one("category");
    header.accused_level = args.one("accused-level");
    header.reply_public_key =
        check(crypto::box_public_key_from(decode(args, "reply-public-key")), "--reply-public-key");
    header.receipt_lookup_hash = fixed<32>(args, "receipt-lookup-hash");
    header.pow_challenge = fixed<32>(args, "pow-challenge");
    header.pow_nonce = fixed<8>(args, "pow-nonce");
    const Bytes body = read_binary(args.one("body-file"));
    const Bytes envelope =
        check(crypto::seal_envelope(header, recipients(args), as_string(body)), "seal_envelope");
    write_binary(args.one("out"), envelope);
    return {{"bytes", envelope.size()}};
  }
  if (command == "open-envelope") {
    const Bytes envelope = read_binary(args.one("in"));
    const auto parsed = check(crypto::parse_envelope(envelope), "parse_envelope");
    const auto body = check(crypto::open_envelope(envelope, box_key_pair(args)), "open_envelope");
    // The token's fields, read without verifying: verification needs the
    // deployment key and is exercised by verify-token.
    const auto& raw = parsed.header.site_token;
    const auto byte_at = [&raw](std::size_t i) { return std::to_integer<std::uint32_t>(raw[i]); };
    const crypto::SiteToken token{
        (byte_at(0) << 24) | (byte_at(1) << 16) | (byte_at(2) << 8) | byte_at(3),
        static_cast<std::uint16_t>((byte_at(4) << 8) | byte_at(5))};
    return {{"site_id", token.site_id},
            {"token_version", token.token_version},
            {"category", parsed.header.category},
            {"accused_level", parsed.header.accused_level},
            {"reply_public_key", encode(parsed.header.reply_public_key.bytes)},
            {"receipt_lookup_hash", encode(parsed.header.receipt_lookup_hash)},
            {"body", as_string(body.bytes())}};
  }
  if (command == "seal-payload") {
    const Bytes payload = check(crypto::seal_payload(domain(args), decode(args, "context"),
                                                     recipients(args), read_binary(args.one("in"))),
                                "seal_payload");
    write_binary(args.one("out"), payload);
    return {{"bytes", payload.size()}};
  }
  if (command == "open-payload") {
    const auto plaintext =
        check(crypto::open_payload(domain(args), decode(args, "context"),
                                   read_binary(args.one("in")), box_key_pair(args)),
              "open_payload");
    write_binary(args.one("out"), plaintext.bytes());
    return {{"bytes", plaintext.size()}};
  }
  if (command == "encrypt-attachment" || command == "decrypt-attachment") {
    const Bytes key_bytes = decode(args, "key");
    auto key = check(crypto::SecureBuffer::allocate(key_bytes.size()), "key");
    std::copy(key_bytes.begin(), key_bytes.end(), key.data());
    const Bytes input = read_binary(args.one("in"));
    if (command == "encrypt-attachment") {
      write_binary(args.one("out"),
                   check(crypto::encrypt_attachment(input, key), "encrypt_attachment"));
    } else {
      const auto plaintext = check(crypto::decrypt_attachment(input, key), "decrypt_attachment");
      write_binary(args.one("out"), std::span<const std::byte>(plaintext.data(), plaintext.size()));
    }
    return {{"ok", true}};
  }
  if (command == "wrap-key") {
    const crypto::KdfParams params{static_cast<std::uint32_t>(std::stoul(args.one("opslimit"))),
                                   std::stoull(args.one("memlimit"))};
    const Bytes salt = decode(args, "salt");
    const auto account = check(crypto::derive_account_keys(args.one("passphrase"), salt, params),
                               "derive_account_keys");
    const Bytes blob =
        check(crypto::wrap_unit_secret_key(box_key_pair(args), account, salt, params),
              "wrap_unit_secret_key");
    return {{"blob", encode(blob)}};
  }
  if (command == "unwrap-key") {
    const auto pair =
        check(crypto::unwrap_unit_secret_key(decode(args, "blob"), args.one("passphrase")),
              "unwrap_unit_secret_key");
    return {{"public_key", encode(pair.public_key.bytes)},
            {"secret_key", encode(pair.secret_key.bytes())}};
  }
  if (command == "derive-receipt") {
    const auto keys = check(crypto::derive_receipt_keys(args.one("receipt"), decode(args, "salt")),
                            "derive_receipt_keys");
    return {{"lookup_key", encode(keys.lookup_key.bytes())},
            {"lookup_hash", encode(keys.lookup_hash)},
            {"reply_public_key", encode(keys.reply_key_pair.public_key.bytes)},
            {"reply_secret_key", encode(keys.reply_key_pair.secret_key.bytes())}};
  }
  if (command == "solve-pow") {
    const auto nonce = crypto::solve_pow(fixed<32>(args, "challenge"),
                                         static_cast<unsigned>(std::stoul(args.one("difficulty"))));
    return {{"nonce", encode(nonce)}};
  }
  throw std::runtime_error("unknown command " + command);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: crypto_tool COMMAND [--name value ...]\n";
    return 2;
  }
  try {
    crypto::initialize();
    Arguments args;
    for (int i = 2; i + 1 < argc; i += 2) {
      std::string name = argv[i];
      if (!name.starts_with("--")) throw std::runtime_error("expected --name, got " + name);
      args.values.emplace(name.substr(2), argv[i + 1]);
    }
    if (argc % 2 != 0) throw std::runtime_error("every --name needs a value");
    std::cout << boost::json::serialize(run(argv[1], args)) << '\n';
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "crypto_tool: " << e.what() << '\n';
    return 1;
  }
}
