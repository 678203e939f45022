// The one output convention of the command line: a command's result is a
// JSON value. By default it is printed as text for people; with --json
// (accepted by every command) as one line of JSON, for scripts. A list is
// printed as one JSON value per line with --json, and as blocks separated
// by blank lines as text. Errors always go to stderr as one line.
#pragma once

#include <boost/json/value.hpp>
#include <ostream>
#include <string>
#include <vector>

#include "options.hpp"

namespace clueline::app {

// True if the command was given --json.
bool json_output(const CommandOptions& options);

// `result` as text for people: an object as "name: value" lines (names with
// spaces for underscores, aligned), nested objects and lists of objects
// indented below their name, lists of plain values joined by ", ", null as
// "-". Pure.
std::string human_text(const boost::json::value& result);

// Prints `result` to stdout in the form the options ask for.
void print_result(const CommandOptions& options, const boost::json::value& result);

// Prints each of `results` (a list's items) in the form the options ask
// for: JSON lines, or text blocks separated by blank lines; `empty_text`
// (e.g. "no accounts") as text when there are none.
void print_results(const CommandOptions& options, const boost::json::array& results,
                   const std::string& empty_text);

// A list as a table of `columns` ({member, heading}) for people, one row per
// item, columns aligned; with --json the items whole, one per line.
struct Column {
  std::string member;
  std::string heading;
};
std::string table_text(const boost::json::array& rows, const std::vector<Column>& columns);
void print_table(const CommandOptions& options, const boost::json::array& rows,
                 const std::vector<Column>& columns, const std::string& empty_text);

}  // namespace clueline::app
