#include "clueline/services/config.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace clueline::services {
namespace {

using std::chrono::seconds;
using ::testing::HasSubstr;

Config parse(std::string_view toml, const Environment& env = {}) {
  return parse_config(toml, "test.toml", env);
}

// The message of the ConfigError that `f` throws; fails the test if it
// throws nothing or something else.
template <typename F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const ConfigError& error) {
    return error.what();
  } catch (const std::exception& error) {
    ADD_FAILURE() << "expected ConfigError, got another exception: " << error.what();
    return {};
  }
  ADD_FAILURE() << "expected ConfigError, nothing was thrown";
  return {};
}

std::string parse_error(std::string_view toml, const Environment& env = {}) {
  return error_of([&] { parse(toml, env); });
}

// A fresh directory per test, removed afterwards.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "config_test.XXXXXX").string();
    if (::mkdtemp(pattern.data()) == nullptr) {
      throw std::runtime_error("mkdtemp failed");
    }
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path write(const std::string& name, const std::string& text) const {
    auto file = path_ / name;
    std::ofstream(file, std::ios::binary) << text;
    return file;
  }

 private:
  std::filesystem::path path_;
};

void expect_defaults(const Config& c) {
  EXPECT_EQ(c.accounts.session_idle, seconds(1800));
  EXPECT_EQ(c.accounts.session_absolute, seconds(43200));
  EXPECT_EQ(c.accounts.max_failed_logins, 10u);
  EXPECT_EQ(c.server.address, "0.0.0.0");
  EXPECT_EQ(c.server.port, 8443);
  EXPECT_EQ(c.server.threads, 0u);
  EXPECT_TRUE(c.server.tls_certificate.empty());
  EXPECT_TRUE(c.server.tls_private_key.empty());
  EXPECT_TRUE(c.server.public_base_url.empty());
  EXPECT_TRUE(c.routing.policy_file.empty());
  EXPECT_EQ(c.routing.sealed_levels_above, 2u);
  EXPECT_EQ(c.server.handshake_timeout, seconds(10));
  EXPECT_EQ(c.server.read_timeout, seconds(30));
  EXPECT_EQ(c.server.write_timeout, seconds(30));
  EXPECT_EQ(c.server.idle_timeout, seconds(60));
  EXPECT_EQ(c.server.header_limit_bytes, 8192u);
  EXPECT_EQ(c.server.body_limit_bytes, 65536u);
  EXPECT_EQ(c.server.max_connections, 10000u);
  EXPECT_EQ(c.server.shutdown_grace, seconds(10));
  EXPECT_EQ(c.ops.address, "127.0.0.1");
  EXPECT_EQ(c.ops.port, 9090);
  EXPECT_EQ(c.ops.min_free_disk_bytes, 1073741824u);
  EXPECT_EQ(c.ops.certificate_expiry_days, 14u);
  EXPECT_EQ(c.storage.data_dir, "/var/lib/clueline");
  EXPECT_TRUE(c.log.access_log);
  EXPECT_EQ(c.deadlines.acknowledge_days, 15u);
  EXPECT_EQ(c.deadlines.handle_days, 90u);
  EXPECT_EQ(c.deadlines.transfer_working_days, 5u);
  EXPECT_EQ(c.deadlines.escalation_working_days, 5u);
  EXPECT_EQ(c.deadlines.check_interval, seconds(300));
  EXPECT_EQ(c.deadlines.utc_offset_minutes, 480);
  EXPECT_TRUE(c.deadlines.holidays.empty());
  EXPECT_TRUE(c.deadlines.extra_working_days.empty());
}

// Every key set to a value different from its default.
constexpr std::string_view kAllKeys = R"(
[server]
address = "::1"
port = 443
threads = 4
tls_certificate = "/etc/clueline/cert.pem"
tls_private_key = "/etc/clueline/key.pem"
handshake_timeout_seconds = 5
read_timeout_seconds = 20
write_timeout_seconds = 25
idle_timeout_seconds = 120
header_limit_bytes = 16_384
body_limit_bytes = 1048576
max_connections = 500
shutdown_grace_seconds = 3

[ops]
address = "10.0.0.7"
port = 9100
min_free_disk_bytes = 5000000000
certificate_expiry_days = 30

[storage]
data_dir = "/srv/clueline"

[log]
access_log = false

[deadlines]
acknowledge_days = 10
handle_days = 60
transfer_working_days = 3
escalation_working_days = 2
check_interval_seconds = 60
utc_offset_minutes = -300
holidays = ["2026-10-01", 2026-10-02]
extra_working_days = ["2026-10-10"]

