#include "clueline/services/config.hpp"

#include <toml++/toml.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <boost/system/error_code.hpp>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <system_error>
#include <type_traits>
#include <vector>

// glibc declares it only under _GNU_SOURCE; POSIX guarantees the object.
extern char** environ;

namespace clueline::services {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kEnvPrefix = "CLUELINE_";

// A long value would push the key name out of view in a log line.
constexpr std::size_t kMaxShownBytes = 64;

// A config file is a few kilobytes; anything far larger is a wrong path (a
// log file, /dev/zero) and reading it whole would only delay the error.
constexpr std::size_t kMaxFileBytes = std::size_t{1024} * 1024;

// Escapes what would break the one-line contract (or, with `quotes`, what
// would be confused with the surrounding quotes). Non-ASCII UTF-8 passes
// through so that paths stay readable.
std::string escape(std::string_view text, bool quotes) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (quotes && (c == '"' || c == '\\')) {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (byte < 0x20 || byte == 0x7f) {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[byte >> 4];
      out += kHex[byte & 0xf];
    } else {
      out += c;
    }
  }
  return out;
}

// `text` in double quotes, escaped and shortened for a message.
std::string quote(std::string_view text) {
  bool cut = false;
  if (text.size() > kMaxShownBytes) {
    std::size_t end = kMaxShownBytes;
    // Do not split a UTF-8 sequence: back off over continuation bytes.
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xc0) == 0x80) {
      --end;
    }
    text = text.substr(0, end);
    cut = true;
  }
  return '"' + escape(text, true) + '"' + (cut ? "..." : "");
}

// Every error leaves through here so that no caller can break the one-line
// contract with a file name or a toml++ description that holds a newline.
[[noreturn]] void fail(std::string_view message) { throw ConfigError(escape(message, false)); }

// A file value as a message shows it: strings quoted, numbers, booleans and
// dates as written in TOML, containers by kind only (their dump spans lines).
std::string show(const toml::node& node) {
  if (node.is_table()) {
    return "a table";
  }
  if (node.is_array()) {
    return "an array";
  }
  if (const auto* text = node.as_string()) {
    return quote(text->get());
  }
  std::ostringstream out;
  node.visit([&out](const auto& value) { out << value; });
  return out.str();
}

// One value to apply, from the file or from the environment. Both sources go
// through the same descriptor, so a key cannot behave differently in one.
struct Input {
  std::string_view label;            // "server.port" or "CLUELINE_SERVER_PORT"
  const toml::node* node = nullptr;  // the file's value, or null for the environment
  std::string_view text;             // the environment's value

  std::string shown() const { return node != nullptr ? show(*node) : quote(text); }
};

[[noreturn]] void reject(const Input& in, std::string_view expected) {
  fail(std::string(in.label) + ": expected " + std::string(expected) + ", got " + in.shown());
}

std::int64_t read_integer(const Input& in, std::int64_t min, std::int64_t max) {
  std::optional<std::int64_t> value;
  if (in.node != nullptr) {
    // Strictly an integer: 1.5 or "8443" in the file is a mistake worth
    // reporting rather than converting.
    if (const auto* integer = in.node->as_integer()) {
      value = integer->get();
    }
  } else {
    std::int64_t parsed = 0;
    const char* end = in.text.data() + in.text.size();
    const auto [stop, ec] = std::from_chars(in.text.data(), end, parsed);
    if (ec == std::errc{} && stop == end) {
      value = parsed;
    }
  }
  if (!value || *value < min || *value > max) {
    reject(in, "an integer between " + std::to_string(min) + " and " + std::to_string(max));
  }
  return *value;
}

bool read_bool(const Input& in) {
  if (in.node != nullptr) {
    if (const auto* boolean = in.node->as_boolean()) {
      return boolean->get();
    }
    reject(in, "true or false");
  }
  if (in.text == "true" || in.text == "1") {
    return true;
  }
  if (in.text == "false" || in.text == "0") {
    return false;
  }
  reject(in, "true, false, 1 or 0");
}

