#include "clueline/routing/policy.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <utility>

namespace clueline::routing {
namespace {

constexpr std::size_t kMaxCategories = 64;
constexpr std::size_t kMaxDesignations = 10000;

struct Refusal {
  std::string message;
};

[[noreturn]] void refuse(std::string message) { throw Refusal{std::move(message)}; }

std::string quote(std::string_view text) { return "\"" + std::string(text) + "\""; }

bool is_name(std::string_view text) {
  if (text.empty() || text.size() > 32 || text[0] < 'a' || text[0] > 'z') return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

void allow_keys(const toml::table& table, std::string_view where,
                std::initializer_list<std::string_view> known) {
  for (const auto& [key, value] : table) {
    if (std::find(known.begin(), known.end(), key.str()) == known.end()) {
      refuse(std::string(where) + (where.empty() ? "" : ".") + std::string(key.str()) +
             ": unknown key");
    }
  }
}

std::vector<std::string> string_array(const toml::node& node, std::string_view key) {
  const toml::array* array = node.as_array();
  if (array == nullptr) refuse(std::string(key) + ": expected an array of strings");
  std::vector<std::string> values;
  for (std::size_t i = 0; i < array->size(); ++i) {
    const auto* text = array->get(i)->as_string();
    if (text == nullptr) {
      refuse(std::string(key) + "[" + std::to_string(i) + "]: expected a string");
    }
    values.push_back(text->get());
  }
  return values;
}

std::uint32_t unit_id(const toml::table& table, std::string_view key, std::string_view where,
                      bool required) {
  const toml::node* node = table.get(key);
  if (node == nullptr) {
    if (required) refuse(std::string(where) + "." + std::string(key) + ": required");
    return 0;
  }
  const auto* number = node->as_integer();
  if (number == nullptr || number->get() < 1 || number->get() > 0xFFFFFFFFLL) {
    refuse(std::string(where) + "." + std::string(key) +
           ": expected a unit id (a positive integer)");
  }
  return static_cast<std::uint32_t>(number->get());
}

std::optional<Accused> accused_from(std::string_view text) {
  for (const Accused accused : {Accused::kCadre, Accused::kSupervisionStaff, Accused::kUnitHead}) {
    if (accused_name(accused) == text) return accused;
  }
  return std::nullopt;
}

std::vector<CategoryRule> default_categories() {
  return {{"bribery", "", Accused::kCadre},
          {"embezzlement", "", Accused::kCadre},
          {"abuse_of_power", "", Accused::kCadre},
          {"dereliction_of_duty", "", Accused::kCadre},
          {"favoritism", "", Accused::kCadre},
          {"protective_umbrella", "county", Accused::kCadre},
          {"supervision_staff", "", Accused::kSupervisionStaff},
          {"unit_head", "", Accused::kUnitHead},
          {"other", "", Accused::kCadre}};
}

}  // namespace

std::string_view accused_name(Accused accused) noexcept {
  switch (accused) {
    case Accused::kCadre:
      return "cadre";
    case Accused::kSupervisionStaff:
      return "supervision_staff";
    case Accused::kUnitHead:
      return "unit_head";
  }
  return "cadre";
}

Policy::Policy() : categories_(default_categories()) {}

result<Policy> Policy::parse(std::string_view text, std::string& problem) {
  toml::table root;
  try {
    root = toml::parse(text);
  } catch (const toml::parse_error& error) {
    const auto& where = error.source().begin;
    problem = "syntax error at line " + std::to_string(where.line) + ", column " +
              std::to_string(where.column) + ": " + std::string(error.description());
    return errc::invalid_argument;
  }
  try {
    allow_keys(root, "", {"levels", "categories", "overrides", "cross_jurisdiction"});
    Policy policy;

    if (const toml::node* node = root.get("levels")) {
      auto levels = Levels::make(string_array(*node, "levels"));
      if (!levels) {
        refuse("levels: expected distinct lower-case names ([a-z][a-z0-9_]*), at least one");
      }
      policy.levels_ = std::move(*levels);
    }
    // Defaults name the default levels; a policy with its own ladder must
    // say its own minimum levels too.
    if (root.get("levels") != nullptr) {
      for (CategoryRule& rule : policy.categories_) {
        if (!rule.minimum_level.empty() && !policy.levels_.rank(rule.minimum_level)) {
          rule.minimum_level.clear();
        }
      }
    }

    if (const toml::node* node = root.get("categories")) {
      const auto names = string_array(*node, "categories");
      if (names.empty() || names.size() > kMaxCategories) {
        refuse("categories: expected 1 to " + std::to_string(kMaxCategories) + " names");
      }
      std::vector<CategoryRule> rules;
      for (std::size_t i = 0; i < names.size(); ++i) {
        const std::string where = "categories[" + std::to_string(i) + "]";
        if (!is_name(names[i])) {
          refuse(where + ": " + quote(names[i]) + " is not a name ([a-z][a-z0-9_]{0,31})");
        }
        if (std::any_of(rules.begin(), rules.end(),
                        [&](const CategoryRule& r) { return r.name == names[i]; })) {
          refuse(where + ": " + quote(names[i]) + " appears twice");
        }
        // A listed category keeps the default override of the same name
        // unless [overrides] says otherwise.
        CategoryRule rule{names[i], "", Accused::kCadre};
        if (const CategoryRule* known = policy.category(names[i])) rule = *known;
        rules.push_back(std::move(rule));
      }
      policy.categories_ = std::move(rules);
    }

    if (const toml::node* node = root.get("overrides")) {
      const toml::table* overrides = node->as_table();
      if (overrides == nullptr) refuse("overrides: expected a table of categories");
      for (const auto& [key, value] : *overrides) {
        const std::string name(key.str());
        const std::string where = "overrides." + name;
        auto found = std::find_if(policy.categories_.begin(), policy.categories_.end(),
                                  [&](const CategoryRule& r) { return r.name == name; });
        if (found == policy.categories_.end()) {
          refuse(where + ": unknown category " + quote(name) + " (not in categories)");
        }
        const toml::table* table = value.as_table();
        if (table == nullptr) refuse(where + ": expected a table");
        allow_keys(*table, where, {"minimum_level", "accused"});
        found->minimum_level.clear();
        found->accused = Accused::kCadre;
        if (const toml::node* minimum = table->get("minimum_level")) {
          const auto* level = minimum->as_string();
          if (level == nullptr) refuse(where + ".minimum_level: expected a level name");
          if (!policy.levels_.rank(level->get())) {
            refuse(where + ".minimum_level: unknown level " + quote(level->get()));
          }
          found->minimum_level = level->get();
        }
        if (const toml::node* accused = table->get("accused")) {
          const auto* text = accused->as_string();
          const auto parsed = text ? accused_from(text->get()) : std::nullopt;
          if (!parsed) {
            refuse(where + ".accused: expected \"cadre\", \"supervision_staff\" or \"unit_head\"");
          }
          found->accused = *parsed;
        }
      }
    }

    if (const toml::node* node = root.get("cross_jurisdiction")) {
      const toml::array* entries = node->as_array();
      if (entries == nullptr || entries->size() > kMaxDesignations) {
        refuse(
            "cross_jurisdiction: expected an array of tables ([[cross_jurisdiction]]), at most " +
            std::to_string(kMaxDesignations));
      }
      for (std::size_t i = 0; i < entries->size(); ++i) {
        const std::string where = "cross_jurisdiction[" + std::to_string(i) + "]";
        const toml::table* table = entries->get(i)->as_table();
        if (table == nullptr) refuse(where + ": expected a table");
        allow_keys(*table, where, {"parent", "recusing", "handler"});
        policy.designations_.push_back({unit_id(*table, "parent", where, true),
                                        unit_id(*table, "recusing", where, false),
                                        unit_id(*table, "handler", where, true)});
      }
    }
    return policy;
  } catch (const Refusal& refusal) {
    problem = refusal.message;
    return errc::invalid_argument;
  }
}

result<void> Policy::check_against(const Tree& tree, std::string& problem) const {
  const auto fail = [&problem](std::string message) -> result<void> {
    problem = std::move(message);
    return errc::invalid_argument;
  };
  if (!(tree.levels() == levels_)) {
    return fail("the unit tree was built with other levels than the policy's");
  }
  std::set<std::pair<std::uint32_t, std::uint32_t>> pairs;
  for (std::size_t i = 0; i < designations_.size(); ++i) {
    const Designation& entry = designations_[i];
    const std::string where = "cross_jurisdiction[" + std::to_string(i) + "]";
    if (tree.find(entry.parent) == nullptr) {
      return fail(where + ".parent: unit " + std::to_string(entry.parent) + " does not exist");
    }
    const UnitNode* handler = tree.find(entry.handler);
    if (handler == nullptr) {
      return fail(where + ".handler: unit " + std::to_string(entry.handler) + " does not exist");
    }
    if (handler->parent_id != entry.parent) {
      return fail(where + ".handler: " + tree.describe(entry.handler) + " is not a child of " +
                  tree.describe(entry.parent));
    }
    if (!handler->receiving) {
      return fail(where + ".handler: " + tree.describe(entry.handler) +
                  " has no current key and cannot receive clues");
    }
    if (entry.recusing != 0) {
      const UnitNode* recusing = tree.find(entry.recusing);
      if (recusing == nullptr) {
        return fail(where + ".recusing: unit " + std::to_string(entry.recusing) +
                    " does not exist");
      }
      if (recusing->parent_id != entry.parent) {
        return fail(where + ".recusing: " + tree.describe(entry.recusing) + " is not a child of " +
                    tree.describe(entry.parent));
      }
      if (entry.recusing == entry.handler) {
        return fail(where + ": a unit cannot be designated to take its own recusals");
      }
      if (*levels_.rank(handler->level) > *levels_.rank(recusing->level)) {
        return fail(where + ".handler: " + tree.describe(entry.handler) + " is below " +
                    tree.describe(entry.recusing) + "; a recused clue never moves down a level");
      }
    }
    if (!pairs.emplace(entry.parent, entry.recusing).second) {
      return fail(where + ": a second designation for " +
                  (entry.recusing == 0 ? "every child of " + tree.describe(entry.parent)
                                       : tree.describe(entry.recusing)));
    }
  }

  // Follow recusal hand-overs from every unit: a designation chain that
  // comes back to where it started is a cycle (A's recusals to B, B's to A).
  for (const UnitNode& start : tree.units()) {
    std::vector<std::uint32_t> path{start.id};
    for (std::uint32_t next = designated_handler(tree, start.id); next != 0;
         next = designated_handler(tree, next)) {
      const auto first =
          static_cast<std::size_t>(std::find(path.begin(), path.end(), next) - path.begin());
      path.push_back(next);
      if (first != path.size() - 1) {
        std::ostringstream chain;
        for (std::size_t k = first; k < path.size(); ++k) {
          chain << (k == first ? "" : " -> ") << tree.describe(path[k]);
        }
        return fail("cross_jurisdiction: the designations form a cycle: " + chain.str());
      }
    }
  }
  return {};
}

const CategoryRule* Policy::category(std::string_view name) const noexcept {
  for (const CategoryRule& rule : categories_) {
    if (rule.name == name) return &rule;
  }
  return nullptr;
}

std::uint32_t Policy::designated_handler(const Tree& tree, std::uint32_t recusing) const {
  const UnitNode* unit = tree.find(recusing);
  if (unit == nullptr || unit->parent_id == 0) return 0;
  std::uint32_t for_any_child = 0;
  for (const Designation& entry : designations_) {
    if (entry.parent != unit->parent_id) continue;
    // A handler for "any child" may sit lower than some of its siblings (the
    // chain may skip levels); it never takes clues from above its level.
    const UnitNode* handler = tree.find(entry.handler);
    if (handler == nullptr) continue;
    const auto handler_rank = levels_.rank(handler->level);
    const auto recusing_rank = levels_.rank(unit->level);
    if (!handler_rank || !recusing_rank || *handler_rank > *recusing_rank) continue;
    if (entry.recusing == recusing) return entry.handler;
    if (entry.recusing == 0 && entry.handler != recusing) for_any_child = entry.handler;
  }
  return for_any_child;
}

}  // namespace clueline::routing