[routing]
sealed_levels_above = 0
)";

void expect_all_keys(const Config& c) {
  EXPECT_EQ(c.server.address, "::1");
  EXPECT_EQ(c.server.port, 443);
  EXPECT_EQ(c.server.threads, 4u);
  EXPECT_EQ(c.server.tls_certificate, "/etc/clueline/cert.pem");
  EXPECT_EQ(c.server.tls_private_key, "/etc/clueline/key.pem");
  EXPECT_EQ(c.server.handshake_timeout, seconds(5));
  EXPECT_EQ(c.server.read_timeout, seconds(20));
  EXPECT_EQ(c.server.write_timeout, seconds(25));
  EXPECT_EQ(c.server.idle_timeout, seconds(120));
  EXPECT_EQ(c.server.header_limit_bytes, 16384u);
  EXPECT_EQ(c.server.body_limit_bytes, 1048576u);
  EXPECT_EQ(c.server.max_connections, 500u);
  EXPECT_EQ(c.server.shutdown_grace, seconds(3));
  EXPECT_EQ(c.ops.address, "10.0.0.7");
  EXPECT_EQ(c.ops.port, 9100);
  EXPECT_EQ(c.ops.min_free_disk_bytes, 5000000000u);
  EXPECT_EQ(c.ops.certificate_expiry_days, 30u);
  EXPECT_EQ(c.storage.data_dir, "/srv/clueline");
  EXPECT_FALSE(c.log.access_log);
  EXPECT_EQ(c.deadlines.acknowledge_days, 10u);
  EXPECT_EQ(c.deadlines.handle_days, 60u);
  EXPECT_EQ(c.deadlines.transfer_working_days, 3u);
  EXPECT_EQ(c.deadlines.escalation_working_days, 2u);
  EXPECT_EQ(c.deadlines.check_interval, seconds(60));
  EXPECT_EQ(c.deadlines.utc_offset_minutes, -300);
  const std::set<routing::Date> holidays = {*routing::parse_date("2026-10-01"),
                                            *routing::parse_date("2026-10-02")};
  EXPECT_EQ(c.deadlines.holidays, holidays);
  EXPECT_EQ(c.deadlines.extra_working_days,
            std::set<routing::Date>{*routing::parse_date("2026-10-10")});
  EXPECT_EQ(c.routing.sealed_levels_above, 0u);
}

const Environment kAllKeysEnv = {
    {"CLUELINE_SERVER_ADDRESS", "::1"},
    {"CLUELINE_SERVER_PORT", "443"},
    {"CLUELINE_SERVER_THREADS", "4"},
    {"CLUELINE_SERVER_TLS_CERTIFICATE", "/etc/clueline/cert.pem"},
    {"CLUELINE_SERVER_TLS_PRIVATE_KEY", "/etc/clueline/key.pem"},
    {"CLUELINE_SERVER_HANDSHAKE_TIMEOUT_SECONDS", "5"},
    {"CLUELINE_SERVER_READ_TIMEOUT_SECONDS", "20"},
    {"CLUELINE_SERVER_WRITE_TIMEOUT_SECONDS", "25"},
    {"CLUELINE_SERVER_IDLE_TIMEOUT_SECONDS", "120"},
    {"CLUELINE_SERVER_HEADER_LIMIT_BYTES", "16384"},
    {"CLUELINE_SERVER_BODY_LIMIT_BYTES", "1048576"},
    {"CLUELINE_SERVER_MAX_CONNECTIONS", "500"},
    {"CLUELINE_SERVER_SHUTDOWN_GRACE_SECONDS", "3"},
    {"CLUELINE_OPS_ADDRESS", "10.0.0.7"},
    {"CLUELINE_OPS_PORT", "9100"},
    {"CLUELINE_OPS_MIN_FREE_DISK_BYTES", "5000000000"},
    {"CLUELINE_OPS_CERTIFICATE_EXPIRY_DAYS", "30"},
    {"CLUELINE_STORAGE_DATA_DIR", "/srv/clueline"},
    {"CLUELINE_LOG_ACCESS_LOG", "false"},
    {"CLUELINE_DEADLINES_ACKNOWLEDGE_DAYS", "10"},
    {"CLUELINE_DEADLINES_HANDLE_DAYS", "60"},
    {"CLUELINE_DEADLINES_TRANSFER_WORKING_DAYS", "3"},
    {"CLUELINE_DEADLINES_ESCALATION_WORKING_DAYS", "2"},
    {"CLUELINE_DEADLINES_CHECK_INTERVAL_SECONDS", "60"},
    {"CLUELINE_DEADLINES_UTC_OFFSET_MINUTES", "-300"},
    {"CLUELINE_DEADLINES_HOLIDAYS", "2026-10-01, 2026-10-02"},
    {"CLUELINE_DEADLINES_EXTRA_WORKING_DAYS", "2026-10-10"},
    {"CLUELINE_ROUTING_SEALED_LEVELS_ABOVE", "0"},
};