std::string read_string(const Input& in, std::string_view expected) {
  if (in.node == nullptr) {
    return std::string(in.text);
  }
  if (const auto* text = in.node->as_string()) {
    return text->get();
  }
  reject(in, expected);
}

// Setters: one template per value kind, instantiated per key in kKeys.
// Section and Member are pointers to members, e.g. &Config::server and
// &Config::Server::port.

template <auto Section, auto Member, std::int64_t Min, std::int64_t Max>
void set_integer(Config& config, const Input& in) {
  auto& field = config.*Section.*Member;
  using Field = std::remove_cvref_t<decltype(field)>;
  static_assert(0 <= Min && Min <= Max);
  const std::int64_t value = read_integer(in, Min, Max);
  if constexpr (std::is_same_v<Field, std::chrono::seconds>) {
    field = std::chrono::seconds{value};
  } else {
    static_assert(std::is_unsigned_v<Field> && !std::is_same_v<Field, bool>);
    static_assert(static_cast<std::uint64_t>(Max) <= std::numeric_limits<Field>::max());
    field = static_cast<Field>(value);
  }
}

template <auto Section, auto Member>
void set_bool(Config& config, const Input& in) {
  config.*Section.*Member = read_bool(in);
}

template <auto Section, auto Member>
void set_address(Config& config, const Input& in) {
  constexpr std::string_view kExpected = "an IPv4 or IPv6 address";
  std::string text = read_string(in, kExpected);
  // make_address stops at a NUL, so "127.0.0.1\0junk" must be caught here.
  if (text.find('\0') != std::string::npos) {
    reject(in, kExpected);
  }
  boost::system::error_code ec;
  boost::asio::ip::make_address(text.c_str(), ec);
  if (ec) {
    reject(in, kExpected);
  }
  config.*Section.*Member = std::move(text);
}

// An https:// URL with a host, no query or fragment, printable ASCII; empty
// is allowed (unset). Trailing slashes are dropped, as `site add` does.
template <auto Section, auto Member>
void set_base_url(Config& config, const Input& in) {
  constexpr std::string_view kExpected = "an https:// URL with a host and no query";
  constexpr std::string_view kScheme = "https://";
  std::string text = read_string(in, kExpected);
  while (!text.empty() && text.back() == '/') text.pop_back();
  const bool printable = std::all_of(text.begin(), text.end(), [](char c) {
    return static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7f;
  });
  const bool has_host =
      text.starts_with(kScheme) && text.size() > kScheme.size() && text[kScheme.size()] != '/';
  if (!text.empty() && (!printable || !has_host || text.find_first_of("?#") != std::string::npos)) {
    reject(in, kExpected);
  }
  config.*Section.*Member = std::move(text);
}

// AllowEmpty: the TLS paths may stay unset until require_tls_files; an empty
// data directory would silently mean the working directory.
template <auto Section, auto Member, bool AllowEmpty>
void set_path(Config& config, const Input& in) {
  constexpr std::string_view kExpected = AllowEmpty ? "a path" : "a non-empty path";
  std::string text = read_string(in, kExpected);
  if (!AllowEmpty && text.empty()) {
    reject(in, kExpected);
  }
  // The OS would stop at a NUL and open a different file than the one shown.
  if (text.find('\0') != std::string::npos) {
    reject(in, "a path without NUL characters");
  }
  config.*Section.*Member = fs::path(std::move(text));
}

template <auto Section, auto Member, std::int64_t Min, std::int64_t Max>
void set_signed(Config& config, const Input& in) {
  auto& field = config.*Section.*Member;
  static_assert(std::is_same_v<std::remove_cvref_t<decltype(field)>, int>);
  field = static_cast<int>(read_integer(in, Min, Max));
}

