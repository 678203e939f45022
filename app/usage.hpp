// The usage texts of clueline's commands and subcommands, one table, and
// the `--help` handling main runs before dispatching. The top-level summary
// (`clueline help`) stays in main.cpp; this is the detail behind it.
//
// Adding a (sub)command's help is one entry in kUsageEntries (usage.cpp;
// the commands that work clues: kClueUsageEntries, usage_clues.cpp), next to
// its siblings:
//
//   {"unit deactivate", R"(usage: clueline unit deactivate --id ID [--data-dir DIR | --config FILE]
//
//   What it does, and what it prints.
//
//   options:
//     --id ID         the unit to deactivate
//     --data-dir DIR  ...
//   )"},
//
// The text must begin with "usage: clueline " and the entry's command, and
// end with a newline; continuation lines of the usage are indented 16
// spaces. The options many commands share (--data-dir and --config,
// --server and --ca-file, --signing-key and --base-url) are spliced in from
// the macros of usage_options.hpp, so that they read the same everywhere.
//
// Nothing else is needed here: `clueline unit deactivate --help` finds the
// entry by its words, and `clueline unit --help` lists its synopsis (the
// lines up to its first blank line) among unit's subcommands.
// tests/integration/cli_help_test.cpp runs every entry through the real
// binary, so an entry whose command does not exist fails there. Do add the
// command to the summary (kUsage in main.cpp) as well; that test checks it.
//
// A new top-level command needs its own entry (and its dispatch in main); a
// command with subcommands needs an entry for the command alone too, whose
// text introduces the group (its subcommands are appended when shown).
#pragma once

#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace clueline::app {

struct UsageEntry {
  // The words that name the command: "queue", "unit", "unit add".
  std::string_view command;
  // "usage: clueline <command> ...", what it does, and each option.
  std::string_view text;
};

// Every entry, in the order of the summary.
std::span<const UsageEntry> usage_entries();

// The entry for exactly `command` ("unit add"), or nullptr.
const UsageEntry* find_usage(std::string_view command);

// The entries one word below `command` ("unit" -> "unit add", "unit list",
// ...), in table order; empty for a command without subcommands.
std::vector<const UsageEntry*> subcommands_of(std::string_view command);

// What `--help` prints for `entry`: its text and, for a command with
// subcommands, the synopsis of each.
std::string help_text(const UsageEntry& entry);

// Answers a request for help in `args` (the arguments after the program
// name, command first). Help is asked for by `--help` or `-h` anywhere after
// the command word, and after the subcommand word for a command that has
// subcommands; like git, it wins over everything else, even where it would
// be an option's value. Then writes the most specific entry's help_text to
// `out` and returns 0, or, for a word after a group that is none of its
// subcommands, writes one line naming them to `err` and returns 2. Returns
// nullopt, writing nothing, when help is not asked for or the command is
// unknown (which the dispatch reports).
std::optional<int> answer_help(std::span<char* const> args, std::ostream& out, std::ostream& err);

}  // namespace clueline::app