TEST(Config, PublicBaseUrlIsAnHttpsUrlWithAHost) {
  EXPECT_EQ(
      parse("[server]\npublic_base_url = \"https://jubao.example.cn//\"").server.public_base_url,
      "https://jubao.example.cn");
  EXPECT_EQ(
      parse("[server]\npublic_base_url = \"https://h.example:8443/jubao\"").server.public_base_url,
      "https://h.example:8443/jubao");
  for (const char* bad : {"http://jubao.example.cn", "https://", "https:///path",
                          "https://h.example/?q=1", "https://h.example/#x", "https://h ex"}) {
    EXPECT_NE(parse_error(std::string("[server]\npublic_base_url = \"") + bad + "\"")
                  .find("server.public_base_url: expected an https:// URL with a host"),
              std::string::npos)
        << bad;
  }
}

TEST(Config, DeadlineDatesAreCheckedAndNamed) {
  EXPECT_EQ(parse_error("[deadlines]\nholidays = \"2026-10-01\""),
            "deadlines.holidays: expected a list of dates \"YYYY-MM-DD\", got \"2026-10-01\"");
  EXPECT_EQ(parse_error("[deadlines]\nholidays = [\"2026-02-30\"]"),
            "deadlines.holidays: expected dates \"YYYY-MM-DD\", got \"2026-02-30\"");
  EXPECT_EQ(parse_error("[deadlines]\nextra_working_days = [1]"),
            "deadlines.extra_working_days: expected a list of dates \"YYYY-MM-DD\", got an array");
  EXPECT_EQ(parse_error("", {{"CLUELINE_DEADLINES_HOLIDAYS", "2026-10-01,,2026-10-02"}}),
            "CLUELINE_DEADLINES_HOLIDAYS: expected dates \"YYYY-MM-DD\", got \"\"");
  EXPECT_EQ(parse_error("[deadlines]\nholidays = [\"2026-10-10\"]\n"
                        "extra_working_days = [\"2026-10-10\"]"),
            "deadlines.extra_working_days: 2026-10-10 is also in deadlines.holidays");
  EXPECT_EQ(parse_error("[deadlines]\nutc_offset_minutes = 900"),
            "deadlines.utc_offset_minutes: expected an integer between -840 and 840, got 900");
  EXPECT_EQ(parse_error("[deadlines]\ncheck_interval_seconds = 5"),
            "deadlines.check_interval_seconds: expected an integer between 10 and 86400, got 5");
  EXPECT_TRUE(parse("", {{"CLUELINE_DEADLINES_HOLIDAYS", ""}}).deadlines.holidays.empty());
}

TEST(Config, DeadlinePolicyCarriesThePeriodsAndTheCalendar) {
  const Config c = parse(kAllKeys);
  const routing::DeadlinePolicy policy = deadline_policy(c.deadlines);
  EXPECT_EQ(policy.acknowledge_days, 10);
  EXPECT_EQ(policy.handle_days, 60);
  EXPECT_EQ(policy.transfer_working_days, 3);
  EXPECT_EQ(policy.escalation_working_days, 2);
  EXPECT_EQ(policy.calendar.utc_offset_minutes(), -300);
  EXPECT_FALSE(policy.calendar.is_working_day(*routing::parse_date("2026-10-01")));  // Thursday
  EXPECT_TRUE(policy.calendar.is_working_day(*routing::parse_date("2026-10-10")));   // Saturday
  EXPECT_TRUE(policy.calendar.is_working_day(*routing::parse_date("2026-10-05")));   // Monday
}

