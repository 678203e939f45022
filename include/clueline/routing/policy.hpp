// The routing policy: the levels, the categories a reporter chooses from,
// the overrides by category, and the units designated for cross-
// jurisdiction handling when a unit recuses itself.
//
// Format (TOML; every key optional, an absent key keeps the default; an
// [overrides.X] table replaces X's built-in rule as a whole):
//
//   levels = ["central", "province", "city", "county", "township", "village"]
//   categories = ["bribery", "embezzlement", ..., "other"]
//
//   [overrides.protective_umbrella]   # a category named in `categories`
//   minimum_level = "county"          # handled at this level or higher
//
//   [overrides.supervision_staff]
//   accused = "supervision_staff"     # "cadre" (default) | "supervision_staff"
//                                     # | "unit_head"
//
//   [[cross_jurisdiction]]
//   parent = 3     # the unit that designates
//   recusing = 4   # optional: the child this applies to (default: any child)
//   handler = 5    # a receiving child of `parent`, the recusing unit's peer
//
// The default policy (no file) has the default levels, the categories
// bribery, embezzlement, abuse_of_power, dereliction_of_duty, favoritism,
// protective_umbrella (minimum level county), supervision_staff (accused
// supervision staff), unit_head (accused: the head of the unit that would
// receive it) and other, and no designations.
//
// Thread safety: Policy is an immutable value after parsing; safe for
// concurrent reads.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "clueline/routing/levels.hpp"
#include "clueline/routing/tree.hpp"

namespace clueline::routing {

// Who a category's clue is about, as far as routing cares.
enum class Accused : std::uint8_t {
  kCadre,             // an official at the accused level: graded jurisdiction
  kSupervisionStaff,  // staff of the supervisory unit at the accused level
  kUnitHead,          // the head of the unit that would receive the clue
};
std::string_view accused_name(Accused accused) noexcept;

struct CategoryRule {
  std::string name;           // [a-z][a-z0-9_]{0,31}
  std::string minimum_level;  // empty: none
  Accused accused = Accused::kCadre;
  friend bool operator==(const CategoryRule&, const CategoryRule&) = default;
};

// When `recusing` (a child of `parent`; 0 = any child of it other than the
// handler) recuses itself from a clue, the clue goes to `handler`.
struct Designation {
  std::uint32_t parent = 0;
  std::uint32_t recusing = 0;
  std::uint32_t handler = 0;
  friend bool operator==(const Designation&, const Designation&) = default;
};

// A policy as written, before it is checked against a unit tree.
class Policy {
 public:
  // The default policy described above.
  Policy();

  // Parses TOML text. On failure, `problem` says what is wrong and names the
  // key (e.g. `overrides.umbrella: unknown category "umbrella"`) and the
  // result is errc::invalid_argument. Checks everything that does not need
  // the unit tree: unknown keys, value types, level and category names,
  // duplicates, unknown levels and categories in overrides.
  static result<Policy> parse(std::string_view toml, std::string& problem);

  // Checks the designations against `tree` (built with levels()): every unit
  // named exists, a handler is a receiving child of its parent and differs
  // from the recusing unit and is not below its level, the recusing unit is
  // a child of the parent, no
  // (parent, recusing) pair repeats, and no designations form a cycle
  // (A's clues to B and B's to A, or longer). errc::invalid_argument with
  // `problem` naming the entry, e.g. `cross_jurisdiction[2].handler: unit 5
  // (Xishan township) has no current key and cannot receive clues`.
  result<void> check_against(const Tree& tree, std::string& problem) const;

  const Levels& levels() const noexcept { return levels_; }
  std::span<const CategoryRule> categories() const noexcept { return categories_; }
  // nullptr for an unknown category.
  const CategoryRule* category(std::string_view name) const noexcept;
  std::span<const Designation> designations() const noexcept { return designations_; }
  // The unit designated to take clues `recusing` recuses itself from, or 0.
  // A designation naming `recusing` wins over one for any child of the
  // parent; a handler below recusing's level is never designated (a clue
  // never moves below the level it reached). `tree` gives recusing's parent.
  std::uint32_t designated_handler(const Tree& tree, std::uint32_t recusing) const;

 private:
  Levels levels_;
  std::vector<CategoryRule> categories_;
  std::vector<Designation> designations_;
};

}  // namespace clueline::routing
