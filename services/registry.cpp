#include "clueline/services/registry.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "clueline/services/jurisdiction.hpp"

namespace clueline::services {

const storage::Unit* RegistrySnapshot::unit(std::uint32_t id) const {
  const auto found = units.find(id);
  return found == units.end() ? nullptr : &found->second;
}

const storage::Site* RegistrySnapshot::site(std::uint32_t id) const {
  const auto found = sites.find(id);
  return found == sites.end() ? nullptr : &found->second;
}

RegistryBuild build_registry(std::unordered_map<std::uint32_t, storage::Unit> units,
                             std::unordered_map<std::uint32_t, storage::Site> sites,
                             std::optional<storage::Deployment> deployment,
                             const routing::Policy& policy) {
  std::vector<storage::Unit> ordered;
  ordered.reserve(units.size());
  for (const auto& [id, unit] : units) ordered.push_back(unit);
  std::sort(ordered.begin(), ordered.end(),
            [](const auto& a, const auto& b) { return a.id < b.id; });
  RegistryBuild build;
  auto tree = routing::Tree::make(unit_nodes(ordered), policy.levels(), &build.why);
  if (!tree) {
    build.problem = RegistryProblem::kTree;
    return build;
  }
  if (!policy.check_against(*tree, build.why)) {
    build.problem = RegistryProblem::kPolicy;
    return build;
  }
  std::optional<crypto::SigningPublicKey> signing_key;
  if (deployment) {
    auto key = crypto::signing_public_key_from(deployment->site_signing_public_key);
    if (!key) {
      build.problem = RegistryProblem::kSigningKey;
      build.why = "the deployment's site-signing public key is invalid";
      return build;
    }
    signing_key = *key;
  }
  build.snapshot =
      std::make_shared<const RegistrySnapshot>(RegistrySnapshot{.deployment = std::move(deployment),
                                                                .signing_key = signing_key,
                                                                .units = std::move(units),
                                                                .sites = std::move(sites),
                                                                .tree = std::move(*tree)});
  return build;
}

result<std::shared_ptr<const RegistrySnapshot>> read_registry(const storage::Store& store,
                                                              const routing::Policy& policy,
                                                              const std::string& policy_name,
                                                              std::string* problem) {
  auto units = storage::list_units(store);
  if (!units) return units.error();
  auto sites = storage::list_sites(store);
  if (!sites) return sites.error();
  std::optional<storage::Deployment> deployment;
  if (auto stored = storage::load_deployment(store)) {
    deployment = *stored;
  } else if (stored.error() != errc::not_found) {
    return stored.error();
  }
  std::unordered_map<std::uint32_t, storage::Unit> units_by_id;
  for (storage::Unit& unit : *units) units_by_id.emplace(unit.id, std::move(unit));
  std::unordered_map<std::uint32_t, storage::Site> sites_by_id;
  for (storage::Site& site : *sites) sites_by_id.emplace(site.id, std::move(site));
  RegistryBuild build =
      build_registry(std::move(units_by_id), std::move(sites_by_id), std::move(deployment), policy);
  switch (build.problem) {
    case RegistryProblem::kNone:
      return build.snapshot;
    case RegistryProblem::kTree:
      if (problem != nullptr) {
        *problem = "the stored unit tree does not fit the routing policy's levels: " + build.why;
      }
      return errc::invalid_argument;
    case RegistryProblem::kPolicy:
      if (problem != nullptr) *problem = "routing policy " + policy_name + ": " + build.why;
      return errc::invalid_argument;
    case RegistryProblem::kSigningKey:
      if (problem != nullptr) *problem = build.why;
      return errc::storage_corruption;
  }
  return errc::internal;
}

std::shared_ptr<const RegistrySnapshot> Registry::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

void Registry::replace(std::shared_ptr<const RegistrySnapshot> next) {
  std::lock_guard lock(mutex_);
  current_ = std::move(next);
}

}  // namespace clueline::services