TEST(Config, PricesAndLimitsOfTheCitizenRoutes) {
  const Config defaults = parse("");
  EXPECT_EQ(defaults.pow.site_load_threshold_per_minute, 2u);
  EXPECT_EQ(defaults.pow.attachment_load_threshold_mib_per_minute, 64u);
  EXPECT_EQ(defaults.limits.attachment_quota_bytes, std::uint64_t{64} << 30);
  EXPECT_EQ(defaults.followup.sessions_per_clue, 4u);
  EXPECT_EQ(defaults.followup.lookup_difficulty, 12u);
  EXPECT_EQ(defaults.followup.max_lookup_difficulty, 22u);
  EXPECT_EQ(defaults.followup.failed_lookup_threshold_per_second, 5u);
  const Config set = parse(
      "[pow]\nsite_load_threshold_per_minute = 7\nattachment_load_threshold_mib_per_minute = 5\n"
      "[limits]\nattachment_quota_bytes = 1000\n"
      "[followup]\nsessions_per_clue = 2\nlookup_difficulty = 3\nmax_lookup_difficulty = 9\n"
      "failed_lookup_threshold_per_second = 40\n");
  EXPECT_EQ(set.pow.site_load_threshold_per_minute, 7u);
  EXPECT_EQ(set.pow.attachment_load_threshold_mib_per_minute, 5u);
  EXPECT_EQ(set.limits.attachment_quota_bytes, 1000u);
  EXPECT_EQ(set.followup.sessions_per_clue, 2u);
  EXPECT_EQ(set.followup.lookup_difficulty, 3u);
  EXPECT_EQ(set.followup.max_lookup_difficulty, 9u);
  EXPECT_EQ(set.followup.failed_lookup_threshold_per_second, 40u);
  EXPECT_EQ(parse_error("[followup]\nlookup_difficulty = 20\nmax_lookup_difficulty = 10\n"),
            "followup.max_lookup_difficulty: 10 is below followup.lookup_difficulty 20");
  // The token buckets are gone: pressure raises the price instead.
  EXPECT_NE(parse_error("[limits]\nsite_burst = 20\n").find("unknown key \"limits.site_burst\""),
            std::string::npos);
}

TEST(Config, EmptyTextGivesDefaults) { expect_defaults(parse("")); }

TEST(Config, EmptyTablesGiveDefaults) {
  expect_defaults(parse("[server]\n[ops]\n[storage]\n[log]\n"));
}

TEST(Config, EveryKeyIsParsedFromToml) { expect_all_keys(parse(kAllKeys)); }

TEST(Config, EveryKeyIsOverriddenFromEnvironment) { expect_all_keys(parse("", kAllKeysEnv)); }

TEST(Config, EnvironmentWinsOverFile) {
  const Config c = parse("[server]\nport = 1000\nthreads = 2\n[log]\naccess_log = true\n",
                         {{"CLUELINE_SERVER_PORT", "2000"}, {"CLUELINE_LOG_ACCESS_LOG", "0"}});
  EXPECT_EQ(c.server.port, 2000);
  EXPECT_EQ(c.server.threads, 2u);  // not overridden: the file value stays
  EXPECT_FALSE(c.log.access_log);
}

TEST(Config, DottedKeysAtTopLevelAreAccepted) {
  EXPECT_EQ(parse("server.port = 1234\n").server.port, 1234);
}

TEST(Config, UnknownKeyNamesKeyAndSource) {
  EXPECT_EQ(parse_error("[server]\nprot = 8443\n"), R"(unknown key "server.prot" in test.toml)");
}

TEST(Config, UnknownKeyInOtherTable) {
  EXPECT_THAT(parse_error("[log]\naccess_log = true\nverbose = true\n"),
              HasSubstr(R"("log.verbose")"));
}

TEST(Config, UnknownTableIsNamed) {
  EXPECT_EQ(parse_error("[sever]\nport = 1\n"), R"(unknown table "sever" in test.toml)");
}

TEST(Config, NestedTableIsUnknownKey) {
  EXPECT_THAT(parse_error("[server.tls]\ncertificate = \"x\"\n"), HasSubstr(R"("server.tls")"));
}

TEST(Config, KeyAboveFirstTableIsUnknown) {
  EXPECT_EQ(parse_error("port = 8443\n"), R"(unknown key "port" in test.toml)");
}

TEST(Config, TableGivenAsValueIsRejected) {
  EXPECT_THAT(parse_error("server = 5\n"), HasSubstr("server: expected a table, got 5"));
  EXPECT_THAT(parse_error("[[server]]\nport = 1\n"),
              HasSubstr("server: expected a table, got an array"));
}

TEST(Config, PortStringIsRejectedWithKeyAndValue) {
  EXPECT_EQ(parse_error("[server]\nport = \"abc\"\n"),
            R"(server.port: expected an integer between 0 and 65535, got "abc")");
  // A number in quotes is still a string in TOML; the file must say what it means.
  EXPECT_THAT(parse_error("[server]\nport = \"8443\"\n"), HasSubstr(R"(got "8443")"));
}

