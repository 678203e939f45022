// What a report's envelope needs from a route answer (docs/api.md, GET
// /api/v1/route), for the bench clients clueline_loadgen and clueline_flood.
// They seal to the keys as served: the certificate checks of a real client
// (crypto-spec §3.1) are left out, as the server is the one under test.
#pragma once

#include <algorithm>
#include <boost/json.hpp>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "clueline/crypto/encoding.hpp"
#include "clueline/crypto/keys.hpp"
#include "clueline/crypto/pow.hpp"

namespace clueline::bench {

struct Route {
  std::vector<crypto::BoxPublicKey> keys;  // every key of every recipient
  crypto::PowChallenge challenge{};
  unsigned difficulty = 0;
};

inline crypto::Bytes decode(std::string_view text, std::string_view what) {
  auto bytes = crypto::from_base64url(text);
  if (!bytes) throw std::runtime_error(std::string(what) + " is not base64url");
  return std::move(*bytes);
}

// A `pow` object of a route or follow-up challenge answer.
inline void parse_pow(const boost::json::value& pow, crypto::PowChallenge& challenge,
                      unsigned& difficulty) {
  const auto bytes = decode(pow.at("challenge").as_string(), "pow.challenge");
  if (bytes.size() != challenge.size()) throw std::runtime_error("pow.challenge is not 32 bytes");
  std::copy(bytes.begin(), bytes.end(), challenge.begin());
  difficulty = static_cast<unsigned>(pow.at("difficulty").to_number<std::int64_t>());
}

// Throws std::exception for an answer without the members a route has.
inline Route parse_route(const boost::json::value& value) {
  Route route;
  for (const auto& recipient : value.at("recipients").as_array()) {
    for (const auto& key : recipient.at("keys").as_array()) {
      const auto bytes = decode(key.at("public_key").as_string(), "public_key");
      auto public_key = crypto::box_public_key_from(bytes);
      if (!public_key) throw std::runtime_error("public_key is not 32 bytes");
      route.keys.push_back(*public_key);
    }
  }
  if (route.keys.empty()) throw std::runtime_error("route answer without recipient keys");
  parse_pow(value.at("pow"), route.challenge, route.difficulty);
  return route;
}

inline Route parse_route(std::string_view json) { return parse_route(boost::json::parse(json)); }

}  // namespace clueline::bench
