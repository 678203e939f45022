// The citizen path's state and checks, without sockets: site tokens, routes,
// proof-of-work challenges, rate limits, follow-up sessions, and the
// mutations a report turns into. The handlers in intake_routes.cpp are thin
// wrappers that move the blocking parts (RocksDB) off the network threads.
//
// Thread safety: every member function may be called from any thread at
// once; units and sites come from the Registry's current snapshot (replaced
// by the administration API), and the mutable parts (challenges, buckets,
// sessions, claims) lock internally.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <shared_mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "clueline/common/error.hpp"
#include "clueline/crypto/envelope.hpp"
#include "clueline/crypto/keys.hpp"
#include "clueline/crypto/secure_buffer.hpp"
#include "clueline/routing/policy.hpp"
#include "clueline/routing/route.hpp"
#include "clueline/routing/tree.hpp"
#include "clueline/services/config.hpp"
#include "clueline/services/registry.hpp"
#include "clueline/storage/audit.hpp"
#include "clueline/storage/claims.hpp"
#include "clueline/storage/records.hpp"

namespace clueline::services {

using SystemClock = std::chrono::system_clock;

// An event rate that forgets the past exponentially: each event adds
// 1/window, and the level decays by e^(-t/window). A steady rate r reads as
// about r per second after a few windows; a burst of n reads as n/window at
// once and fades. Not thread-safe: callers lock.
class RateMeter {
 public:
  explicit RateMeter(std::chrono::duration<double> window) : window_(window.count()) {}
  // Counts `events` events (a fraction or several at once) at `now`.
  void add(std::chrono::steady_clock::time_point now, double events = 1.0);
  double per_second(std::chrono::steady_clock::time_point now) const;

 private:
  double window_;
  double level_ = 0;
  std::chrono::steady_clock::time_point last_{};
};

// One bit per doubling of `rate` above `threshold` (0 at or below it).
unsigned pressure_bits(double rate, double threshold);

// Proof-of-work challenges that need no storage: the 32 bytes carry their
// own expiry and difficulty, authenticated with a key that lives only in
// this process (so a restart invalidates every outstanding challenge, which
// also means no spent challenge can be replayed after a restart). Spent
// challenges are remembered in memory until they expire.
//
// challenge = u64be expires_at_unix ‖ u8 difficulty ‖ random[7] ‖ MAC[16]
// MAC = BLAKE2b-16 keyed with the process key over the first 16 bytes and
// the scope: u8 length ‖ raw site token ‖ u8 length ‖ category ‖ u8 length ‖
// accused level. A challenge is good only for the poster and route it was
// issued for, so one solved for a quiet site cannot be spent at another.
//
// A challenge lives while now < expires_at (to the nanosecond, in check()
// and in spend() alike): a spent one is forgotten only once check() would
// refuse it anyway, so it can never be spent twice.
class ChallengeBook {
 public:
  ChallengeBook();

  struct Issued {
    crypto::PowChallenge challenge;
    unsigned difficulty;
    SystemClock::time_point expires_at;
  };
  // What a challenge is for. The spans and views need to live only for the
  // call; a token is the raw 86 bytes (crypto::kSiteTokenBytes).
  struct Scope {
    std::span<const std::byte> site_token;
    std::string_view category;
    std::string_view accused_level;
  };
  // The scope of follow-up session challenges: no poster, no route, and a
  // category no report can have, so neither kind is spent as the other.
  static constexpr Scope kFollowupSessionScope{
      .site_token = {}, .category = "followup session", .accused_level = {}};
  Issued issue(unsigned difficulty, const Scope& scope, SystemClock::time_point now,
               std::chrono::seconds lifetime) const;

  // authentication_failed if the challenge was not issued here (or by an
  // earlier run) for this scope, has expired, or the nonce does not meet
  // its difficulty. Two BLAKE2b computations; reads and changes nothing
  // shared, so a forged proof costs the server no more than that.
  result<void> check(const crypto::PowChallenge& challenge, const crypto::PowNonce& nonce,
                     const Scope& scope, SystemClock::time_point now) const;

