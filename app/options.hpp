// Command-line options of the subcommands: `--name VALUE` pairs and
// value-less `--flag`s.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace clueline::app {

// Wrong usage: reported as one line and exit code 2.
class UsageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// A unit or site id as given on the command line: decimal, 1..2^32-1;
// UsageError naming `option` otherwise.
std::uint32_t parse_id(const std::string& text, std::string_view option);

class CommandOptions {
 public:
  // Parses `--name VALUE` pairs and the value-less names in `flags` (and
  // the flag --json, which every command takes: output.hpp). A name
  // in neither `allowed` nor `flags`, a missing value, or a name given twice
  // that is not in `repeatable`, throws UsageError.
  CommandOptions(std::span<char*> args, std::initializer_list<std::string_view> allowed,
                 std::initializer_list<std::string_view> repeatable = {},
                 std::initializer_list<std::string_view> flags = {});

  // True if the option or flag was given.
  bool has(std::string_view name) const { return values_.contains(name); }
  // The value of a required option; throws UsageError naming it if absent.
  const std::string& required(std::string_view name) const;
  std::string value_or(std::string_view name, std::string fallback) const;
  // Every value of a repeatable option, in command-line order.
  std::vector<std::string> all(std::string_view name) const;

 private:
  std::multimap<std::string, std::string, std::less<>> values_;
};

}  // namespace clueline::app
