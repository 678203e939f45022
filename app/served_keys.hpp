// The checks a client makes before sealing anything to unit keys a server
// names (docs/crypto-spec.md §3.1): the deployment key the answer names is
// the one whose fingerprint the poster's token carries (check 1), and every
// key has a valid certificate for that unit, in time, from it (checks 2-4).
// Used by `submit`, `followup --message`, `transfer` and `recuse`.
//
// Each function throws std::runtime_error saying what is wrong and that
// nothing is sealed; none does I/O.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "clueline/crypto/keys.hpp"

namespace clueline::app {

// The answer's "deployment_key", after check 1 against the raw token bytes
// (from the poster, or from an envelope the caller opened, whose header is
// authenticated).
crypto::SigningPublicKey anchored_deployment_key(const boost::json::object& answer,
                                                 std::span<const std::byte> token);

// What the caller knows of the unit the keys are for, besides the answer.
struct ServedUnit {
  std::string_view id_field;              // "unit_id" in a route, "id" elsewhere
  std::optional<std::uint32_t> expected;  // the unit the caller asked for, if it did
  bool check_parent = false;              // the answer's unit has "parent_id" to compare
};

// The current keys of `unit` (an answer's unit object; keys with
// "current": false are passed over), each after checks 2 to 4 at `now`
// (Unix seconds). A key whose certificate fails stops everything.
std::vector<crypto::BoxPublicKey> certified_keys(const boost::json::value& unit,
                                                 const ServedUnit& served,
                                                 const crypto::SigningPublicKey& deployment_key,
                                                 std::uint64_t now);

// The current time for certified_keys.
std::uint64_t unix_now();

}  // namespace clueline::app
