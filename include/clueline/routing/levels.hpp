// The ordered administrative levels of a deployment's jurisdiction tree.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "clueline/common/error.hpp"

namespace clueline::routing {

// The administrative levels units and cadres can sit at, ordered from the
// highest (rank 0) down, e.g. central > province > city > county > township >
// village. Routing compares levels only through this object, never by name,
// so deployments may configure their own ladder.
//
// Value type: immutable after construction, cheap to copy, thread-safe for
// concurrent reads. string_views it returns point into the object and stay
// valid while it lives and is not assigned to; moving the object keeps them
// valid.
class Levels {
 public:
  // The default ladder: central, province, city, county, township, village.
  Levels();

  // Levels from `names`, highest first. errc::invalid_argument if the list is
  // empty, a name repeats, or a name does not match [a-z][a-z0-9_]* (lower
  // case ASCII, as used in config files, URLs and metrics labels).
  static result<Levels> make(std::vector<std::string> names);

  // The names, highest first.
  std::span<const std::string> names() const noexcept { return names_; }

  // Number of levels; at least 1.
  std::size_t size() const noexcept { return names_.size(); }

  // 0 for the highest level, size() - 1 for the lowest; nullopt if `name`
  // is not a configured level (names are case-sensitive).
  std::optional<std::size_t> rank(std::string_view name) const noexcept;

  // The level at `rank`. Throws std::out_of_range if rank >= size(), which is
  // a caller bug: ranks come from rank() or from iterating [0, size()).
  std::string_view name(std::size_t rank) const;

  // True if level `a` is strictly higher than level `b` (a has the smaller
  // rank). False if they are the same level or either is not configured;
  // callers that must tell those apart check rank() first.
  bool is_above(std::string_view a, std::string_view b) const noexcept;

  // The level one step higher than `name`. nullopt for the highest level and
  // for names that are not configured (check rank() to tell them apart).
  std::optional<std::string_view> parent_level(std::string_view name) const noexcept;

  friend bool operator==(const Levels&, const Levels&) = default;

 private:
  explicit Levels(std::vector<std::string> names) : names_(std::move(names)) {}

  std::vector<std::string> names_;
};

}  // namespace clueline::routing