TEST(Config, PortFloatIsRejectedWithKeyAndValue) {
  EXPECT_EQ(parse_error("[server]\nport = 1.5\n"),
            "server.port: expected an integer between 0 and 65535, got 1.5");
}

TEST(Config, WrongTypesShowTheValue) {
  EXPECT_THAT(parse_error("[server]\nthreads = true\n"), HasSubstr("server.threads:"));
  EXPECT_THAT(parse_error("[server]\nthreads = true\n"), HasSubstr("got true"));
  EXPECT_THAT(parse_error("[server]\naddress = 127\n"),
              HasSubstr("server.address: expected an IPv4 or IPv6 address, got 127"));
  EXPECT_THAT(parse_error("[storage]\ndata_dir = [\"a\"]\n"),
              HasSubstr("storage.data_dir: expected a non-empty path, got an array"));
  EXPECT_THAT(parse_error("[server]\ntls_certificate = { a = 1 }\n"),
              HasSubstr("server.tls_certificate: expected a path, got a table"));
}

TEST(Config, EnvironmentPortIsRejectedWithVariableName) {
  EXPECT_EQ(parse_error("", {{"CLUELINE_SERVER_PORT", "abc"}}),
            R"(CLUELINE_SERVER_PORT: expected an integer between 0 and 65535, got "abc")");
}

TEST(Config, EnvironmentIntegersAreStrict) {
  for (const char* bad : {"", " 80", "80 ", "+80", "80x", "0x50", "8.0", "1e3"}) {
    EXPECT_THAT(parse_error("", {{"CLUELINE_SERVER_PORT", bad}}),
                HasSubstr("CLUELINE_SERVER_PORT: expected an integer"))
        << "value: '" << bad << "'";
  }
}

// Bounds of every integer key: the bounds themselves are accepted, one past
// them is rejected, from the file and from the environment alike.
struct Range {
  const char* table;
  const char* key;
  long long min;
  long long max;
};

constexpr Range kRanges[] = {
    {"server", "port", 0, 65535},
    {"server", "threads", 0, 256},
    {"server", "handshake_timeout_seconds", 1, 3600},
    {"server", "read_timeout_seconds", 1, 3600},
    {"server", "write_timeout_seconds", 1, 3600},
    {"server", "idle_timeout_seconds", 1, 3600},
    {"server", "header_limit_bytes", 1024, 65536},
    {"server", "body_limit_bytes", 1, 64LL * 1024 * 1024},
    {"server", "max_connections", 1, 1000000},
    {"server", "shutdown_grace_seconds", 1, 3600},
    {"ops", "port", 0, 65535},
    {"ops", "min_free_disk_bytes", 0, 9223372036854775807},
    {"ops", "certificate_expiry_days", 0, 365},
};

