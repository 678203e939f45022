#include "clueline/routing/levels.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace clueline::routing {
namespace {

// [a-z][a-z0-9_]*, spelled out instead of std::regex: the set is tiny and a
// hand check cannot depend on the global locale.
bool is_valid_level_name(std::string_view name) {
  if (name.empty() || name.front() < 'a' || name.front() > 'z') {
    return false;
  }
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

}  // namespace

Levels::Levels() : names_{"central", "province", "city", "county", "township", "village"} {}

result<Levels> Levels::make(std::vector<std::string> names) {
  if (names.empty()) {
    return errc::invalid_argument;
  }
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (!is_valid_level_name(names[i])) {
      return errc::invalid_argument;
    }
    // Quadratic, but ladders have a handful of levels and this runs once at
    // start-up; keeping the vector unsorted preserves the configured order.
    if (std::find(names.begin(), names.begin() + static_cast<std::ptrdiff_t>(i), names[i]) !=
        names.begin() + static_cast<std::ptrdiff_t>(i)) {
      return errc::invalid_argument;
    }
  }
  return Levels(std::move(names));
}

std::optional<std::size_t> Levels::rank(std::string_view name) const noexcept {
  for (std::size_t i = 0; i < names_.size(); ++i) {
    if (names_[i] == name) {
      return i;
    }
  }
  return std::nullopt;
}

std::string_view Levels::name(std::size_t rank) const {
  if (rank >= names_.size()) {
    throw std::out_of_range("clueline::routing::Levels::name: rank " + std::to_string(rank) +
                            " >= " + std::to_string(names_.size()));
  }
  return names_[rank];
}

bool Levels::is_above(std::string_view a, std::string_view b) const noexcept {
  const auto ra = rank(a);
  const auto rb = rank(b);
  return ra && rb && *ra < *rb;
}

std::optional<std::string_view> Levels::parent_level(std::string_view name) const noexcept {
  const auto r = rank(name);
  if (!r || *r == 0) {
    return std::nullopt;
  }
  return std::string_view(names_[*r - 1]);
}

}  // namespace clueline::routing