// A list of dates: a TOML array of "YYYY-MM-DD" strings or TOML dates, or in
// the environment one comma-separated list (empty: no dates).
template <auto Section, auto Member>
void set_dates(Config& config, const Input& in) {
  constexpr std::string_view kExpected = "a list of dates \"YYYY-MM-DD\"";
  constexpr std::size_t kMaxDates = 2000;
  std::vector<std::string> texts;
  if (in.node != nullptr) {
    const auto* array = in.node->as_array();
    if (array == nullptr) reject(in, kExpected);
    for (const toml::node& element : *array) {
      if (const auto* text = element.as_string()) {
        texts.push_back(text->get());
      } else if (const auto* date = element.as_date()) {
        std::ostringstream out;
        out << date->get();
        texts.push_back(out.str());
      } else {
        reject(in, kExpected);
      }
    }
  } else {
    std::string_view rest = in.text;
    while (!rest.empty()) {
      const std::size_t comma = rest.find(',');
      std::string_view item = rest.substr(0, comma);
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
      while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
      texts.emplace_back(item);
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  if (texts.size() > kMaxDates) reject(in, "at most 2000 dates");
  std::set<routing::Date> dates;
  for (const std::string& text : texts) {
    const auto date = routing::parse_date(text);
    if (!date) {
      fail(std::string(in.label) + ": expected dates \"YYYY-MM-DD\", got " + quote(text));
    }
    dates.insert(*date);
  }
  config.*Section.*Member = std::move(dates);
}

struct Key {
  std::string_view table;  // [server]
  std::string_view name;   // port; the file key and, upper-cased, the env suffix
  void (*apply)(Config&, const Input&);
};

using Server = Config::Server;
using Ops = Config::Ops;
constexpr auto kServer = &Config::server;
constexpr auto kOps = &Config::ops;
constexpr std::int64_t kMaxTimeout = 3600;

// The single list of keys: file parsing, environment overrides and the
// unknown-key checks all read it, so adding a key here is the whole job
// (plus the documentation in deploy/clueline.example.toml).
constexpr Key kKeys[] = {
    {"server", "address", set_address<kServer, &Server::address>},
    {"server", "port", set_integer<kServer, &Server::port, 0, 65535>},
    {"server", "threads", set_integer<kServer, &Server::threads, 0, 256>},
    {"server", "tls_certificate", set_path<kServer, &Server::tls_certificate, true>},
    {"server", "tls_private_key", set_path<kServer, &Server::tls_private_key, true>},
    {"server", "handshake_timeout_seconds",
     set_integer<kServer, &Server::handshake_timeout, 1, kMaxTimeout>},
    {"server", "read_timeout_seconds", set_integer<kServer, &Server::read_timeout, 1, kMaxTimeout>},
    {"server", "write_timeout_seconds",
     set_integer<kServer, &Server::write_timeout, 1, kMaxTimeout>},
    {"server", "idle_timeout_seconds", set_integer<kServer, &Server::idle_timeout, 1, kMaxTimeout>},
    {"server", "header_limit_bytes",
     set_integer<kServer, &Server::header_limit_bytes, 1024, 64 * 1024>},
    {"server", "body_limit_bytes",
     set_integer<kServer, &Server::body_limit_bytes, 1, 64 * 1024 * 1024>},
    {"server", "max_connections", set_integer<kServer, &Server::max_connections, 1, 1000000>},
    {"server", "public_base_url", set_base_url<kServer, &Server::public_base_url>},
    {"server", "shutdown_grace_seconds",
     set_integer<kServer, &Server::shutdown_grace, 1, kMaxTimeout>},
    {"ops", "address", set_address<kOps, &Ops::address>},
    {"ops", "port", set_integer<kOps, &Ops::port, 0, 65535>},
    // TOML integers are signed 64-bit; the environment gets the same bound.
    {"ops", "min_free_disk_bytes",
     set_integer<kOps, &Ops::min_free_disk_bytes, 0, std::numeric_limits<std::int64_t>::max()>},
    {"ops", "certificate_expiry_days", set_integer<kOps, &Ops::certificate_expiry_days, 0, 365>},
    {"storage", "data_dir", set_path<&Config::storage, &Config::Storage::data_dir, false>},
    {"log", "access_log", set_bool<&Config::log, &Config::Log::access_log>},
    {"pow", "difficulty", set_integer<&Config::pow, &Config::Pow::difficulty, 0, 32>},
    {"pow", "max_difficulty", set_integer<&Config::pow, &Config::Pow::max_difficulty, 0, 32>},
    {"pow", "load_threshold_per_second",
     set_integer<&Config::pow, &Config::Pow::load_threshold_per_second, 1, 1000000>},
    {"pow", "challenge_lifetime_seconds",
     set_integer<&Config::pow, &Config::Pow::challenge_lifetime, 10, kMaxTimeout>},
    {"pow", "site_load_threshold_per_minute",
     set_integer<&Config::pow, &Config::Pow::site_load_threshold_per_minute, 1, 1000000>},
    {"pow", "attachment_load_threshold_mib_per_minute",
     set_integer<&Config::pow, &Config::Pow::attachment_load_threshold_mib_per_minute, 1, 1000000>},
    {"limits", "attachment_quota_bytes",
     set_integer<&Config::limits, &Config::Limits::attachment_quota_bytes, 0,
                 std::numeric_limits<std::int64_t>::max()>},
    {"followup", "session_lifetime_seconds",
     set_integer<&Config::followup, &Config::Followup::session_lifetime, 60, 86400>},
    {"followup", "sessions_per_clue",
     set_integer<&Config::followup, &Config::Followup::sessions_per_clue, 1, 100>},
    {"followup", "lookup_difficulty",
     set_integer<&Config::followup, &Config::Followup::lookup_difficulty, 0, 32>},
    {"followup", "max_lookup_difficulty",
     set_integer<&Config::followup, &Config::Followup::max_lookup_difficulty, 0, 32>},
    {"followup", "failed_lookup_threshold_per_second",
     set_integer<&Config::followup, &Config::Followup::failed_lookup_threshold_per_second, 1,
                 1000000>},
    {"accounts", "session_idle_seconds",
     set_integer<&Config::accounts, &Config::Accounts::session_idle, 60, 86400>},
    {"accounts", "session_absolute_seconds",
     set_integer<&Config::accounts, &Config::Accounts::session_absolute, 300, 604800>},
    {"accounts", "max_failed_logins",
     set_integer<&Config::accounts, &Config::Accounts::max_failed_logins, 3, 100>},
    {"deadlines", "acknowledge_days",
     set_integer<&Config::deadlines, &Config::Deadlines::acknowledge_days, 1, 365>},
    {"deadlines", "handle_days",
     set_integer<&Config::deadlines, &Config::Deadlines::handle_days, 1, 3650>},
    {"deadlines", "transfer_working_days",
     set_integer<&Config::deadlines, &Config::Deadlines::transfer_working_days, 1, 60>},
    {"deadlines", "escalation_working_days",
     set_integer<&Config::deadlines, &Config::Deadlines::escalation_working_days, 1, 60>},
    {"deadlines", "check_interval_seconds",
     set_integer<&Config::deadlines, &Config::Deadlines::check_interval, 10, 86400>},
    {"deadlines", "utc_offset_minutes",
     set_signed<&Config::deadlines, &Config::Deadlines::utc_offset_minutes, -840, 840>},
    {"deadlines", "holidays", set_dates<&Config::deadlines, &Config::Deadlines::holidays>},
    {"deadlines", "extra_working_days",
     set_dates<&Config::deadlines, &Config::Deadlines::extra_working_days>},
    {"routing", "policy_file", set_path<&Config::routing, &Config::Routing::policy_file, true>},
    {"routing", "sealed_levels_above",
     set_integer<&Config::routing, &Config::Routing::sealed_levels_above, 0, 8>},
};

bool is_known_table(std::string_view table) {
  for (const Key& key : kKeys) {
    if (key.table == table) {
      return true;
    }
  }
  return false;
}

const Key* find_key(std::string_view table, std::string_view name) {
  for (const Key& key : kKeys) {
    if (key.table == table && key.name == name) {
      return &key;
    }
  }
  return nullptr;
}

std::string upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'a' && c <= 'z') {
      c = static_cast<char>(c - 'a' + 'A');
    }
  }
  return out;
}