  // The difficulty a challenge was issued at (check() makes it trustworthy).
  static unsigned difficulty_of(const crypto::PowChallenge& challenge) {
    return std::to_integer<unsigned>(challenge[8]);
  }

  // Marks the challenge spent; conflict if it already was. Call after check().
  result<void> spend(const crypto::PowChallenge& challenge, SystemClock::time_point now);

 private:
  crypto::SecureBuffer key_;
  std::mutex mutex_;
  std::set<crypto::PowChallenge> spent_;
  std::multimap<SystemClock::time_point, crypto::PowChallenge> spent_by_expiry_;
};

// In-memory follow-up sessions: 32 random bytes -> clue id, with expiry.
//
// Opening never fails, so no flood of sessions can lock a reporter out: a
// clue keeps at most `per_clue` sessions (opening one more closes its oldest,
// so one receipt cannot fill the table), and a full table closes, among its
// 256 oldest sessions, the first whose clue holds others (a reporter holds
// one; a flood of lookups holds several per receipt), else the oldest of
// all (whose owner opens a new one with the receipt).
//
// Tokens are held only as their BLAKE2b-256 digests: a lookup compares
// digests, so its timing says nothing about the token sent, and the table's
// memory holds no token a client could present.
class SessionTable {
 public:
  explicit SessionTable(std::chrono::seconds lifetime, std::size_t capacity = 200000,
                        std::size_t per_clue = 4)
      : lifetime_(lifetime), capacity_(capacity), per_clue_(per_clue) {}
  struct Opened {
    std::array<std::byte, 32> token;
    SystemClock::time_point expires_at;
  };
  Opened open(const storage::ClueId& clue, SystemClock::time_point now);
  // not_found for an unknown or expired session.
  result<storage::ClueId> find(std::span<const std::byte> token, SystemClock::time_point now);
  std::size_t size();  // live and not yet dropped expired sessions

 private:
  using Digest = std::array<std::byte, 32>;
  // Drops `digest` from all three indexes. Callers lock.
  void close(const Digest& digest);

  std::chrono::seconds lifetime_;
  std::size_t capacity_;
  std::size_t per_clue_;
  std::mutex mutex_;
  struct Entry {
    storage::ClueId clue;
    SystemClock::time_point expires_at;
  };
  std::map<Digest, Entry> sessions_;
  // The same sessions by expiry, so that expired ones are dropped from the
  // front in amortised constant time instead of by scanning the table.
  std::multimap<SystemClock::time_point, Digest> by_expiry_;
  std::map<storage::ClueId, std::vector<Digest>> by_clue_;  // oldest first
};

// Claims on clue records being rewritten (follow-up messages, attachment
// parts, the escalation job).
using ClaimSet = storage::ClaimSet;

// The site and unit of a verified token; the pointers point into
// `registry`, which the context keeps alive.
struct SiteContext {
  std::shared_ptr<const RegistrySnapshot> registry;
  const storage::Site* site = nullptr;
  const storage::Unit* unit = nullptr;  // the site's locality
};

// The route the server computes for a report, with the keys to seal to;
// the pointers point into `registry`, which the answer keeps alive.
struct RouteAnswer {
  std::shared_ptr<const RegistrySnapshot> registry;
  routing::Decision decision;
  const storage::Unit* unit = nullptr;
  // The receiving units above `unit` that a clue escalates to, nearest
  // first, at most config.routing.sealed_levels_above of them: the report
  // is sealed to them too, so that they can read it once it escalates.
  std::vector<const storage::Unit*> overseers;
  // Every key the envelope must be sealed to: the current keys of `unit`,
  // then those of each overseer.
  std::vector<const storage::UnitKey*> keys;
};

class Intake {
 public:
  // Loads the routing policy (config.routing.policy_file, or the built-in
  // default) and the deployment, units and sites from `store` (blocking; at
  // start-up). Throws std::runtime_error naming the problem if the policy or
  // the data is unusable (a policy file with a bad key, an unreadable attachment total, a unit tree
  // that does not fit the policy's levels, a designation of a unit without keys). A database
  // without a deployment record starts an intake that refuses every token (404).
  Intake(storage::Store& store, const Config& config);

