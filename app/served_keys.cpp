#include "served_keys.hpp"

#include <algorithm>
#include <ctime>
#include <stdexcept>
#include <string>

#include "clueline/crypto/encoding.hpp"
#include "clueline/crypto/site_token.hpp"
#include "clueline/crypto/unit_key_certificate.hpp"

namespace clueline::app {
namespace {

namespace json = boost::json;

// `text` as exactly N bytes of base64url, or nothing.
template <std::size_t N>
std::optional<std::array<std::byte, N>> fixed_bytes(const json::value* text) {
  if (text == nullptr || !text->is_string()) return std::nullopt;
  const auto bytes = crypto::from_base64url(text->as_string());
  if (!bytes || bytes->size() != N) return std::nullopt;
  std::array<std::byte, N> out{};
  std::copy(bytes->begin(), bytes->end(), out.begin());
  return out;
}

[[noreturn]] void refuse(const std::string& what) {
  throw std::runtime_error(what + ": refusing to seal anything to the keys it names");
}

}  // namespace

crypto::SigningPublicKey anchored_deployment_key(const json::object& answer,
                                                 std::span<const std::byte> token) {
  const auto named = fixed_bytes<32>(answer.if_contains("deployment_key"));
  if (!named) refuse("the server named no deployment key");
  const crypto::SigningPublicKey key{*named};
  // verify_site_token_bytes checks the fingerprint, then the signature.
  if (!crypto::verify_site_token_bytes(token, key)) {
    refuse("the server's deployment key is not the one the poster was signed with");
  }
  return key;
}

std::vector<crypto::BoxPublicKey> certified_keys(const json::value& unit, const ServedUnit& served,
                                                 const crypto::SigningPublicKey& deployment_key,
                                                 std::uint64_t now) {
  const json::object* object = unit.if_object();
  if (object == nullptr) refuse("the server's answer names no unit");
  const json::value* id = object->if_contains(served.id_field);
  const json::value* level = object->if_contains("level");
  const json::value* keys = object->if_contains("keys");
  if (id == nullptr || !id->is_number() || level == nullptr || !level->is_string() ||
      keys == nullptr || !keys->is_array()) {
    refuse("the server's unit is malformed");
  }
  const auto unit_id = id->to_number<std::uint32_t>();
  const std::string who = "unit " + std::to_string(unit_id);
  if (served.expected && *served.expected != unit_id) {
    refuse("the server answered for " + who + ", not unit " + std::to_string(*served.expected));
  }
  crypto::CertifiedUnit certified{.unit_id = unit_id, .level = std::string(level->as_string())};
  if (served.check_parent) {
    const json::value* parent = object->if_contains("parent_id");
    if (parent == nullptr || !parent->is_number()) refuse("the server's unit names no parent");
    certified.parent_id = parent->to_number<std::uint32_t>();
  }
  std::vector<crypto::BoxPublicKey> sealed_to;
  for (const json::value& key : keys->as_array()) {
    const json::object* entry = key.if_object();
    if (entry == nullptr) refuse("a key the server names for " + who + " is malformed");
    if (const json::value* current = entry->if_contains("current");
        current != nullptr && current->is_bool() && !current->get_bool()) {
      continue;  // kept to open older reports; nothing new is sealed to it
    }
    const auto public_key = fixed_bytes<32>(entry->if_contains("public_key"));
    const auto key_id = fixed_bytes<16>(entry->if_contains("key_id"));
    if (!public_key || !key_id) refuse("a key the server names for " + who + " is malformed");
    const crypto::BoxPublicKey box{*public_key};
    if (*key_id != crypto::key_id(box)) {
      refuse("a key the server names for " + who + " has another key's id");
    }
    const json::value* certificate = entry->if_contains("certificate");
    const auto certificate_bytes = certificate != nullptr && certificate->is_string()
                                       ? crypto::from_base64url(certificate->as_string())
                                       : result<crypto::Bytes>(errc::invalid_argument);
    const auto verified =
        certificate_bytes ? crypto::verify_unit_key_certificate(*certificate_bytes, deployment_key)
                          : result<crypto::UnitKeyCertificate>(errc::invalid_argument);
    if (!verified) {
      refuse("a key the server names for " + who +
             " has no valid certificate from the deployment key");
    }
    const std::string mismatch = crypto::certificate_mismatch(*verified, certified, box, now);
    if (!mismatch.empty()) refuse("a key the server names for " + who + ": " + mismatch);
    sealed_to.push_back(box);
  }
  if (sealed_to.empty()) refuse(who + " has no current key");
  return sealed_to;
}

std::uint64_t unix_now() { return static_cast<std::uint64_t>(std::time(nullptr)); }

}  // namespace clueline::app
