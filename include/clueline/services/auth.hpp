// Supervisor login (crypto-spec §9) and sessions.
//
// Login is challenge → signature: the client derives the login key from the
// passphrase with Argon2id on its own side and signs a single-use challenge;
// the server keeps only the public key. Unknown login names get the same
// answers as known ones (a stand-in salt derived from the deployment's auth
// secret, the default parameters, the same failure), so the routes do not
// tell which names exist.
//
// Throttling is per account and keeps no client address: after
// kFreeFailures consecutive failures, each attempt must wait a delay that
// doubles with every further failure (up to kMaxDelay); an attempt inside
// the delay fails without being checked or counted. After
// AuthSettings::max_failed_logins failures the account is locked until a
// unit administrator or an admin unlocks it. Every login, failure and lockout
// is an audit entry, written in the same synced batch as the account change.
//
// Sessions: 256-bit random tokens, held in memory under their BLAKE2b hash
// only, with an idle and an absolute expiry. A restart ends every session.
//
// Thread safety: every function and member may be called from any thread.
#pragma once

#include <array>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "clueline/crypto/secure_buffer.hpp"
#include "clueline/services/authorization.hpp"
#include "clueline/services/outcome.hpp"
#include "clueline/services/registry.hpp"
#include "clueline/storage/accounts.hpp"
#include "clueline/storage/claims.hpp"
#include "clueline/storage/group_commit.hpp"
#include "clueline/storage/store.hpp"

namespace clueline::services {

using AuthClock = std::chrono::system_clock;

struct AuthSettings {
  std::chrono::seconds session_idle{30 * 60};
  std::chrono::seconds session_absolute{12 * 60 * 60};
  std::chrono::seconds challenge_lifetime{60};
  std::uint32_t max_failed_logins = 10;
  std::size_t max_sessions = 100000;
};

inline constexpr std::uint32_t kFreeFailures = 2;
inline constexpr std::chrono::seconds kMaxDelay{300};

// The wait before the next attempt after `failed_logins` consecutive
// failures: 0 for up to kFreeFailures, then 1 s, 2 s, 4 s ... up to kMaxDelay.
std::chrono::seconds login_delay(std::uint32_t failed_logins) noexcept;

using SessionToken = std::array<std::byte, 32>;

class AccountSessions {
 public:
  explicit AccountSessions(const AuthSettings& settings) : settings_(settings) {}

  struct Opened {
    SessionToken token;
    AuthClock::time_point expires_at;  // the absolute expiry
  };
  // unavailable when max_sessions live sessions exist.
  result<Opened> open(const Actor& actor, AuthClock::time_point now);
  // The session's actor, extending its idle expiry; not_found if unknown,
  // idle too long or past its absolute expiry (and then it is dropped).
  result<Actor> find(const SessionToken& token, AuthClock::time_point now);
  void close(const SessionToken& token);
  // Ends every session of an account (disabled, locked, role changed).
  void close_all(std::uint32_t account_id);
  std::size_t size() const;

 private:
  using Key = std::array<std::byte, 32>;  // BLAKE2b-32 of the token
  struct Entry {
    Actor actor;
    AuthClock::time_point opened_at;
    AuthClock::time_point last_used_at;
  };
  void drop_expired(AuthClock::time_point now);

  const AuthSettings settings_;
  mutable std::mutex mutex_;
  std::map<Key, Entry> sessions_;
};

// Login challenges that need no storage: u64be expires_at ‖ random[8] ‖
// MAC16, the MAC (BLAKE2b keyed with a per-process key) covering the first
// 16 bytes and the login name, so a challenge is good only for the name it
// was issued to. Spent challenges are remembered until they expire.
class LoginChallenges {
 public:
  LoginChallenges();
  std::array<std::byte, 32> issue(std::string_view login_name, AuthClock::time_point now,
                                  std::chrono::seconds lifetime) const;
  // Issued here for `login_name`, unexpired and unspent; spends it.
  bool check_and_spend(const std::array<std::byte, 32>& challenge, std::string_view login_name,
                       AuthClock::time_point now);

 private:
  std::array<std::byte, 16> mac(std::span<const std::byte> head, std::string_view login_name) const;
  crypto::SecureBuffer key_;
  std::mutex mutex_;
  std::set<std::array<std::byte, 32>> spent_;
  std::multimap<AuthClock::time_point, std::array<std::byte, 32>> spent_by_expiry_;
};

// What the account use cases work with; not owned, all outlive every call.
struct AuthContext {
  storage::Store* store = nullptr;               // read on blocking_pool only
  storage::GroupCommitWriter* writer = nullptr;  // every durable write
  boost::asio::thread_pool* blocking_pool = nullptr;
  AccountSessions* sessions = nullptr;
  LoginChallenges* challenges = nullptr;
  storage::ClaimSet* claims = nullptr;  // one change of an account at a time
  const Registry* registry = nullptr;   // the units, for authorization
  storage::Bytes32 auth_secret{};       // storage::load_or_create_auth_secret
  AuthSettings settings;
  std::function<AuthClock::time_point()> clock = [] { return AuthClock::now(); };
};

struct LoginChallenge {
  std::array<std::byte, 32> challenge{};
  AuthClock::time_point expires_at;
  storage::Bytes16 salt{};
  std::uint32_t kdf_opslimit = 0;
  std::uint64_t kdf_memlimit = 0;
};
// The same shape for every syntactically valid name; invalid_argument for a
// malformed one.
boost::asio::awaitable<Outcome<LoginChallenge>> issue_login_challenge(AuthContext context,
                                                                      std::string login_name);

struct LoginAttempt {
  std::string login_name;
  std::array<std::byte, 32> challenge{};
  std::vector<std::byte> proof;  // 64-byte signature
  std::string totp;              // the current code when the account has one
};
struct LoggedIn {
  AccountSessions::Opened session;
  storage::Account account;
};
// authentication_failed ("login failed ...") for every failure alike:
// unknown name, wrong or replayed challenge, wrong proof, missing or wrong
// code, an account inside its delay, disabled or locked.
boost::asio::awaitable<Outcome<LoggedIn>> login(AuthContext context, LoginAttempt attempt);

// The session's actor: not_found ("not signed in") when the token is
// unknown or expired.
Outcome<Actor> authenticate(AuthContext& context, const SessionToken& token);

// The actor's own account as stored.
boost::asio::awaitable<Outcome<storage::Account>> own_account(AuthContext context, Actor actor);

void logout(AuthContext& context, const SessionToken& token);

// The authorization of `actor` for `action` on `resource` as a refusal
// (403 or 404) or nothing.
std::optional<Refusal> check_authorized(const AuthContext& context, const Actor& actor,
                                        Action action, const Resource& resource);

}  // namespace clueline::services