  const Config& config() const noexcept { return config_; }
  const routing::Policy& policy() const noexcept { return policy_; }
  const routing::Levels& levels() const noexcept { return policy_.levels(); }
  // config.deadlines as periods and a working-day calendar.
  const routing::DeadlinePolicy& deadline_policy() const noexcept { return deadline_policy_; }
  // The registry the intake routes over (loaded at construction; the
  // administration API replaces its snapshot after each change).
  Registry& registry() noexcept { return registry_; }
  const Registry& registry() const noexcept { return registry_; }
  std::optional<storage::Deployment> deployment() const { return registry_.current()->deployment; }

  // Verifies a token given as text (115 base64url characters) or raw bytes:
  // not_found if it is malformed, forged or names no site; gone if its
  // version is not the site's current one.
  result<SiteContext> verify_token(std::string_view token) const;
  result<SiteContext> verify_token_bytes(std::span<const std::byte> raw) const;

  // invalid_argument for an unknown category or accused level (empty = unknown
  // is allowed); not_found when no unit above the site can receive.
  result<RouteAnswer> route(const SiteContext& site, std::string_view category,
                            std::string_view accused_level) const;

  // A copy of unit `id` as currently registered.
  std::optional<storage::Unit> unit(std::uint32_t id) const;

  // The price of a report from site `site_id` now (docs/crypto-spec.md §7):
  // pow.difficulty, plus one bit per doubling of the server-wide rate of
  // accepted reports above pow.load_threshold_per_second, plus one per
  // doubling of the site's rate above pow.site_load_threshold_per_minute
  // (each MiB of attachment stored for its clues counting as a report),
  // plus one per doubling of the server-wide rate of stored attachment MiB
  // above pow.attachment_load_threshold_mib_per_minute,
  // at most pow.max_difficulty. Pressure raises the price; nothing refuses.
  unsigned report_difficulty(std::uint32_t site_id, std::chrono::steady_clock::time_point now);
  ChallengeBook::Issued issue_challenge(const ChallengeBook::Scope& scope, std::uint32_t site_id,
                                        SystemClock::time_point now);
  ChallengeBook& challenges() noexcept { return challenges_; }
  // Whether a challenge solved at `paid` bits still buys a report now: the
  // price may have risen by kPriceSlackBits since it was issued, no more,
  // so challenges gathered while it was low cannot all be spent once it
  // has risen (the client is given a new one at the current price).
  static constexpr unsigned kPriceSlackBits = 2;
  bool price_paid(unsigned paid, std::uint32_t site_id, std::chrono::steady_clock::time_point now);
  // Counts a stored report of `site_id` towards the price (after its write:
  // a refused one moves nothing).
  void record_report(std::uint32_t site_id, std::chrono::steady_clock::time_point now);
  // Counts `bytes` of attachment stored for a clue of `site_id` (after its
  // write) towards the site's report rate, one report per
  // kAttachmentBytesPerReport, and towards the server-wide attachment rate:
  // the attachment quota is a pool no clue gives back, so filling it raises
  // the price of the reports that buy the room.
  static constexpr std::uint64_t kAttachmentBytesPerReport = std::uint64_t{1} << 20;
  void record_attachment_bytes(std::uint32_t site_id, std::uint64_t bytes,
                               std::chrono::steady_clock::time_point now);

  // The price of opening a follow-up session: followup.lookup_difficulty
  // plus one bit per doubling of the failed-lookup rate above
  // followup.failed_lookup_threshold_per_second, at most
  // followup.max_lookup_difficulty. A stranger's guesses raise it for
  // everyone; nobody who pays it is refused.
  unsigned lookup_difficulty(std::chrono::steady_clock::time_point now);
  ChallengeBook::Issued issue_lookup_challenge(SystemClock::time_point now);
  // The same slack rule as price_paid(), for session challenges: so that
  // challenges gathered at the resting price cannot be spent in bulk once
  // failed guesses have raised it.
  bool lookup_price_paid(unsigned paid, std::chrono::steady_clock::time_point now);
  void record_failed_lookup(std::chrono::steady_clock::time_point now);

