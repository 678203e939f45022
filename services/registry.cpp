#include "clueline/services/registry.hpp"

#include <utility>

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

result<std::shared_ptr<const RegistrySnapshot>> read_registry(const storage::Store& store,
                                                              const routing::Policy& policy,
                                                              const std::string& policy_name,
                                                              std::string* problem) {
  std::string why;
  auto units = storage::list_units(store);
  if (!units) return units.error();
  auto tree = routing::Tree::make(unit_nodes(*units), policy.levels(), &why);
  if (!tree) {
    if (problem != nullptr) {
      *problem = "the stored unit tree does not fit the routing policy's levels: " + why;
    }
    return errc::invalid_argument;
  }
  if (!policy.check_against(*tree, why)) {
    if (problem != nullptr) *problem = "routing policy " + policy_name + ": " + why;
    return errc::invalid_argument;
  }
  auto snapshot = std::make_shared<RegistrySnapshot>(RegistrySnapshot{.deployment = std::nullopt,
                                                                      .signing_key = std::nullopt,
                                                                      .units = {},
                                                                      .sites = {},
                                                                      .tree = std::move(*tree)});
  auto deployment = storage::load_deployment(store);
  if (deployment) {
    auto key = crypto::signing_public_key_from(deployment->site_signing_public_key);
    if (!key) {
      if (problem != nullptr) *problem = "the deployment's site-signing public key is invalid";
      return errc::storage_corruption;
    }
    snapshot->deployment = *deployment;
    snapshot->signing_key = *key;
  } else if (deployment.error() != errc::not_found) {
    return deployment.error();
  }
  for (storage::Unit& unit : *units) {
    const std::uint32_t id = unit.id;
    snapshot->units.emplace(id, std::move(unit));
  }
  auto sites = storage::list_sites(store);
  if (!sites) return sites.error();
  for (storage::Site& site : *sites) {
    const std::uint32_t id = site.id;
    snapshot->sites.emplace(id, std::move(site));
  }
  return std::shared_ptr<const RegistrySnapshot>(std::move(snapshot));
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