std::string env_name(const Key& key) {
  return std::string(kEnvPrefix) + upper(key.table) + "_" + upper(key.name);
}

const Key* find_env_key(std::string_view variable) {
  for (const Key& key : kKeys) {
    if (env_name(key) == variable) {
      return &key;
    }
  }
  return nullptr;
}

void apply_file(const toml::table& root, std::string_view source, Config& config) {
  const std::string in_source = " in " + std::string(source);
  for (const auto& [table_key, table_node] : root) {
    const std::string_view table_name = table_key.str();
    if (!is_known_table(table_name)) {
      // `port = 1` above the first [table] is a misplaced key, not a table.
      const std::string_view kind = table_node.is_table() ? "table" : "key";
      fail("unknown " + std::string(kind) + " " + quote(table_name) + in_source);
    }
    const toml::table* table = table_node.as_table();
    if (table == nullptr) {
      // `server = 5` or [[server]].
      fail(std::string(table_name) + ": expected a table, got " + show(table_node) + in_source);
    }
    for (const auto& [key_name, value] : *table) {
      const std::string label = std::string(table_name) + "." + std::string(key_name.str());
      const Key* key = find_key(table_name, key_name.str());
      if (key == nullptr) {
        fail("unknown key " + quote(label) + in_source);
      }
      key->apply(config, Input{label, &value, {}});
    }
  }
}

