#include "clueline/services/intake.hpp"

#include <algorithm>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "clueline/common/utc_time.hpp"
#include "clueline/crypto/bytes.hpp"
#include "clueline/crypto/encoding.hpp"
#include "clueline/crypto/hash.hpp"
#include "clueline/crypto/init.hpp"
#include "clueline/crypto/pow.hpp"
#include "clueline/crypto/site_token.hpp"
#include "clueline/routing/escalation.hpp"
#include "clueline/services/jurisdiction.hpp"
#include "clueline/storage/stats.hpp"

namespace clueline::services {
namespace {

constexpr std::size_t kChallengeMacOffset = 16;
constexpr std::size_t kMaxVerifiedTokens = 100000;
constexpr std::size_t kMaxSiteBuckets = 100000;

std::int64_t unix_seconds(SystemClock::time_point time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

std::array<std::byte, 16> challenge_mac(const crypto::SecureBuffer& key,
                                        std::span<const std::byte> covered,
                                        const ChallengeBook::Scope& scope) {
  // Length-prefixed, so that no two scopes encode alike.
  const auto length = [](std::size_t size) {
    return std::array{static_cast<std::byte>(std::min<std::size_t>(size, 255))};
  };
  const auto token_length = length(scope.site_token.size());
  const auto category_length = length(scope.category.size());
  const auto level_length = length(scope.accused_level.size());
  return crypto::blake2b<16>({covered, token_length, scope.site_token, category_length,
                              std::as_bytes(std::span(scope.category)), level_length,
                              std::as_bytes(std::span(scope.accused_level))},
                             key.bytes());
}

SystemClock::time_point challenge_expiry(const crypto::PowChallenge& challenge) {
  std::uint64_t expiry = 0;
  for (int i = 0; i < 8; ++i) expiry = (expiry << 8) | static_cast<std::uint8_t>(challenge[i]);
  return SystemClock::time_point{std::chrono::seconds(static_cast<std::int64_t>(expiry))};
}

// The one rule of a challenge's life, for check() and spend() both.
bool challenge_expired(SystemClock::time_point expires_at, SystemClock::time_point now) {
  return expires_at <= now;
}

storage::ClueId random_clue_id() {
  storage::ClueId id;
  crypto::random_bytes(id);
  return id;
}

}  // namespace

bool TokenBucket::try_take(std::chrono::steady_clock::time_point now) {
  if (last_) {
    const double elapsed = std::chrono::duration<double>(now - *last_).count();
    if (elapsed > 0) tokens_ = std::min(burst_, tokens_ + elapsed * rate_);
  }
  last_ = now;
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

double TokenBucket::seconds_until_token() const {
  return tokens_ >= 1 ? 0.0 : (1 - tokens_) / rate_;
}

namespace {
crypto::SecureBuffer random_secret(std::size_t size) {
  auto buffer = crypto::SecureBuffer::allocate(size);
  if (!buffer) throw std::runtime_error("cannot allocate secure memory for a server secret");
  crypto::random_bytes(buffer->bytes());
  return std::move(*buffer);
}
}  // namespace

ChallengeBook::ChallengeBook() : key_(random_secret(32)) {}

ChallengeBook::Issued ChallengeBook::issue(unsigned difficulty, const Scope& scope,
                                           SystemClock::time_point now,
                                           std::chrono::seconds lifetime) const {
  Issued issued{};
  const auto expires_at = std::chrono::time_point_cast<std::chrono::seconds>(now + lifetime);
  const auto expiry = static_cast<std::uint64_t>(unix_seconds(expires_at));
  for (int i = 0; i < 8; ++i) issued.challenge[i] = static_cast<std::byte>(expiry >> (56 - 8 * i));
  issued.challenge[8] = static_cast<std::byte>(difficulty);
  crypto::random_bytes(std::span(issued.challenge).subspan(9, 7));
  const auto mac =
      challenge_mac(key_, std::span(issued.challenge).first(kChallengeMacOffset), scope);
  std::memcpy(issued.challenge.data() + kChallengeMacOffset, mac.data(), mac.size());
  issued.difficulty = difficulty;
  issued.expires_at = expires_at;
  return issued;
}

result<void> ChallengeBook::check(const crypto::PowChallenge& challenge,
                                  const crypto::PowNonce& nonce, const Scope& scope,
                                  SystemClock::time_point now) const {
  const auto mac = challenge_mac(key_, std::span(challenge).first(kChallengeMacOffset), scope);
  if (!crypto::constant_time_equal(mac, std::span(challenge).subspan(kChallengeMacOffset))) {
    return errc::authentication_failed;
  }
  if (challenge_expired(challenge_expiry(challenge), now)) return errc::authentication_failed;
  const auto difficulty = static_cast<unsigned>(challenge[8]);
  if (!crypto::verify_pow(challenge, nonce, difficulty)) return errc::authentication_failed;
  return {};
}

result<void> ChallengeBook::spend(const crypto::PowChallenge& challenge,
                                  SystemClock::time_point now) {
  const SystemClock::time_point expires_at = challenge_expiry(challenge);
  std::lock_guard lock(mutex_);
  // Forget challenges that can no longer pass check(): the set stays as
  // large as the challenges spent within one lifetime.
  while (!spent_by_expiry_.empty() && challenge_expired(spent_by_expiry_.begin()->first, now)) {
    spent_.erase(spent_by_expiry_.begin()->second);
    spent_by_expiry_.erase(spent_by_expiry_.begin());
  }
  if (!spent_.insert(challenge).second) return errc::conflict;
  spent_by_expiry_.emplace(expires_at, challenge);
  return {};
}

result<SessionTable::Opened> SessionTable::open(const storage::ClueId& clue,
                                                SystemClock::time_point now) {
  Opened opened{};
  crypto::random_bytes(opened.token);
  opened.expires_at = std::chrono::time_point_cast<std::chrono::seconds>(now + lifetime_);
  std::lock_guard lock(mutex_);
  while (!by_expiry_.empty() && by_expiry_.begin()->first < now) {
    sessions_.erase(by_expiry_.begin()->second);
    by_expiry_.erase(by_expiry_.begin());
  }
  if (sessions_.size() >= capacity_) return errc::unavailable;
  sessions_[opened.token] = {clue, opened.expires_at};
  by_expiry_.emplace(opened.expires_at, opened.token);
  return opened;
}

result<storage::ClueId> SessionTable::find(std::span<const std::byte> token,
                                           SystemClock::time_point now) {
  if (token.size() != 32) return errc::not_found;
  std::array<std::byte, 32> key;
  std::memcpy(key.data(), token.data(), key.size());
  std::lock_guard lock(mutex_);
  const auto found = sessions_.find(key);
  if (found == sessions_.end()) return errc::not_found;
  // An expired entry stays until open() drops it from the expiry index.
  if (found->second.expires_at < now) return errc::not_found;
  return found->second.clue;
}

namespace {

std::shared_ptr<const RegistrySnapshot> initial_registry(const storage::Store& store,
                                                         const routing::Policy& policy,
                                                         const Config& config) {
  crypto::initialize();
  std::string problem;
  auto registry =
      read_registry(store, policy,
                    config.routing.policy_file.empty() ? std::string("(built-in)")
                                                       : config.routing.policy_file.string(),
                    &problem);
  if (!registry) {
    throw std::runtime_error(
        problem.empty() ? "cannot read the registry: " + registry.error().message() : problem);
  }
  return *registry;
}

}  // namespace

Intake::Intake(storage::Store& store, const Config& config)
    : config_(config),
      policy_(load_routing_policy(config.routing.policy_file)),
      deadline_policy_(services::deadline_policy(config.deadlines)),
      registry_(initial_registry(store, policy_, config)),
      global_bucket_(config.limits.global_submissions_per_second, config.limits.global_burst),
      lookup_bucket_(config.followup.failed_lookups_per_second,
                     config.followup.failed_lookup_burst),
      sessions_(config.followup.session_lifetime) {}

std::optional<storage::Unit> Intake::unit(std::uint32_t id) const {
  const auto registry = registry_.current();
  const storage::Unit* found = registry->unit(id);
  if (found == nullptr) return std::nullopt;
  return *found;
}

result<SiteContext> Intake::verify_token(std::string_view token) const {
  if (token.size() != crypto::kSiteTokenChars) return errc::not_found;
  auto raw = crypto::from_base64url(token);
  if (!raw) return errc::not_found;
  return verify_token_bytes(*raw);
}

result<SiteContext> Intake::verify_token_bytes(std::span<const std::byte> raw) const {
  auto registry = registry_.current();
  if (!registry->signing_key || raw.size() != crypto::kSiteTokenBytes) return errc::not_found;
  const std::string cache_key(reinterpret_cast<const char*>(raw.data()), raw.size());
  std::optional<std::uint32_t> site_id;
  {
    std::shared_lock lock(verified_mutex_);
    if (const auto found = verified_.find(cache_key); found != verified_.end()) {
      site_id = found->second;
    }
  }
  std::uint16_t token_version = 0;
  if (site_id) {
    token_version = static_cast<std::uint16_t>((std::to_integer<unsigned>(raw[4]) << 8) |
                                               std::to_integer<unsigned>(raw[5]));
  } else {
    auto token = crypto::verify_site_token_bytes(raw, *registry->signing_key);
    if (!token) return errc::not_found;
    site_id = token->site_id;
    token_version = token->token_version;
    std::unique_lock lock(verified_mutex_);
    if (verified_.size() >= kMaxVerifiedTokens) verified_.clear();
    verified_.emplace(cache_key, token->site_id);
  }
  const storage::Site* site = registry->site(*site_id);
  if (site == nullptr) return errc::not_found;
  if (site->token_version != token_version) return errc::gone;
  const storage::Unit* locality = registry->unit(site->unit_id);
  if (locality == nullptr) return errc::not_found;
  return SiteContext{std::move(registry), site, locality};
}

result<RouteAnswer> Intake::route(const SiteContext& site, std::string_view category,
                                  std::string_view accused_level) const {
  auto decision = routing::route(site.registry->tree, policy_,
                                 {.site_unit_id = site.unit->id,
                                  .category = category,
                                  .accused_level = accused_level,
                                  .recused = {}});
  if (!decision) return decision.error();
  RouteAnswer answer;
  answer.registry = site.registry;
  answer.unit = site.registry->unit(decision->unit_id);
  if (answer.unit == nullptr) return errc::internal;
  for (const storage::UnitKey& key : answer.unit->keys) {
    if (key.current) answer.keys.push_back(&key);
  }
  // The units the clue escalates to, in the order it reaches them: the
  // receiving units above (those without a current key are passed over,
  // as escalation passes over them).
  const auto limit = static_cast<std::size_t>(config_.routing.sealed_levels_above);
  for (const routing::UnitNode* above : site.registry->tree.ancestors(answer.unit->id)) {
    if (answer.overseers.size() == limit) break;
    const storage::Unit* unit = site.registry->unit(above->id);
    if (unit == nullptr || !above->receiving || !unit->receiving()) continue;
    answer.overseers.push_back(unit);
    for (const storage::UnitKey& key : unit->keys) {
      if (key.current) answer.keys.push_back(&key);
    }
  }
  answer.decision = std::move(*decision);
  return answer;
}

unsigned Intake::current_difficulty(std::chrono::steady_clock::time_point now) {
  double rate = 0;
  {
    std::lock_guard lock(buckets_mutex_);
    const double elapsed = std::chrono::duration<double>(now - rate_slot_start_).count();
    // The previous slot's rate counts only while it is the previous slot: after
    // a quiet spell the difficulty falls back without waiting for a submission.
    const double previous = elapsed < 2.0 ? recent_rate_ : 0.0;
    rate = std::max(previous, elapsed > 0 ? rate_slot_count_ / std::max(elapsed, 1.0) : 0.0);
  }
  unsigned difficulty = config_.pow.difficulty;
  const double threshold = config_.pow.load_threshold_per_second;
  if (rate > threshold) difficulty += static_cast<unsigned>(std::ceil(std::log2(rate / threshold)));
  return std::min(difficulty, std::max(config_.pow.max_difficulty, config_.pow.difficulty));
}

ChallengeBook::Issued Intake::issue_challenge(const ChallengeBook::Scope& scope,
                                              SystemClock::time_point now) {
  return challenges_.issue(current_difficulty(std::chrono::steady_clock::now()), scope, now,
                           config_.pow.challenge_lifetime);
}

result<void> Intake::admit_submission(std::uint32_t site_id,
                                      std::chrono::steady_clock::time_point now) {
  std::lock_guard lock(buckets_mutex_);
  // The rate estimate behind the difficulty counts admitted submissions in
  // one-second slots; the previous slot's rate is what current_difficulty sees.
  const double elapsed = std::chrono::duration<double>(now - rate_slot_start_).count();
  if (elapsed >= 1.0) {
    recent_rate_ = elapsed < 2.0 ? rate_slot_count_ / elapsed : 0.0;
    rate_slot_start_ = now;
    rate_slot_count_ = 0;
  }
  auto site_bucket = site_buckets_.find(site_id);
  if (site_bucket == site_buckets_.end()) {
    if (site_buckets_.size() >= kMaxSiteBuckets) site_buckets_.clear();
    site_bucket = site_buckets_
                      .emplace(site_id, TokenBucket(config_.limits.site_submissions_per_second,
                                                    config_.limits.site_burst))
                      .first;
  }
  // Check both before taking from either, so a refusal costs no token.
  TokenBucket site_probe = site_bucket->second;
  TokenBucket global_probe = global_bucket_;
  if (!site_probe.try_take(now) || !global_probe.try_take(now)) return errc::rate_limited;
  site_bucket->second = site_probe;
  global_bucket_ = global_probe;
  ++rate_slot_count_;
  return {};
}

bool Intake::lookups_allowed(std::chrono::steady_clock::time_point now) {
  std::lock_guard lock(buckets_mutex_);
  TokenBucket probe = lookup_bucket_;
  return probe.try_take(now);
}

void Intake::record_failed_lookup(std::chrono::steady_clock::time_point now) {
  std::lock_guard lock(buckets_mutex_);
  lookup_bucket_.try_take(now);
}

Intake::AcceptedReport Intake::accept(const crypto::ParsedEnvelope& envelope,
                                      std::span<const std::byte> envelope_bytes,
                                      const SiteContext& site, const RouteAnswer& route,
                                      SystemClock::time_point now) const {
  AcceptedReport accepted;
  storage::Clue& clue = accepted.clue;
  clue.id = random_clue_id();
  clue.site_id = site.site->id;
  clue.received_at = unix_seconds(now);
  clue.category = envelope.header.category;
  clue.accused_level = envelope.header.accused_level;
  clue.unit_id = route.unit->id;
  clue.status = storage::ClueStatus::kReceived;
  const routing::ClueDeadlines deadlines =
      routing::deadlines_for(deadline_policy_, clue.received_at);
  clue.acknowledge_by = deadlines.acknowledge_by;
  clue.handle_by = deadlines.handle_by;
  // When the escalation job first needs to look at it: the acknowledgement
  // deadline, unless nobody above the unit could be shown the clue.
  clue.next_check_at = routing::plan_escalation(route.registry->tree, deadline_policy_,
                                                {.unit_id = clue.unit_id,
                                                 .acknowledge_by = clue.acknowledge_by,
                                                 .handle_by = clue.handle_by},
                                                clue.received_at)
                           .next_check_at;
  clue.receipt_lookup_hash = envelope.header.receipt_lookup_hash;
  std::memcpy(clue.reply_public_key.data(), envelope.header.reply_public_key.bytes.data(), 32);
  for (const crypto::PayloadRecipient& recipient : envelope.payload.recipients) {
    clue.recipient_key_ids.push_back(recipient.key_id);
  }
  for (const routing::Step& step : route.decision.steps) {
    clue.route.push_back({.rule = std::string(routing::rule_name(step.rule)),
                          .unit_id = step.unit_id,
                          .text = step.text});
  }
  using storage::Family;
  accepted.mutations = {
      {Family::kClues, storage::clue_key(clue.id), storage::encode(clue)},
      {Family::kClues, storage::envelope_key(clue.id),
       std::string(reinterpret_cast<const char*>(envelope_bytes.data()), envelope_bytes.size())},
      {Family::kReceipts, storage::receipt_key(clue.receipt_lookup_hash),
       std::string(reinterpret_cast<const char*>(clue.id.data()), clue.id.size())},
  };
  for (storage::Mutation& mutation : storage::index_mutations(nullptr, clue)) {
    accepted.mutations.push_back(std::move(mutation));
  }
  for (storage::Mutation& mutation : storage::stats_mutations(nullptr, clue)) {
    accepted.mutations.push_back(std::move(mutation));
  }
  boost::json::array rules;
  for (const storage::RouteStep& step : clue.route) rules.emplace_back(step.rule);
  accepted.audit = {
      .at = clue.received_at,
      .actor = "system:intake",
      .action = "clue.route",
      .object = "clue:" + crypto::to_base64url(clue.id),
      .detail = boost::json::serialize(boost::json::object{{"unit_id", clue.unit_id},
                                                           {"site_id", clue.site_id},
                                                           {"category", clue.category},
                                                           {"accused_level", clue.accused_level},
                                                           {"rules", std::move(rules)}})};
  return accepted;
}

std::string format_time(SystemClock::time_point time) {
  return utc_text(
      std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count());
}

}  // namespace clueline::services
