// Start-up configuration of `clueline serve --config FILE`.
//
// One TOML file (tables [server], [ops], [storage], [log], [pow], [limits],
// [followup], [deadlines]) plus CLUELINE_*
// environment overrides. Every key has a safe default, so an empty file (or no
// file) is a valid configuration apart from the TLS files that serving needs.
// The environment wins over the file: the override of key `port` in table
// [server] is CLUELINE_SERVER_PORT ("CLUELINE_" + upper(table) + "_" +
// upper(key)). deploy/clueline.example.toml lists every key.
//
// Configuration is read only at start-up, so every problem is reported by
// throwing ConfigError, whose what() is exactly one line (no '\n') that names
// the offending key, environment variable or file, e.g.
//   server.port: expected an integer between 0 and 65535, got "abc"
//   unknown key "server.prot" in /etc/clueline.toml
//   CLUELINE_SERVER_PORT: expected an integer between 0 and 65535, got "abc"
// Only the first problem found is reported. A function either returns a
// complete, validated Config or throws; there is no partial result.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <string_view>

#include "clueline/routing/deadlines.hpp"
#include "clueline/routing/policy.hpp"

namespace clueline::services {

// The whole configuration. Defaults are the values used when neither the file
// nor the environment sets a key. TOML key names are the member names, except
// durations (`<name>_seconds`, e.g. read_timeout_seconds, integer seconds).
struct Config {
  struct Server {
    // IPv4 or IPv6 literal to listen on; host names are rejected.
    std::string address = "0.0.0.0";
    std::uint16_t port = 8443;  // 0 = ephemeral (tests)
    unsigned threads = 0;       // 0 = one per hardware thread; at most 256
    // PEM certificate chain and private key. May be left empty by
    // parse_config/load_config; require_tls_files rejects that before serving.
    std::filesystem::path tls_certificate;
    std::filesystem::path tls_private_key;
    // Timeouts are 1..3600 seconds each. The TLS handshake:
    std::chrono::seconds handshake_timeout{10};
    // The whole request, head and body.
    std::chrono::seconds read_timeout{30};
    // The whole response.
    std::chrono::seconds write_timeout{30};
    // Keep-alive wait for the next request.
    std::chrono::seconds idle_timeout{60};
    // 1024..65536.
    std::size_t header_limit_bytes = std::size_t{8} * 1024;
    // Default per-route body limit; 1..64 MiB.
    std::size_t body_limit_bytes = std::size_t{64} * 1024;
    // 1..1000000.
    std::size_t max_connections = 10000;
    // In-flight requests get this long after SIGTERM; 1..3600 seconds.
    std::chrono::seconds shutdown_grace{10};
    // The https:// URL that posters print before /s/{token} (as `site add
    // --base-url`), without a trailing slash; poster checks compare a
    // photographed code's URL with it. Empty: the Host the request came to.
    std::string public_base_url;
  } server;
  struct Ops {
    // Health, readiness and metrics listener; loopback by default.
    std::string address = "127.0.0.1";
    // 0 = ephemeral (tests); otherwise not server.port on an overlapping address.
    std::uint16_t port = 9090;
    std::uint64_t min_free_disk_bytes = 1ull << 30;  // /readyz fails below this
    unsigned certificate_expiry_days = 14;  // /readyz fails when the cert expires sooner; 0..365
  } ops;
  struct Storage {
    // Non-empty. A relative path is relative to the working directory.
    std::filesystem::path data_dir = "/var/lib/clueline";
  } storage;
  struct Log {
    bool access_log = true;  // one line per request on stdout, never a client address
  } log;
  // Proof of work demanded of every report (docs/crypto-spec.md section 7).
  // Pressure raises the price instead of refusing reports: see
  // Intake::report_difficulty and SECURITY.md.
  struct Pow {
    unsigned difficulty = 16;      // leading zero bits at rest; 0..32
    unsigned max_difficulty = 24;  // ceiling under load; difficulty..32
    // Each doubling of the server-wide rate of accepted reports above this
    // adds one bit.
    unsigned load_threshold_per_second = 50;  // 1..1000000
    // Each doubling of one site's rate above this adds one bit, for that site.
    unsigned site_load_threshold_per_minute = 2;  // 1..1000000
    // Each doubling of the server-wide rate of stored attachment bytes
    // above this many MiB a minute (one clue's 64 MiB by default) adds one
    // bit to every site's price: the attachment quota is never given back.
    unsigned attachment_load_threshold_mib_per_minute = 64;  // 1..1000000
    std::chrono::seconds challenge_lifetime{120};            // 10..3600
  } pow;
  struct Limits {
    // Attachment bytes the whole deployment stores at most (the sum over
    // every clue); a part beyond it is refused (503). 0..2^63-1.
    std::uint64_t attachment_quota_bytes = std::uint64_t{64} << 30;
  } limits;
  struct Followup {
    std::chrono::seconds session_lifetime{900};  // 60..86400
    // Sessions one clue keeps open; opening one more closes its oldest.
    unsigned sessions_per_clue = 4;  // 1..100
    // The proof of work of opening a session with a receipt: this many bits
    // at rest, one more per doubling of the failed-lookup rate above the
    // threshold, at most the maximum.
    unsigned lookup_difficulty = 12;                  // 0..32
    unsigned max_lookup_difficulty = 22;              // lookup_difficulty..32
    unsigned failed_lookup_threshold_per_second = 5;  // 1..1000000
  } followup;
  // Supervisor sessions and logins (services/auth.hpp).
  struct Accounts {
    std::chrono::seconds session_idle{1800};       // 60..86400
    std::chrono::seconds session_absolute{43200};  // 300..604800
    unsigned max_failed_logins = 10;               // consecutive failures that lock; 3..100
  } accounts;
  // Deadlines of a clue and its automatic escalation (routing/deadlines.hpp,
  // routing/escalation.hpp). Periods in days are calendar days; a deadline
  // that falls on a rest day moves to the end of the next working day.
  struct Deadlines {
    unsigned acknowledge_days = 15;      // 1..365
    unsigned handle_days = 90;           // 1..3650, >= acknowledge_days
    unsigned transfer_working_days = 5;  // 1..60
    // An overdue clue becomes visible one receiving unit further up after
    // each further period of this many working days; 1..60.
    unsigned escalation_working_days = 5;
    // How often the server looks for clues past a deadline; 10..86400 s.
    std::chrono::seconds check_interval{300};
    // Local time of the working-day calendar, minutes east of UTC; -840..840.
    int utc_offset_minutes = 8 * 60;
    // Public holidays on weekdays, and weekend days worked instead, as
    // "YYYY-MM-DD" (TOML strings or dates; in the environment, one
    // comma-separated list). At most 2,000 each; no date in both.
    std::set<routing::Date> holidays;
    std::set<routing::Date> extra_working_days;
  } deadlines;
  struct Routing {
    // The routing policy (TOML; see include/clueline/routing/policy.hpp and
    // docs/routing.md). Empty: the built-in default policy. Read and checked
    // against the stored unit tree at start-up.
    std::filesystem::path policy_file;
    // How many receiving units above the handling unit, on its escalation
    // path, every report is also sealed to, so that the units a clue
    // escalates to can read it without the unit being supervised
    // re-sealing it (docs/crypto-spec.md §5.1). 0: the handling unit only.
    unsigned sealed_levels_above = 2;
  } routing;
};

// The routing policy in `file` (routing.policy_file), or the built-in
// default for an empty path. Throws ConfigError naming the file and the bad
// key if it cannot be read or parsed. Checking it against the unit tree is
// the caller's job (routing::Policy::check_against), once the tree is loaded.
routing::Policy load_routing_policy(const std::filesystem::path& file);

// The deadline periods and working-day calendar of `deadlines` (already
// validated by parse_config/load_config, so this cannot fail).
routing::DeadlinePolicy deadline_policy(const Config::Deadlines& deadlines);

// Thrown for every configuration problem; what() is one line naming the key,
// variable or file at fault.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Environment as name -> value pairs (tests pass their own; main passes
// current_environment()). Only entries whose name starts with "CLUELINE_" are
// looked at; others are ignored.
using Environment = std::map<std::string, std::string, std::less<>>;

// The CLUELINE_* entries of ::environ (the first one wins if a name repeats,
// as with getenv).
Environment current_environment();

// The environment variable that names the config file; parse_config ignores it.
inline constexpr std::string_view kConfigFileVariable = "CLUELINE_CONFIG";
// Where the command line keeps a supervisor session (`clueline login`); not
// a server setting, so the server ignores it like CLUELINE_CONFIG.
inline constexpr std::string_view kSessionFileVariable = "CLUELINE_SESSION_FILE";

// Parses TOML text (source_name, e.g. the file path, is used in messages),
// applies the CLUELINE_* overrides of `env` on top, and validates every value
// and the cross-field rules that hold for every subcommand (ops.port must not
// collide with server.port). Unknown tables, unknown keys, wrong TOML types,
// out-of-range values and unknown CLUELINE_* variables (other than
// CLUELINE_CONFIG) are errors. Does not check the TLS files: see
// require_tls_files. Throws ConfigError.
Config parse_config(std::string_view toml_text, std::string_view source_name,
                    const Environment& env);

// Reads the file at `path` and calls parse_config with the path as source
// name. A missing or unreadable file is a ConfigError naming the path. An
// empty path means no file: defaults plus `env` only.
Config load_config(const std::filesystem::path& path, const Environment& env);

// The rules that only serving needs: server.tls_certificate and
// server.tls_private_key are both set ("server.tls_certificate: required")
// and each names an existing regular file that this process can open.
// Does not parse the PEM contents. Throws ConfigError.
void require_tls_files(const Config& config);

}  // namespace clueline::services