std::string upper(std::string text) {
  for (char& c : text) {
    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return text;
}

std::string toml_for(const Range& r, long long value) {
  return "[" + std::string(r.table) + "]\n" + r.key + " = " + std::to_string(value) + "\n";
}

std::string env_for(const Range& r) { return "CLUELINE_" + upper(r.table) + "_" + upper(r.key); }

TEST(Config, BoundsAreAcceptedFromFileAndEnvironment) {
  for (const Range& r : kRanges) {
    for (const long long value : {r.min, r.max}) {
      // Keep the two listeners on different ports while probing one of them.
      const Environment apart = {
          {std::string("CLUELINE_") + (r.table == std::string("ops") ? "SERVER_PORT" : "OPS_PORT"),
           "1"}};
      EXPECT_NO_THROW(parse(toml_for(r, value), apart)) << r.table << "." << r.key << "=" << value;
      Environment env = apart;
      env[env_for(r)] = std::to_string(value);
      EXPECT_NO_THROW(parse("", env)) << env_for(r) << "=" << value;
    }
  }
}

TEST(Config, OutOfRangeIsRejectedFromFileAndEnvironment) {
  for (const Range& r : kRanges) {
    const std::string expected =
        "expected an integer between " + std::to_string(r.min) + " and " + std::to_string(r.max);
    const std::string label = std::string(r.table) + "." + r.key;
    EXPECT_EQ(parse_error(toml_for(r, r.min - 1)),
              label + ": " + expected + ", got " + std::to_string(r.min - 1));
    EXPECT_EQ(parse_error("", {{env_for(r), std::to_string(r.min - 1)}}),
              env_for(r) + ": " + expected + ", got \"" + std::to_string(r.min - 1) + "\"");
    if (r.max < 9223372036854775807) {
      EXPECT_EQ(parse_error(toml_for(r, r.max + 1)),
                label + ": " + expected + ", got " + std::to_string(r.max + 1));
      EXPECT_THAT(parse_error("", {{env_for(r), std::to_string(r.max + 1)}}),
                  HasSubstr(env_for(r) + ": " + expected));
    }
  }
  // Beyond what TOML and int64 can hold, from the environment.
  EXPECT_THAT(parse_error("", {{"CLUELINE_OPS_MIN_FREE_DISK_BYTES", "18446744073709551616"}}),
              HasSubstr("CLUELINE_OPS_MIN_FREE_DISK_BYTES: expected an integer"));
}

TEST(Config, AddressesMustBeIpLiterals) {
  EXPECT_EQ(parse("[server]\naddress = \"::\"\n").server.address, "::");
  EXPECT_EQ(parse("[ops]\naddress = \"192.168.1.10\"\n").ops.address, "192.168.1.10");
  for (const char* bad : {"localhost", "1.2.3.4.5", "", "256.0.0.1", "0.0.0.0:80", " 127.0.0.1"}) {
    EXPECT_EQ(parse_error("[server]\naddress = \"" + std::string(bad) + "\"\n"),
              "server.address: expected an IPv4 or IPv6 address, got \"" + std::string(bad) + "\"");
    EXPECT_THAT(parse_error("", {{"CLUELINE_OPS_ADDRESS", bad}}),
                HasSubstr("CLUELINE_OPS_ADDRESS: expected an IPv4 or IPv6 address"));
  }
  // An embedded NUL would otherwise be cut off by the address parser.
  EXPECT_THAT(parse_error("[server]\naddress = \"127.0.0.1\\u0000x\"\n"),
              HasSubstr("server.address:"));
}

TEST(Config, DataDirMustNotBeEmpty) {
  EXPECT_THAT(parse_error("[storage]\ndata_dir = \"\"\n"),
              HasSubstr("storage.data_dir: expected a non-empty path"));
  EXPECT_THAT(parse_error("", {{"CLUELINE_STORAGE_DATA_DIR", ""}}),
              HasSubstr("CLUELINE_STORAGE_DATA_DIR: expected a non-empty path"));
}

TEST(Config, PathWithNulIsRejected) {
  EXPECT_THAT(parse_error("[server]\ntls_private_key = \"/a\\u0000b\"\n"),
              HasSubstr("server.tls_private_key: expected a path without NUL characters"));
}

TEST(Config, BooleansFromFile) {
  EXPECT_TRUE(parse("[log]\naccess_log = true\n").log.access_log);
  EXPECT_FALSE(parse("[log]\naccess_log = false\n").log.access_log);
  EXPECT_EQ(parse_error("[log]\naccess_log = 1\n"),
            "log.access_log: expected true or false, got 1");
  EXPECT_EQ(parse_error("[log]\naccess_log = \"false\"\n"),
            R"(log.access_log: expected true or false, got "false")");
}

TEST(Config, BooleansFromEnvironment) {
  const std::string_view on = "[log]\naccess_log = true\n";
  const std::string_view off = "[log]\naccess_log = false\n";
  EXPECT_TRUE(parse(off, {{"CLUELINE_LOG_ACCESS_LOG", "true"}}).log.access_log);
  EXPECT_TRUE(parse(off, {{"CLUELINE_LOG_ACCESS_LOG", "1"}}).log.access_log);
  EXPECT_FALSE(parse(on, {{"CLUELINE_LOG_ACCESS_LOG", "false"}}).log.access_log);
  EXPECT_FALSE(parse(on, {{"CLUELINE_LOG_ACCESS_LOG", "0"}}).log.access_log);
  for (const char* bad : {"yes", "no", "TRUE", "", "2", "on"}) {
    EXPECT_EQ(
        parse_error("", {{"CLUELINE_LOG_ACCESS_LOG", bad}}),
        "CLUELINE_LOG_ACCESS_LOG: expected true, false, 1 or 0, got \"" + std::string(bad) + "\"");
  }
}

TEST(Config, UnknownEnvironmentVariableIsNamed) {
  EXPECT_EQ(parse_error("", {{"CLUELINE_SERVER_PROT", "1"}}),
            "unknown environment variable CLUELINE_SERVER_PROT");
  // Names are exact: no case folding.
  EXPECT_THAT(parse_error("", {{"CLUELINE_server_port", "1"}}), HasSubstr("CLUELINE_server_port"));
}

TEST(Config, ConfigVariableAndForeignVariablesAreIgnored) {
  const Config c = parse("", {{"CLUELINE_CONFIG", "/etc/clueline.toml"},
                              {"CLUELINE_SESSION_FILE", "/root/.config/clueline/s.json"},
                              {"HOME", "/root"},
                              {"CLUELINEX", "1"},
                              {"SERVER_PORT", "abc"}});
  expect_defaults(c);
}

TEST(Config, ListenersMustNotShareAPort) {
  EXPECT_EQ(parse_error("[ops]\nport = 8443\n"),
            "ops.port: 8443 is also server.port on an overlapping address");
  EXPECT_THAT(parse_error("[server]\naddress = \"::\"\nport = 9090\n"), HasSubstr("ops.port:"));
  EXPECT_THAT(parse_error("", {{"CLUELINE_SERVER_PORT", "9090"}}), HasSubstr("ops.port:"));
  // Distinct specific addresses may share a port, and 0 is always ephemeral.
  EXPECT_NO_THROW(parse("[server]\naddress = \"10.0.0.1\"\nport = 9090\n"));
  EXPECT_NO_THROW(parse("[server]\nport = 0\n[ops]\nport = 0\n"));
}

TEST(Config, SyntaxErrorNamesSourceAndLine) {
  const std::string message = parse_error("[server]\nport = 8443\nthreads = = 2\n");
  EXPECT_THAT(message, HasSubstr("test.toml"));
  EXPECT_THAT(message, HasSubstr("line 3"));
  EXPECT_THAT(message, HasSubstr("syntax error"));
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
}

TEST(Config, DuplicateKeyIsASyntaxError) {
  EXPECT_THAT(parse_error("[server]\nport = 1\nport = 2\n"), HasSubstr("line 3"));
}

TEST(Config, MessagesAreOneLine) {
  const std::vector<std::string> messages = {
      parse_error("[server]\naddress = \"\"\"\n1.2.3.4\nx\"\"\"\n"),
      parse_error("[server]\naddress = \"a\\r\\nb\\u0007\"\n"),
      parse_error("[server]\nport = [\n1,\n2\n]\n"),
      parse_error("[server]\nport = { a = 1, b = 2 }\n"),
      parse_error("[server]\nport = \"unterminated\n"),
      parse_error("[\"a\\nb\"]\nx = 1\n"),
      parse_error("", {{"CLUELINE_SERVER_PORT", "1\n2"}}),
      parse_error("", {{"CLUELINE_X\nY", "1"}}),
      error_of([] { parse_config("[x]", "file\nname", {}); }),
  };
  for (const std::string& m : messages) {
    EXPECT_FALSE(m.empty());
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
    EXPECT_EQ(m.find('\r'), std::string::npos) << m;
  }
  EXPECT_THAT(messages[0], HasSubstr(R"(got "1.2.3.4\nx")"));
}

TEST(Config, LongValuesAreShortened) {
  const std::string long_value(10000, 'a');
  const std::string message = parse_error("", {{"CLUELINE_SERVER_ADDRESS", long_value}});
  EXPECT_THAT(message, HasSubstr("CLUELINE_SERVER_ADDRESS"));
  EXPECT_LT(message.size(), 200u);
}

TEST(LoadConfig, ReadsTheFileAndAppliesEnvironment) {
  TempDir dir;
  const auto file = dir.write("clueline.toml", std::string(kAllKeys));
  const Config c = load_config(file, {{"CLUELINE_SERVER_PORT", "8000"}});
  EXPECT_EQ(c.server.port, 8000);
  EXPECT_EQ(c.server.threads, 4u);
  EXPECT_EQ(c.storage.data_dir, "/srv/clueline");
}

TEST(LoadConfig, MessagesNameTheFile) {
  TempDir dir;
  const auto file = dir.write("bad.toml", "[server]\nprot = 1\n");
  EXPECT_EQ(error_of([&] { load_config(file, {}); }),
            "unknown key \"server.prot\" in " + file.string());
  const auto broken = dir.write("broken.toml", "\n\n\n[server\n");
  const std::string message = error_of([&] { load_config(broken, {}); });
  EXPECT_THAT(message, HasSubstr(broken.string()));
  EXPECT_THAT(message, HasSubstr("line 4"));
}

TEST(LoadConfig, MissingFileIsNamed) {
  TempDir dir;
  const auto missing = dir.path() / "nope.toml";
  const std::string message = error_of([&] { load_config(missing, {}); });
  EXPECT_THAT(message, HasSubstr(missing.string()));
  EXPECT_THAT(message, HasSubstr("No such file"));
}

TEST(LoadConfig, DirectoryIsRejected) {
  TempDir dir;
  EXPECT_THAT(error_of([&] { load_config(dir.path(), {}); }), HasSubstr(dir.path().string()));
}

TEST(LoadConfig, UnreadableFileIsNamed) {
  if (::geteuid() == 0) {
    GTEST_SKIP() << "root reads files regardless of mode";
  }
  TempDir dir;
  const auto file = dir.write("secret.toml", "");
  std::filesystem::permissions(file, std::filesystem::perms::none);
  EXPECT_THAT(error_of([&] { load_config(file, {}); }), HasSubstr(file.string()));
}

TEST(LoadConfig, EmptyPathMeansDefaultsAndEnvironment) {
  expect_defaults(load_config({}, {}));
  EXPECT_EQ(load_config({}, {{"CLUELINE_OPS_PORT", "9191"}}).ops.port, 9191);
  EXPECT_THAT(error_of([] {
                load_config({}, {{"CLUELINE_NOPE", "1"}});
              }),
              HasSubstr("CLUELINE_NOPE"));
}

TEST(RequireTlsFiles, BothAreRequired) {
  TempDir dir;
  Config c;
  EXPECT_EQ(error_of([&] { require_tls_files(c); }), "server.tls_certificate: required");
  c.server.tls_certificate = dir.write("cert.pem", "x");
  EXPECT_EQ(error_of([&] { require_tls_files(c); }), "server.tls_private_key: required");
  c.server.tls_private_key = dir.write("key.pem", "x");
  EXPECT_NO_THROW(require_tls_files(c));
}

TEST(RequireTlsFiles, MissingOrNonRegularFilesAreNamed) {
  TempDir dir;
  Config c;
  c.server.tls_certificate = dir.write("cert.pem", "x");
  c.server.tls_private_key = dir.path() / "missing.pem";
  std::string message = error_of([&] { require_tls_files(c); });
  EXPECT_THAT(message, HasSubstr("server.tls_private_key"));
  EXPECT_THAT(message, HasSubstr("missing.pem"));
  c.server.tls_private_key = dir.path();
  message = error_of([&] { require_tls_files(c); });
  EXPECT_THAT(message, HasSubstr("server.tls_private_key"));
  EXPECT_THAT(message, HasSubstr("not a regular file"));
}

TEST(CurrentEnvironment, ReturnsOnlyClueLineVariables) {
  ASSERT_EQ(::setenv("CLUELINE_TEST_ONLY_VARIABLE", "a=b", 1), 0);
  ASSERT_EQ(::setenv("NOT_CLUELINE_TEST_ONLY_VARIABLE", "x", 1), 0);
  const Environment env = current_environment();
  ::unsetenv("CLUELINE_TEST_ONLY_VARIABLE");
  ::unsetenv("NOT_CLUELINE_TEST_ONLY_VARIABLE");
  ASSERT_TRUE(env.contains("CLUELINE_TEST_ONLY_VARIABLE"));
  EXPECT_EQ(env.at("CLUELINE_TEST_ONLY_VARIABLE"), "a=b");
  EXPECT_FALSE(env.contains("NOT_CLUELINE_TEST_ONLY_VARIABLE"));
  for (const auto& [name, value] : env) {
    EXPECT_TRUE(name.starts_with("CLUELINE_")) << name;
  }
}

// The example file documents every key with its default. Uncommenting every
// `# key = value` line must give exactly the defaults (TLS paths aside, which
// the example sets), and every key in the file must be known.
TEST(ExampleConfig, DocumentsEveryKeyWithItsDefault) {
  std::ifstream in(CLUELINE_EXAMPLE_CONFIG);
  ASSERT_TRUE(in) << CLUELINE_EXAMPLE_CONFIG;
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string example = buffer.str();

  const Config as_shipped = parse(example);
  EXPECT_FALSE(as_shipped.server.tls_certificate.empty());
  EXPECT_FALSE(as_shipped.server.tls_private_key.empty());

  const std::regex commented_key(R"(^# ?([a-z_]+ = ))", std::regex::multiline);
  const std::string uncommented = std::regex_replace(example, commented_key, "$1");
  Config c = parse(uncommented);
  c.server.tls_certificate.clear();
  c.server.tls_private_key.clear();
  expect_defaults(c);

  const std::regex any_key(R"(^# ?([a-z_]+) = )", std::regex::multiline);
  int documented = 0;
  for (auto it = std::sregex_iterator(example.begin(), example.end(), any_key);
       it != std::sregex_iterator(); ++it) {
    ++documented;
  }
  // Every key except the two TLS paths appears as a commented default.
  EXPECT_EQ(documented, 43);
}

}  // namespace
}  // namespace clueline::services
