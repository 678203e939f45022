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
#include <limits>
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
constexpr std::size_t kMaxSiteRates = 100000;
constexpr std::size_t kMaxSessions = 200000;
// Server-wide rates react within seconds; a site's over a minute, since
// its honest rate is a few reports a day.
constexpr std::chrono::seconds kServerRateWindow{10};
constexpr std::chrono::seconds kSiteRateWindow{60};

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

void RateMeter::add(std::chrono::steady_clock::time_point now, double events) {
  level_ = per_second(now) + events / window_;
  last_ = now;
}

double RateMeter::per_second(std::chrono::steady_clock::time_point now) const {
  const double elapsed = std::chrono::duration<double>(now - last_).count();
  return elapsed <= 0 ? level_ : level_ * std::exp(-elapsed / window_);
}

namespace {
// A price at rest plus its pressure bits, never above the ceiling (nor
// below the price at rest, should the ceiling be set under it).
unsigned capped_difficulty(unsigned priced, unsigned at_rest, unsigned ceiling) {
  return std::min(priced, std::max(ceiling, at_rest));
}

// The one slack rule of reports and lookups alike (Intake::kPriceSlackBits).
bool within_slack(unsigned paid, unsigned price) { return paid + Intake::kPriceSlackBits >= price; }
}  // namespace

