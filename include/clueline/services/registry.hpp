// The deployment's registry as the running server routes over it: the
// deployment record, the units as a routing tree, and the sites. Readers
// take an immutable snapshot; the administration API installs a new one
// after each change it has written, so a request always sees one
// consistent registry and changes apply without a restart.
//
// Thread safety: Registry's members may be called from any thread;
// snapshots are immutable and shared.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "clueline/common/error.hpp"
#include "clueline/crypto/keys.hpp"
#include "clueline/routing/policy.hpp"
#include "clueline/routing/tree.hpp"
#include "clueline/storage/records.hpp"
#include "clueline/storage/store.hpp"

namespace clueline::services {

struct RegistrySnapshot {
  std::optional<storage::Deployment> deployment;  // none until the first site
  std::optional<crypto::SigningPublicKey> signing_key;
  std::unordered_map<std::uint32_t, storage::Unit> units;
  std::unordered_map<std::uint32_t, storage::Site> sites;
  routing::Tree tree;

  // nullptr if unknown; valid while the snapshot is.
  const storage::Unit* unit(std::uint32_t id) const;
  const storage::Site* site(std::uint32_t id) const;
};

// What stands in the way of a registry: nothing, the units do not form a
// tree over the policy's levels, the policy's designations do not fit them,
// or the deployment's signing key is unusable. `why` says which unit and how.
enum class RegistryProblem { kNone, kTree, kPolicy, kSigningKey };
struct RegistryBuild {
  std::shared_ptr<const RegistrySnapshot> snapshot;  // set when problem == kNone
  RegistryProblem problem = RegistryProblem::kNone;
  std::string why;
};
// The snapshot of these records, checked as start-up checks them. No I/O;
// the units in any order (the tree takes them by id).
RegistryBuild build_registry(std::unordered_map<std::uint32_t, storage::Unit> units,
                             std::unordered_map<std::uint32_t, storage::Site> sites,
                             std::optional<storage::Deployment> deployment,
                             const routing::Policy& policy);

// The registry as stored (blocking). The units must form a tree over
// `policy`'s levels and fit its designations; otherwise invalid_argument
// with `*problem` saying why (`policy_name` names the policy there); a
// read error as itself.
result<std::shared_ptr<const RegistrySnapshot>> read_registry(const storage::Store& store,
                                                              const routing::Policy& policy,
                                                              const std::string& policy_name,
                                                              std::string* problem = nullptr);

class Registry {
 public:
  explicit Registry(std::shared_ptr<const RegistrySnapshot> initial)
      : current_(std::move(initial)) {}
  std::shared_ptr<const RegistrySnapshot> current() const;
  void replace(std::shared_ptr<const RegistrySnapshot> next);

 private:
  mutable std::mutex mutex_;
  std::shared_ptr<const RegistrySnapshot> current_;
};

}  // namespace clueline::services