void apply_environment(const Environment& env, Config& config) {
  for (const auto& [name, value] : env) {
    if (!name.starts_with(kEnvPrefix) || name == kConfigFileVariable ||
        name == kSessionFileVariable) {
      continue;
    }
    const Key* key = find_env_key(name);
    // A misspelt override would otherwise be ignored and the file value used
    // without anyone noticing.
    if (key == nullptr) {
      fail("unknown environment variable " + name);
    }
    key->apply(config, Input{name, nullptr, value});
  }
}

// Whether listeners on a and b (same port) would collide. asio leaves
// IPV6_V6ONLY off, so "::" also takes every IPv4 address on Linux.
bool addresses_overlap(const std::string& a, const std::string& b) {
  const auto x = boost::asio::ip::make_address(a);
  const auto y = boost::asio::ip::make_address(b);
  if (x == y) {
    return true;
  }
  if (x.is_v6() && x.is_unspecified()) {
    return true;
  }
  if (y.is_v6() && y.is_unspecified()) {
    return true;
  }
  return x.is_v4() == y.is_v4() && (x.is_unspecified() || y.is_unspecified());
}

// Rules between keys that hold for every subcommand; values are already in
// range here.
void validate(const Config& config) {
  // Two listeners on one port would fail at bind time with an error that
  // does not say which key to change.
  if (config.ops.port != 0 && config.ops.port == config.server.port &&
      addresses_overlap(config.ops.address, config.server.address)) {
    fail("ops.port: " + std::to_string(config.ops.port) +
         " is also server.port on an overlapping address");
  }
  if (config.pow.max_difficulty < config.pow.difficulty) {
    fail("pow.max_difficulty: " + std::to_string(config.pow.max_difficulty) +
         " is below pow.difficulty " + std::to_string(config.pow.difficulty));
  }
  if (config.followup.max_lookup_difficulty < config.followup.lookup_difficulty) {
    fail(
        "followup.max_lookup_difficulty: " + std::to_string(config.followup.max_lookup_difficulty) +
        " is below followup.lookup_difficulty " +
        std::to_string(config.followup.lookup_difficulty));
  }
  if (config.deadlines.handle_days < config.deadlines.acknowledge_days) {
    fail("deadlines.handle_days: " + std::to_string(config.deadlines.handle_days) +
         " is below deadlines.acknowledge_days " +
         std::to_string(config.deadlines.acknowledge_days));
  }
  for (const routing::Date& date : config.deadlines.extra_working_days) {
    if (config.deadlines.holidays.contains(date)) {
      fail("deadlines.extra_working_days: " + routing::format_date(date) +
           " is also in deadlines.holidays");
    }
  }
}

[[noreturn]] void fail_to_read(std::string_view what, const fs::path& path, int error) {
  fail(std::string(what) + " " + path.string() + ": " + std::generic_category().message(error));
}

