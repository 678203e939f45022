#include "output.hpp"

#include <algorithm>
#include <boost/json/serialize.hpp>
#include <iostream>
#include <sstream>

namespace clueline::app {
namespace {

namespace json = boost::json;

std::string label(std::string_view key) {
  std::string text(key);
  std::replace(text.begin(), text.end(), '_', ' ');
  return text;
}

bool is_record(const json::value& value) { return value.is_object(); }

bool all_plain(const json::array& array) {
  return std::none_of(array.begin(), array.end(),
                      [](const json::value& item) { return item.is_object() || item.is_array(); });
}

std::string plain_text(const json::value& value) {
  if (value.is_string()) return std::string(value.get_string());
  if (value.is_null()) return "-";
  if (value.is_bool()) return value.get_bool() ? "yes" : "no";
  return json::serialize(value);
}

void write_value(std::ostringstream& out, const json::value& value, int indent);

void write_object(std::ostringstream& out, const json::object& object, int indent) {
  std::size_t width = 0;
  for (const auto& [key, value] : object) width = std::max(width, label(key).size());
  const std::string pad(indent, ' ');
  for (const auto& [key, value] : object) {
    const std::string name = label(key);
    const bool nested = value.is_object() || (value.is_array() && !all_plain(value.get_array()) &&
                                              !value.get_array().empty());
    out << pad << name << ':';
    if (nested) {
      out << '\n';
      write_value(out, value, indent + 2);
      continue;
    }
    out << std::string(width - name.size() + 1, ' ');
    if (value.is_array()) {
      const json::array& items = value.get_array();
      if (items.empty()) out << "-";
      for (std::size_t i = 0; i < items.size(); ++i) {
        out << (i == 0 ? "" : ", ") << plain_text(items[i]);
      }
    } else {
      out << plain_text(value);
    }
    out << '\n';
  }
}

void write_value(std::ostringstream& out, const json::value& value, int indent) {
  if (value.is_object()) {
    write_object(out, value.get_object(), indent);
    return;
  }
  if (value.is_array()) {
    const json::array& items = value.get_array();
    for (std::size_t i = 0; i < items.size(); ++i) {
      if (is_record(items[i])) {
        if (i > 0) out << '\n';
        write_object(out, items[i].get_object(), indent);
      } else {
        out << std::string(indent, ' ') << "- " << plain_text(items[i]) << '\n';
      }
    }
    return;
  }
  out << std::string(indent, ' ') << plain_text(value) << '\n';
}

}  // namespace

bool json_output(const CommandOptions& options) { return options.has("--json"); }

std::string human_text(const json::value& result) {
  std::ostringstream out;
  write_value(out, result, 0);
  return out.str();
}

void print_result(const CommandOptions& options, const json::value& result) {
  if (json_output(options)) {
    std::cout << json::serialize(result) << '\n';
  } else {
    std::cout << human_text(result);
  }
}

void print_results(const CommandOptions& options, const json::array& results,
                   const std::string& empty_text) {
  if (json_output(options)) {
    for (const json::value& result : results) std::cout << json::serialize(result) << '\n';
    return;
  }
  if (results.empty()) {
    std::cout << empty_text << '\n';
    return;
  }
  for (std::size_t i = 0; i < results.size(); ++i) {
    std::cout << (i == 0 ? "" : "\n") << human_text(results[i]);
  }
}

std::string table_text(const json::array& rows, const std::vector<Column>& columns) {
  std::vector<std::vector<std::string>> cells;
  std::vector<std::size_t> widths;
  for (const Column& column : columns) widths.push_back(column.heading.size());
  for (const json::value& row : rows) {
    std::vector<std::string> line;
    for (std::size_t i = 0; i < columns.size(); ++i) {
      const json::value* value =
          row.is_object() ? row.get_object().if_contains(columns[i].member) : nullptr;
      line.push_back(value == nullptr    ? "-"
                     : value->is_array() ? std::to_string(value->get_array().size())
                                         : plain_text(*value));
      widths[i] = std::max(widths[i], line.back().size());
    }
    cells.push_back(std::move(line));
  }
  std::ostringstream out;
  const auto write_line = [&](const std::vector<std::string>& line) {
    for (std::size_t i = 0; i < line.size(); ++i) {
      out << line[i];
      if (i + 1 < line.size()) out << std::string(widths[i] - line[i].size() + 2, ' ');
    }
    out << '\n';
  };
  std::vector<std::string> headings;
  for (const Column& column : columns) headings.push_back(column.heading);
  write_line(headings);
  for (const auto& line : cells) write_line(line);
  return out.str();
}

void print_table(const CommandOptions& options, const json::array& rows,
                 const std::vector<Column>& columns, const std::string& empty_text) {
  if (json_output(options)) {
    for (const json::value& row : rows) std::cout << json::serialize(row) << '\n';
    return;
  }
  std::cout << (rows.empty() ? empty_text + "\n" : table_text(rows, columns));
}

}  // namespace clueline::app
