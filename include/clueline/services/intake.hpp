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

// A classic token bucket: `rate` tokens per second up to `burst`.
class TokenBucket {
 public:
  TokenBucket(double rate, double burst) : rate_(rate), burst_(burst), tokens_(burst) {}
  // Takes one token if there is one. Not thread-safe: callers lock.
  bool try_take(std::chrono::steady_clock::time_point now);
  // Seconds until one token is available (0 if one is).
  double seconds_until_token() const;

 private:
  double rate_;
  double burst_;
  double tokens_;
  std::optional<std::chrono::steady_clock::time_point> last_;
};

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
  Issued issue(unsigned difficulty, const Scope& scope, SystemClock::time_point now,
               std::chrono::seconds lifetime) const;

  // authentication_failed if the challenge was not issued here (or by an
  // earlier run) for this scope, has expired, or the nonce does not meet
  // its difficulty. Two BLAKE2b computations; reads and changes nothing
  // shared, so a forged proof costs the server no more than that.
  result<void> check(const crypto::PowChallenge& challenge, const crypto::PowNonce& nonce,
                     const Scope& scope, SystemClock::time_point now) const;

  // Marks the challenge spent; conflict if it already was. Call after check().
  result<void> spend(const crypto::PowChallenge& challenge, SystemClock::time_point now);

 private:
  crypto::SecureBuffer key_;
  std::mutex mutex_;
  std::set<crypto::PowChallenge> spent_;
  std::multimap<SystemClock::time_point, crypto::PowChallenge> spent_by_expiry_;
};

// In-memory follow-up sessions: 32 random bytes -> clue id, with expiry.
class SessionTable {
 public:
  explicit SessionTable(std::chrono::seconds lifetime, std::size_t capacity = 200000)
      : lifetime_(lifetime), capacity_(capacity) {}
  struct Opened {
    std::array<std::byte, 32> token;
    SystemClock::time_point expires_at;
  };
  // unavailable when `capacity` live sessions exist.
  result<Opened> open(const storage::ClueId& clue, SystemClock::time_point now);
  // not_found for an unknown or expired session.
  result<storage::ClueId> find(std::span<const std::byte> token, SystemClock::time_point now);

 private:
  std::chrono::seconds lifetime_;
  std::size_t capacity_;
  std::mutex mutex_;
  struct Entry {
    storage::ClueId clue;
    SystemClock::time_point expires_at;
  };
  std::map<std::array<std::byte, 32>, Entry> sessions_;
  // The same sessions by expiry, so that expired ones are dropped from the
  // front in amortised constant time instead of by scanning the table.
  std::multimap<SystemClock::time_point, std::array<std::byte, 32>> by_expiry_;
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
  // the data is unusable (a policy file with a bad key, a unit tree that
  // does not fit the policy's levels, a designation of a unit without keys). A database without a
  // deployment record starts an intake that refuses every token (404).
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

  // The difficulty to demand now: pow.difficulty plus one bit per doubling
  // of the recent submission rate above pow.load_threshold_per_second,
  // capped at pow.max_difficulty.
  unsigned current_difficulty(std::chrono::steady_clock::time_point now);
  ChallengeBook::Issued issue_challenge(const ChallengeBook::Scope& scope,
                                        SystemClock::time_point now);
  ChallengeBook& challenges() noexcept { return challenges_; }

  // Token buckets: rate_limited if the site's or the global bucket is empty.
  // Takes from both only when both have a token.
  result<void> admit_submission(std::uint32_t site_id, std::chrono::steady_clock::time_point now);
  // A failed receipt lookup drains the global lookup bucket; when it is empty
  // lookups are refused (rate_limited) until it refills.
  bool lookups_allowed(std::chrono::steady_clock::time_point now);
  void record_failed_lookup(std::chrono::steady_clock::time_point now);

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
  std::mutex buckets_mutex_;
  TokenBucket global_bucket_;
  std::unordered_map<std::uint32_t, TokenBucket> site_buckets_;
  TokenBucket lookup_bucket_;
  // Submission rate estimate for the difficulty: counts per one-second slot.
  std::chrono::steady_clock::time_point rate_slot_start_{};
  std::uint64_t rate_slot_count_ = 0;
  double recent_rate_ = 0;
  SessionTable sessions_;
  ClaimSet claims_;
};

// RFC 3339 UTC with seconds: "2026-11-23T10:00:00Z".
std::string format_time(SystemClock::time_point time);

}  // namespace clueline::services