void require_readable_file(const fs::path& path, std::string_view label) {
  if (path.empty()) {
    fail(std::string(label) + ": required");
  }
  const std::string what = std::string(label) + ": cannot read";
  std::error_code ec;
  const auto status = fs::status(path, ec);
  if (ec) {
    fail_to_read(what, path, ec.value());
  }
  if (!fs::is_regular_file(status)) {
    fail(std::string(label) + ": " + path.string() + " is not a regular file");
  }
  // Permissions are checked by opening, since the server may run as a user
  // other than the file's owner.
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  if (!file) {
    fail_to_read(what, path, errno);
  }
}

}  // namespace

Environment current_environment() {
  Environment env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    if (!text.starts_with(kEnvPrefix)) {
      continue;
    }
    const auto equals = text.find('=');
    if (equals == std::string_view::npos) {
      continue;
    }
    // emplace keeps the first of duplicate names, which is what getenv sees.
    env.emplace(std::string(text.substr(0, equals)), std::string(text.substr(equals + 1)));
  }
  return env;
}

Config parse_config(std::string_view toml_text, std::string_view source_name,
                    const Environment& env) {
  toml::table root;
  try {
    root = toml::parse(toml_text, source_name);
  } catch (const toml::parse_error& error) {
    const auto& where = error.source().begin;
    fail("syntax error in " + std::string(source_name) + " at line " + std::to_string(where.line) +
         ", column " + std::to_string(where.column) + ": " + std::string(error.description()));
  }
  Config config;
  apply_file(root, source_name, config);
  apply_environment(env, config);
  validate(config);
  return config;
}

namespace {

// The whole of a configuration-sized file; fails with `what` and the path.
std::string read_small_file(const fs::path& path, std::string_view what) {
  // stdio rather than ifstream: POSIX guarantees errno for the message.
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
  if (!file) {
    fail_to_read(what, path, errno);
  }
  std::string text;
  char buffer[8192];
  std::size_t count = 0;
  while ((count = std::fread(buffer, 1, sizeof buffer, file.get())) > 0) {
    text.append(buffer, count);
    if (text.size() > kMaxFileBytes) {
      fail(path.string() + " is larger than " + std::to_string(kMaxFileBytes) + " bytes");
    }
  }
  // A directory opens fine and fails here with EISDIR.
  if (std::ferror(file.get())) {
    fail_to_read(what, path, errno);
  }
  return text;
}

}  // namespace

Config load_config(const fs::path& path, const Environment& env) {
  if (path.empty()) {
    return parse_config({}, "(no config file)", env);
  }
  return parse_config(read_small_file(path, "cannot read config file"), path.string(), env);
}

routing::Policy load_routing_policy(const fs::path& file) {
  if (file.empty()) return routing::Policy{};
  const std::string text = read_small_file(file, "routing.policy_file: cannot read");
  std::string problem;
  auto policy = routing::Policy::parse(text, problem);
  if (!policy) fail("routing policy " + file.string() + ": " + problem);
  return std::move(*policy);
}

routing::DeadlinePolicy deadline_policy(const Config::Deadlines& deadlines) {
  routing::DeadlinePolicy policy;
  policy.acknowledge_days = static_cast<int>(deadlines.acknowledge_days);
  policy.handle_days = static_cast<int>(deadlines.handle_days);
  policy.transfer_working_days = static_cast<int>(deadlines.transfer_working_days);
  policy.escalation_working_days = static_cast<int>(deadlines.escalation_working_days);
  auto calendar = routing::Calendar::make(deadlines.holidays, deadlines.extra_working_days,
                                          deadlines.utc_offset_minutes);
  // validate() has refused both ways make() can fail; a Config built by hand
  // that slips past it still gets a calendar, without the conflicting dates.
  if (!calendar) calendar = routing::Calendar::make({}, {}, deadlines.utc_offset_minutes);
  if (calendar) policy.calendar = std::move(*calendar);
  return policy;
}

void require_tls_files(const Config& config) {
  require_readable_file(config.server.tls_certificate, "server.tls_certificate");
  require_readable_file(config.server.tls_private_key, "server.tls_private_key");
}

}  // namespace clueline::services
