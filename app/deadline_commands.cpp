// clueline deadlines run: one escalation pass over the database, as the
// server's job runs it, at the current time or a given one.
// clueline queue: a unit's queue as stored, with deadlines and escalations.
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <iostream>
#include <string>
#include <string_view>

#include "clue_commands.hpp"
#include "clueline/common/utc_time.hpp"
#include "clueline/crypto/encoding.hpp"
#include "clueline/routing/deadlines.hpp"
#include "clueline/services/clue_json.hpp"
#include "clueline/services/config.hpp"
#include "clueline/services/escalation.hpp"
#include "clueline/services/jurisdiction.hpp"
#include "clueline/storage/claims.hpp"
#include "clueline/storage/group_commit.hpp"
#include "clueline/storage/records.hpp"
#include "commands.hpp"
#include "options.hpp"
#include "output.hpp"
#include "registry.hpp"

namespace clueline::app {
namespace {

namespace json = boost::json;
using storage::UnixSeconds;

// "2026-03-18T09:30:00Z" (UTC, seconds, as the API prints times).
UnixSeconds parse_utc_time(const std::string& text, std::string_view option) {
  const auto seconds = parse_utc_text(text);
  if (!seconds) {
    throw UsageError(std::string(option) + ": expected a UTC time like 2026-03-18T09:30:00Z");
  }
  return *seconds;
}

int run(std::span<char*> args) {
  const CommandOptions options(args, {"--data-dir", "--config", "--at"});
  const UnixSeconds now = options.has("--at")
                              ? parse_utc_time(options.required("--at"), "--at")
                              : std::chrono::duration_cast<std::chrono::seconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count();
  const services::Config config = command_config(options);
  const routing::Policy policy = services::load_routing_policy(config.routing.policy_file);
  const routing::DeadlinePolicy deadlines = services::deadline_policy(config.deadlines);

  auto store = open_database(config.storage.data_dir, false);
  const routing::Tree tree = services::load_unit_tree(*store, policy,
                                                      config.routing.policy_file.empty()
                                                          ? std::string("(built-in)")
                                                          : config.routing.policy_file.string());
  services::EscalationPassResult pass;
  {
    storage::GroupCommitWriter writer(*store);
    storage::ClaimSet claims;  // the database lock keeps everyone else away
    pass = services::run_escalation_pass(*store, writer, tree, deadlines, claims, now);
  }
  print_result(options, json::object{{"at", utc_text(now)},
                                     {"due", pass.due},
                                     {"escalated_clues", pass.escalated},
                                     {"escalations", pass.steps},
                                     {"failed", pass.failed},
                                     {"index_readable", !pass.index_error}});
  return pass.failed == 0 && !pass.index_error ? 0 : 1;
}

}  // namespace

int deadlines(std::span<char*> args) {
  if (args.empty() || std::string_view(args[0]) != "run") {
    throw UsageError("deadlines: expected \"deadlines run\"");
  }
  return run(args.subspan(1));
}

int queue(std::span<char*> args) {
  const CommandOptions options(args,
                               {"--data-dir", "--config", "--unit", "--limit", "--server",
                                "--status", "--category", "--site"},
                               {}, {"--escalated", "--handled", "--overdue"});
  if (options.has("--server")) {
    if (options.has("--data-dir") || options.has("--config") || options.has("--unit")) {
      throw UsageError(
          "queue --server shows the queue of the unit signed in to; --data-dir, --config and "
          "--unit are for a stopped server");
    }
    return queue_online(options);
  }
  for (const std::string_view online :
       {"--status", "--category", "--site", "--escalated", "--handled", "--overdue"}) {
    if (options.has(online)) throw UsageError(std::string(online) + " goes with --server");
  }
  const std::uint32_t unit_id = parse_id(options.required("--unit"), "--unit");
  const std::string limit_text = options.value_or("--limit", "1000");
  if (limit_text.empty() || limit_text.size() > 6 ||
      limit_text.find_first_not_of("0123456789") != std::string::npos) {
    throw UsageError("--limit: expected 1..100000");
  }
  const std::size_t limit = std::stoul(limit_text);
  if (limit < 1 || limit > 100000) throw UsageError("--limit: expected 1..100000");

  auto store = open_database(registry_data_dir(options), false);
  if (const auto unit = storage::get_unit(*store, unit_id); !unit) {
    throw std::runtime_error("--unit " + std::to_string(unit_id) + ": no such unit");
  }
  const auto entries = store->scan(storage::Family::kQueue, storage::queue_prefix(unit_id), limit);
  if (!entries) throw std::runtime_error("reading the queue: " + entries.error().message());
  json::array listed;
  for (const auto& [key, value] : *entries) {
    const auto entry = storage::decode_queue_entry(value);
    if (!entry) throw std::runtime_error("a queue entry is damaged");
    listed.push_back(services::clue_json(entry->clue, entry->escalated ? "escalated" : "handling"));
  }
  print_results(options, listed, "no clues");
  return 0;
}

}  // namespace clueline::app
