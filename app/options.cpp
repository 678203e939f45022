#include "options.hpp"

#include <algorithm>
#include <charconv>

namespace clueline::app {

std::uint32_t parse_id(const std::string& text, std::string_view option) {
  std::uint32_t id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || id == 0) {
    throw UsageError(std::string(option) + " must be an id (a positive integer)");
  }
  return id;
}

CommandOptions::CommandOptions(std::span<char*> args,
                               std::initializer_list<std::string_view> allowed,
                               std::initializer_list<std::string_view> repeatable,
                               std::initializer_list<std::string_view> flags) {
  const auto contains = [](std::initializer_list<std::string_view> list, std::string_view name) {
    return std::find(list.begin(), list.end(), name) != list.end();
  };
  for (std::size_t i = 0; i < args.size();) {
    const std::string_view name = args[i];
    // --json is every command's (output.hpp).
    const bool flag = contains(flags, name) || name == "--json";
    if (!flag && !contains(allowed, name)) {
      throw UsageError("unknown option \"" + std::string(name) + "\"");
    }
    if (!flag && i + 1 >= args.size()) throw UsageError(std::string(name) + " needs a value");
    if (values_.contains(name) && !contains(repeatable, name)) {
      throw UsageError(std::string(name) + " given twice");
    }
    values_.emplace(std::string(name), flag ? "" : args[i + 1]);
    i += flag ? 1 : 2;
  }
}

const std::string& CommandOptions::required(std::string_view name) const {
  const auto found = values_.find(name);
  if (found == values_.end()) throw UsageError(std::string(name) + " is required");
  return found->second;
}

std::string CommandOptions::value_or(std::string_view name, std::string fallback) const {
  const auto found = values_.find(name);
  return found == values_.end() ? std::move(fallback) : found->second;
}

std::vector<std::string> CommandOptions::all(std::string_view name) const {
  std::vector<std::string> result;
  for (auto [it, end] = values_.equal_range(name); it != end; ++it) result.push_back(it->second);
  return result;
}

}  // namespace clueline::app