  // The one refusal under pressure, for everyone alike: storage_no_space
  // while the data directory's file system had less than
  // ops.min_free_disk_bytes free when last asked (counted in refusals()).
  // Reads an atomic only; the file system is asked by refresh_free_space().
  result<void> check_free_space();
  // Whether the free-space answer is older than a second (or missing), and
  // the blocking statvfs that renews it: call the latter on the blocking
  // pool when the former says so.
  bool free_space_stale() const;
  void refresh_free_space();
  // For tests: the free bytes to assume instead of asking the file system.
  void assume_free_disk_bytes(std::optional<std::uint64_t> bytes);

  // The deployment-wide attachment quota (limits.attachment_quota_bytes):
  // reserves `bytes` of it, or storage_no_space (counted) when they do not
  // fit. The caller gives a reservation back if its write fails. The total
  // starts from the store's counter (storage::read_attachment_bytes).
  result<void> reserve_attachment_bytes(std::uint64_t bytes);
  void release_attachment_bytes(std::uint64_t bytes);
  std::uint64_t attachment_bytes() const { return attachment_bytes_.load(); }
  std::uint64_t attachment_quota_bytes() const { return config_.limits.attachment_quota_bytes; }

  // Why citizen writes were refused since start, for /metrics.
  struct Refusals {
    std::uint64_t disk_full = 0;         // check_free_space()
    std::uint64_t attachment_quota = 0;  // reserve_attachment_bytes()
    std::uint64_t writer_busy = 0;       // the group-commit queue was full
  };
  Refusals refusals() const;
  void count_writer_busy();

  SessionTable& sessions() noexcept { return sessions_; }
  ClaimSet& claims() noexcept { return claims_; }

  // The clue record and the mutations of an accepted report: clue record,
  // sealed envelope, queue and deadline index entries, receipt index entry;
  // and the audit entry of its routing decision ("system:intake",
  // "clue.route": unit, site, category, accused level, rules that fired).
  struct AcceptedReport {
    storage::Clue clue;
    std::vector<storage::Mutation> mutations;
    storage::AuditRecord audit;
  };
  AcceptedReport accept(const crypto::ParsedEnvelope& envelope,
                        std::span<const std::byte> envelope_bytes, const SiteContext& site,
                        const RouteAnswer& route, SystemClock::time_point now) const;

 private:
  const Config config_;
  routing::Policy policy_;
  routing::DeadlinePolicy deadline_policy_;
  Registry registry_;

  // Ed25519 verification costs ~50 us; posters are few and scanned often,
  // so verified raw tokens are remembered (bounded; cleared when full).
  mutable std::shared_mutex verified_mutex_;
  mutable std::unordered_map<std::string, std::uint32_t> verified_;  // raw token -> site id

  ChallengeBook challenges_;
  std::mutex pressure_mutex_;
  RateMeter report_rate_;
  std::unordered_map<std::uint32_t, RateMeter> site_report_rates_;
  RateMeter attachment_rate_;  // MiB
  RateMeter failed_lookup_rate_;
  // Callers hold pressure_mutex_.
  void add_site_pressure(std::uint32_t site_id, std::chrono::steady_clock::time_point now,
                         double reports);

  std::atomic<std::int64_t> free_space_checked_at_{0};  // steady ns; 0 = never
  std::atomic<bool> disk_full_{false};
  std::atomic<std::int64_t> assumed_free_bytes_{-1};  // -1: ask the file system
  std::atomic<std::uint64_t> attachment_bytes_;
  std::atomic<std::uint64_t> refused_disk_full_{0};
  std::atomic<std::uint64_t> refused_attachment_quota_{0};
  std::atomic<std::uint64_t> refused_writer_busy_{0};
  SessionTable sessions_;
  ClaimSet claims_;
};

// The time of something a reporter did (a report's received_at, a
// message's sent_at) as stored: the whole minute it fell in. Deadlines need
// no more, and a stored second would match one submission to one moment of
// a network log.
storage::UnixSeconds citizen_time(SystemClock::time_point time);

// RFC 3339 UTC with seconds: "2026-11-23T10:00:00Z".
std::string format_time(SystemClock::time_point time);

}  // namespace clueline::services
