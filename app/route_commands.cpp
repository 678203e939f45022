// clueline route explain: where a clue from a site would go, and why.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <cstdint>
#include <iostream>
#include <string>
#include <vector>

#include "clueline/routing/policy.hpp"
#include "clueline/routing/route.hpp"
#include "clueline/routing/tree.hpp"
#include "clueline/services/config.hpp"
#include "clueline/services/jurisdiction.hpp"
#include "clueline/storage/records.hpp"
#include "commands.hpp"
#include "options.hpp"
#include "output.hpp"
#include "registry.hpp"

namespace clueline::app {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

// --policy FILE, else routing.policy_file of the configuration `serve` would
// load: the explanation must be the one the server would give.
fs::path policy_file(const CommandOptions& options) {
  if (options.has("--policy")) return options.required("--policy");
  return command_config(options).routing.policy_file;
}

std::string joined_categories(const routing::Policy& policy) {
  std::string out;
  for (const auto& category : policy.categories()) out += (out.empty() ? "" : ", ") + category.name;
  return out;
}

int explain(std::span<char*> args) {
  const CommandOptions options(args,
                               {"--data-dir", "--config", "--policy", "--site", "--category",
                                "--accused-level", "--recused"},
                               {"--recused"});
  const std::uint32_t site_id = parse_id(options.required("--site"), "--site");
  const std::string category = options.required("--category");
  const std::string accused_level = options.value_or("--accused-level", "");
  std::vector<std::uint32_t> recused;
  for (const std::string& id : options.all("--recused")) {
    recused.push_back(parse_id(id, "--recused"));
  }

  const fs::path policy_path = policy_file(options);
  const routing::Policy policy = services::load_routing_policy(policy_path);
  if (policy.category(category) == nullptr) {
    throw UsageError("--category must be one of " + joined_categories(policy));
  }
  if (!accused_level.empty() && !policy.levels().rank(accused_level)) {
    std::string levels;
    for (const auto& name : policy.levels().names()) levels += (levels.empty() ? "" : ", ") + name;
    throw UsageError("--accused-level must be empty or one of " + levels);
  }

  auto store = open_database(registry_data_dir(options), false);
  const auto site = storage::get_site(*store, site_id);
  if (!site) throw std::runtime_error("--site " + std::to_string(site_id) + ": no such site");
  const routing::Tree tree = services::load_unit_tree(
      *store, policy, policy_path.empty() ? std::string("(built-in)") : policy_path.string());

  const auto decision = routing::route(tree, policy,
                                       {.site_unit_id = site->unit_id,
                                        .category = category,
                                        .accused_level = accused_level,
                                        .recused = recused});
  if (json_output(options)) {
    json::object explained{{"site_id", site->id},
                           {"category", category},
                           {"accused_level", accused_level.empty() ? json::value(nullptr)
                                                                   : json::value(accused_level)}};
    if (!decision) {
      explained["unit_id"] = nullptr;
      explained["problem"] = decision.error().message();
    } else {
      json::array steps;
      for (const routing::Step& step : decision->steps) {
        steps.push_back(json::object{{"rule", routing::rule_name(step.rule)}, {"text", step.text}});
      }
      explained["unit_id"] = decision->unit_id;
      explained["unit"] = tree.describe(decision->unit_id);
      explained["steps"] = std::move(steps);
    }
    print_result(options, explained);
    return decision ? 0 : 1;
  }
  std::cout << "site " << site->id << " (" << site->name << ") in " << tree.describe(site->unit_id)
            << "\ncategory " << category << ", accused level "
            << (accused_level.empty() ? "unknown" : accused_level);
  if (!recused.empty()) {
    std::cout << ", recused:";
    for (std::uint32_t id : recused) std::cout << ' ' << id;
  }
  std::cout << '\n';
  if (!decision) {
    std::cout << "no unit can receive this clue (" << decision.error().message() << ")\n";
    return 1;
  }
  std::cout << "goes to " << tree.describe(decision->unit_id) << '\n';
  for (std::size_t i = 0; i < decision->steps.size(); ++i) {
    const routing::Step& step = decision->steps[i];
    std::cout << "  " << i + 1 << ". [" << routing::rule_name(step.rule) << "] " << step.text
              << '\n';
  }
  return 0;
}

}  // namespace

int route(std::span<char*> args) {
  if (args.empty() || std::string_view(args[0]) != "explain") {
    throw UsageError("route: expected \"route explain\"");
  }
  return explain(args.subspan(1));
}

}  // namespace clueline::app