unsigned pressure_bits(double rate, double threshold) {
  if (!(rate > threshold) || threshold <= 0) return 0;
  return static_cast<unsigned>(std::ceil(std::log2(rate / threshold)));
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

namespace {
// How many of the oldest sessions a full table looks at for one of a
// crowded clue (SessionTable::open).
constexpr std::size_t kEvictionScan = 256;

std::array<std::byte, 32> session_digest(std::span<const std::byte> token) {
  return crypto::blake2b<32>({token});
}
}  // namespace

void SessionTable::close(const Digest& digest) {
  const auto found = sessions_.find(digest);
  if (found == sessions_.end()) return;
  auto [first, last] = by_expiry_.equal_range(found->second.expires_at);
  for (; first != last; ++first) {
    if (first->second == digest) {
      by_expiry_.erase(first);
      break;
    }
  }
  if (const auto clue = by_clue_.find(found->second.clue); clue != by_clue_.end()) {
    std::erase(clue->second, digest);
    if (clue->second.empty()) by_clue_.erase(clue);
  }
  sessions_.erase(found);
}

SessionTable::Opened SessionTable::open(const storage::ClueId& clue, SystemClock::time_point now) {
  Opened opened{};
  crypto::random_bytes(opened.token);
  opened.expires_at = std::chrono::time_point_cast<std::chrono::seconds>(now + lifetime_);
  const Digest digest = session_digest(opened.token);
  std::lock_guard lock(mutex_);
  while (!by_expiry_.empty() && by_expiry_.begin()->first < now) {
    close(Digest(by_expiry_.begin()->second));
  }
  if (const auto same_clue = by_clue_.find(clue);
      same_clue != by_clue_.end() && same_clue->second.size() >= per_clue_) {
    close(Digest(same_clue->second.front()));
  }
  if (sessions_.size() >= capacity_ && !by_expiry_.empty()) {
    // A reporter holds one session at a time; a flood holds several per
    // receipt. So among the oldest few, a session whose clue has others
    // goes first, and only then the oldest of all.
    auto victim = by_expiry_.begin();
    std::size_t looked = 0;
    for (auto it = by_expiry_.begin(); it != by_expiry_.end() && looked < kEvictionScan;
         ++it, ++looked) {
      const auto entry = sessions_.find(it->second);
      if (entry == sessions_.end()) continue;
      const auto same_clue = by_clue_.find(entry->second.clue);
      if (same_clue != by_clue_.end() && same_clue->second.size() > 1) {
        victim = it;
        break;
      }
    }
    close(Digest(victim->second));
  }
  sessions_[digest] = {clue, opened.expires_at};
  by_expiry_.emplace(opened.expires_at, digest);
  by_clue_[clue].push_back(digest);
  return opened;
}

result<storage::ClueId> SessionTable::find(std::span<const std::byte> token,
                                           SystemClock::time_point now) {
  if (token.size() != 32) return errc::not_found;
  const Digest digest = session_digest(token);
  std::lock_guard lock(mutex_);
  const auto found = sessions_.find(digest);
  if (found == sessions_.end()) return errc::not_found;
  // An expired entry stays until open() drops it from the expiry index.
  if (found->second.expires_at < now) return errc::not_found;
  return found->second.clue;
}

std::size_t SessionTable::size() {
  std::lock_guard lock(mutex_);
  return sessions_.size();
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

std::uint64_t initial_attachment_bytes(const storage::Store& store) {
  auto total = storage::read_attachment_bytes(store);
  if (!total) {
    throw std::runtime_error("cannot read the attachment total: " + total.error().message());
  }
  return *total;
}

}  // namespace

Intake::Intake(storage::Store& store, const Config& config)
    : config_(config),
      policy_(load_routing_policy(config.routing.policy_file)),
      deadline_policy_(services::deadline_policy(config.deadlines)),
      registry_(initial_registry(store, policy_, config)),
      report_rate_(kServerRateWindow),
      attachment_rate_(kSiteRateWindow),
      failed_lookup_rate_(kServerRateWindow),
      attachment_bytes_(initial_attachment_bytes(store)),
      sessions_(config.followup.session_lifetime, kMaxSessions, config.followup.sessions_per_clue) {
}

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

unsigned Intake::report_difficulty(std::uint32_t site_id,
                                   std::chrono::steady_clock::time_point now) {
  const Config::Pow& pow = config_.pow;
  unsigned difficulty = pow.difficulty;
  {
    std::lock_guard lock(pressure_mutex_);
    difficulty += pressure_bits(report_rate_.per_second(now), pow.load_threshold_per_second);
    difficulty += pressure_bits(attachment_rate_.per_second(now) * 60.0,
                                pow.attachment_load_threshold_mib_per_minute);
    if (const auto site = site_report_rates_.find(site_id); site != site_report_rates_.end()) {
      difficulty +=
          pressure_bits(site->second.per_second(now) * 60.0, pow.site_load_threshold_per_minute);
    }
  }
  return capped_difficulty(difficulty, pow.difficulty, pow.max_difficulty);
}

ChallengeBook::Issued Intake::issue_challenge(const ChallengeBook::Scope& scope,
                                              std::uint32_t site_id, SystemClock::time_point now) {
  return challenges_.issue(report_difficulty(site_id, std::chrono::steady_clock::now()), scope, now,
                           config_.pow.challenge_lifetime);
}

bool Intake::price_paid(unsigned paid, std::uint32_t site_id,
                        std::chrono::steady_clock::time_point now) {
  return within_slack(paid, report_difficulty(site_id, now));
}

void Intake::record_report(std::uint32_t site_id, std::chrono::steady_clock::time_point now) {
  std::lock_guard lock(pressure_mutex_);
  report_rate_.add(now);
  add_site_pressure(site_id, now, 1.0);
}

void Intake::record_attachment_bytes(std::uint32_t site_id, std::uint64_t bytes,
                                     std::chrono::steady_clock::time_point now) {
  const double mib = static_cast<double>(bytes) / static_cast<double>(kAttachmentBytesPerReport);
  std::lock_guard lock(pressure_mutex_);
  attachment_rate_.add(now, mib);
  add_site_pressure(site_id, now, mib);
}

void Intake::add_site_pressure(std::uint32_t site_id, std::chrono::steady_clock::time_point now,
                               double reports) {
  auto site = site_report_rates_.find(site_id);
  if (site == site_report_rates_.end()) {
    // Only verified sites get here, so the map is as large as the registry;
    // the bound guards against a registry grown past any real deployment.
    if (site_report_rates_.size() >= kMaxSiteRates) site_report_rates_.clear();
    site = site_report_rates_.emplace(site_id, RateMeter(kSiteRateWindow)).first;
  }
  site->second.add(now, reports);
}

unsigned Intake::lookup_difficulty(std::chrono::steady_clock::time_point now) {
  const Config::Followup& followup = config_.followup;
  unsigned difficulty = followup.lookup_difficulty;
  {
    std::lock_guard lock(pressure_mutex_);
    difficulty += pressure_bits(failed_lookup_rate_.per_second(now),
                                followup.failed_lookup_threshold_per_second);
  }
  return capped_difficulty(difficulty, followup.lookup_difficulty, followup.max_lookup_difficulty);
}

ChallengeBook::Issued Intake::issue_lookup_challenge(SystemClock::time_point now) {
  return challenges_.issue(lookup_difficulty(std::chrono::steady_clock::now()),
                           ChallengeBook::kFollowupSessionScope, now,
                           config_.pow.challenge_lifetime);
}

bool Intake::lookup_price_paid(unsigned paid, std::chrono::steady_clock::time_point now) {
  return within_slack(paid, lookup_difficulty(now));
}

void Intake::record_failed_lookup(std::chrono::steady_clock::time_point now) {
  std::lock_guard lock(pressure_mutex_);
  failed_lookup_rate_.add(now);
}

bool Intake::free_space_stale() const {
  const std::int64_t checked = free_space_checked_at_.load(std::memory_order_relaxed);
  const std::int64_t now = std::chrono::steady_clock::now().time_since_epoch().count();
  constexpr std::int64_t kRecheckNs = 1'000'000'000;
  return checked == 0 || now - checked >= kRecheckNs;
}

void Intake::refresh_free_space() {
  std::uint64_t free_bytes = 0;
  const std::int64_t assumed = assumed_free_bytes_.load();
  if (assumed >= 0) {
    free_bytes = static_cast<std::uint64_t>(assumed);
  } else {
    std::error_code ec;
    const auto space = std::filesystem::space(config_.storage.data_dir, ec);
    // A file system that cannot be asked is not taken for a full one:
    // RocksDB's own errors still refuse writes that cannot be stored.
    free_bytes = ec ? std::numeric_limits<std::uint64_t>::max() : space.available;
  }
  disk_full_.store(free_bytes < config_.ops.min_free_disk_bytes);
  free_space_checked_at_.store(std::chrono::steady_clock::now().time_since_epoch().count());
}

result<void> Intake::check_free_space() {
  if (!disk_full_.load()) return {};
  refused_disk_full_.fetch_add(1, std::memory_order_relaxed);
  return errc::storage_no_space;
}

void Intake::assume_free_disk_bytes(std::optional<std::uint64_t> bytes) {
  assumed_free_bytes_.store(bytes ? static_cast<std::int64_t>(*bytes) : -1);
  refresh_free_space();
}

result<void> Intake::reserve_attachment_bytes(std::uint64_t bytes) {
  std::uint64_t total = attachment_bytes_.load();
  do {
    if (total + bytes > config_.limits.attachment_quota_bytes) {
      refused_attachment_quota_.fetch_add(1, std::memory_order_relaxed);
      return errc::storage_no_space;
    }
  } while (!attachment_bytes_.compare_exchange_weak(total, total + bytes));
  return {};
}

void Intake::release_attachment_bytes(std::uint64_t bytes) { attachment_bytes_.fetch_sub(bytes); }

Intake::Refusals Intake::refusals() const {
  return {.disk_full = refused_disk_full_.load(),
          .attachment_quota = refused_attachment_quota_.load(),
          .writer_busy = refused_writer_busy_.load()};
}

void Intake::count_writer_busy() { refused_writer_busy_.fetch_add(1, std::memory_order_relaxed); }

Intake::AcceptedReport Intake::accept(const crypto::ParsedEnvelope& envelope,
                                      std::span<const std::byte> envelope_bytes,
                                      const SiteContext& site, const RouteAnswer& route,
                                      SystemClock::time_point now) const {
  AcceptedReport accepted;
  storage::Clue& clue = accepted.clue;
  clue.id = random_clue_id();
  clue.site_id = site.site->id;
  clue.received_at = citizen_time(now);
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

storage::UnixSeconds citizen_time(SystemClock::time_point time) {
  return std::chrono::floor<std::chrono::minutes>(time).time_since_epoch() /
         std::chrono::seconds(1);
}

std::string format_time(SystemClock::time_point time) {
  return utc_text(
      std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count());
}

}  // namespace clueline::services
