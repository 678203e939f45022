#include "clueline/services/auth.hpp"

#include <algorithm>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <cstring>
#include <functional>
#include <stdexcept>
#include <utility>

#include "clueline/crypto/account.hpp"
#include "clueline/crypto/bytes.hpp"
#include "clueline/crypto/encoding.hpp"
#include "clueline/crypto/hash.hpp"
#include "clueline/services/blocking.hpp"
#include "clueline/services/totp.hpp"
#include "commit.hpp"

namespace clueline::services {
namespace {

using storage::Account;
using storage::AccountState;

constexpr std::string_view kStandInSaltDomain = "clueline/stand-in-salt/v1";
constexpr std::string_view kLoginFailed =
    "login failed: wrong account name, passphrase or code, or too many attempts (wait and try "
    "again; after repeated failures an account stays locked until an administrator unlocks it)";

storage::UnixSeconds unix_seconds(AuthClock::time_point time) {
  return std::chrono::duration_cast<std::chrono::seconds>(time.time_since_epoch()).count();
}

Refusal login_failed() { return refuse(errc::authentication_failed, std::string(kLoginFailed)); }

std::uint64_t read_u64be(std::span<const std::byte> bytes) {
  std::uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | std::to_integer<std::uint64_t>(bytes[i]);
  return value;
}

struct AccountRead {
  errc error = errc::internal;
  std::optional<Account> account;
};

AccountRead read_account_by_name(storage::Store* store, std::string name) {
  auto account = storage::find_account(*store, name);
  if (!account) return {errc_of(account.error()), std::nullopt};
  return {errc::internal, std::move(*account)};
}

AccountRead read_account_by_id(storage::Store* store, std::uint32_t id) {
  auto account = storage::get_account(*store, id);
  if (!account) return {errc_of(account.error()), std::nullopt};
  return {errc::internal, std::move(*account)};
}

std::string account_object(const Account& account) {
  return "account:" + std::to_string(account.id);
}

storage::AuditRecord audit_of(const Account& account, storage::UnixSeconds at, std::string action,
                              boost::json::object detail) {
  return {.at = at,
          .actor = account_object(account),
          .action = std::move(action),
          .object = account_object(account),
          .detail = boost::json::serialize(detail)};
}

// A key nobody holds, for checking a proof of an unknown name the same way
// as a known one (the same work, the same answer).
const crypto::SigningPublicKey& nobodys_key() {
  static const crypto::SigningPublicKey key = crypto::generate_signing_key_pair().public_key;
  return key;
}

}  // namespace

std::chrono::seconds login_delay(std::uint32_t failed_logins) noexcept {
  if (failed_logins <= kFreeFailures) return std::chrono::seconds(0);
  const std::uint32_t doublings = std::min<std::uint32_t>(failed_logins - kFreeFailures - 1, 16);
  return std::min(std::chrono::seconds(std::int64_t{1} << doublings), kMaxDelay);
}

// ---- sessions ---------------------------------------------------------------------

void AccountSessions::drop_expired(AuthClock::time_point now) {
  for (auto it = sessions_.begin(); it != sessions_.end();) {
    const Entry& entry = it->second;
    const bool expired = now - entry.last_used_at > settings_.session_idle ||
                         now - entry.opened_at > settings_.session_absolute;
    it = expired ? sessions_.erase(it) : std::next(it);
  }
}

result<AccountSessions::Opened> AccountSessions::open(const Actor& actor,
                                                      AuthClock::time_point now) {
  Opened opened{};
  crypto::random_bytes(opened.token);
  opened.expires_at = now + settings_.session_absolute;
  const Key key = crypto::blake2b<32>({opened.token});
  std::lock_guard lock(mutex_);
  if (sessions_.size() >= settings_.max_sessions) drop_expired(now);
  if (sessions_.size() >= settings_.max_sessions) return errc::unavailable;
  sessions_[key] = {actor, now, now};
  return opened;
}

result<Actor> AccountSessions::find(const SessionToken& token, AuthClock::time_point now) {
  const Key key = crypto::blake2b<32>({token});
  std::lock_guard lock(mutex_);
  const auto found = sessions_.find(key);
  if (found == sessions_.end()) return errc::not_found;
  Entry& entry = found->second;
  if (now - entry.last_used_at > settings_.session_idle ||
      now - entry.opened_at > settings_.session_absolute) {
    sessions_.erase(found);
    return errc::not_found;
  }
  entry.last_used_at = std::max(entry.last_used_at, now);
  return entry.actor;
}

void AccountSessions::close(const SessionToken& token) {
  const Key key = crypto::blake2b<32>({token});
  std::lock_guard lock(mutex_);
  sessions_.erase(key);
}

void AccountSessions::close_all(std::uint32_t account_id) {
  std::lock_guard lock(mutex_);
  std::erase_if(sessions_, [account_id](const auto& entry) {
    return entry.second.actor.account_id == account_id;
  });
}

std::size_t AccountSessions::size() const {
  std::lock_guard lock(mutex_);
  return sessions_.size();
}

// ---- challenges -------------------------------------------------------------------

LoginChallenges::LoginChallenges() : key_(crypto::SecureBuffer::allocate(32).value()) {
  crypto::random_bytes(key_.bytes());
}

std::array<std::byte, 16> LoginChallenges::mac(std::span<const std::byte> head,
                                               std::string_view login_name) const {
  return crypto::blake2b<16>({head, crypto::as_bytes(login_name)}, key_.bytes());
}

std::array<std::byte, 32> LoginChallenges::issue(std::string_view login_name,
                                                 AuthClock::time_point now,
                                                 std::chrono::seconds lifetime) const {
  std::array<std::byte, 32> challenge{};
  const auto expiry = static_cast<std::uint64_t>(unix_seconds(now + lifetime));
  for (int i = 0; i < 8; ++i) challenge[i] = static_cast<std::byte>(expiry >> (56 - 8 * i));
  crypto::random_bytes(std::span(challenge).subspan(8, 8));
  const auto tag = mac(std::span(challenge).first(16), login_name);
  std::memcpy(challenge.data() + 16, tag.data(), tag.size());
  return challenge;
}

bool LoginChallenges::check_and_spend(const std::array<std::byte, 32>& challenge,
                                      std::string_view login_name, AuthClock::time_point now) {
  const auto tag = mac(std::span(challenge).first(16), login_name);
  if (!crypto::constant_time_equal(tag, std::span(challenge).subspan(16))) return false;
  const auto expiry = static_cast<std::int64_t>(read_u64be(challenge));
  // Whole seconds on both sides: a challenge is good up to and including its
  // expiry second, and remembered as spent until that second has passed.
  const std::int64_t now_seconds = unix_seconds(now);
  if (expiry < now_seconds) return false;
  std::lock_guard lock(mutex_);
  while (!spent_by_expiry_.empty() && unix_seconds(spent_by_expiry_.begin()->first) < now_seconds) {
    spent_.erase(spent_by_expiry_.begin()->second);
    spent_by_expiry_.erase(spent_by_expiry_.begin());
  }
  if (!spent_.insert(challenge).second) return false;
  spent_by_expiry_.emplace(AuthClock::time_point(std::chrono::seconds(expiry)), challenge);
  return true;
}

// ---- use cases --------------------------------------------------------------------

boost::asio::awaitable<Outcome<LoginChallenge>> issue_login_challenge(AuthContext context,
                                                                      std::string login_name) {
  if (!storage::valid_login_name(login_name)) {
    co_return refuse(errc::invalid_argument,
                     "account names are 1 to 64 of a-z, 0-9, '.', '_' and '-', starting with a "
                     "letter or digit");
  }
  const auto now = context.clock();
  LoginChallenge answer;
  answer.challenge =
      context.challenges->issue(login_name, now, context.settings.challenge_lifetime);
  answer.expires_at = now + context.settings.challenge_lifetime;
  const AccountRead read = co_await run_blocking(
      *context.blocking_pool, std::bind_front(&read_account_by_name, context.store, login_name));
  if (read.account) {
    answer.salt = read.account->salt;
    answer.kdf_opslimit = read.account->kdf_opslimit;
    answer.kdf_memlimit = read.account->kdf_memlimit;
  } else if (read.error == errc::not_found) {
    // The same name always gets the same stand-in, so asking twice does not
    // tell a stand-in from a real salt.
    answer.salt = crypto::blake2b<16>(
        {crypto::as_bytes(kStandInSaltDomain), crypto::as_bytes(login_name)}, context.auth_secret);
    const crypto::KdfParams defaults;
    answer.kdf_opslimit = defaults.opslimit;
    answer.kdf_memlimit = defaults.memlimit;
  } else {
    co_return refuse(read.error, "the account store could not be read; try again");
  }
  co_return answer;
}

boost::asio::awaitable<Outcome<LoggedIn>> login(AuthContext context, LoginAttempt attempt) {
  const auto now = context.clock();
  if (!storage::valid_login_name(attempt.login_name)) co_return login_failed();
  if (!context.challenges->check_and_spend(attempt.challenge, attempt.login_name, now)) {
    co_return login_failed();
  }
  // One change of an account at a time, so that concurrent attempts cannot
  // both pass the delay or lose a failure count.
  auto claim = context.claims->claim("account-name:" + attempt.login_name);
  if (!claim) co_return login_failed();
  AccountRead read = co_await run_blocking(
      *context.blocking_pool,
      std::bind_front(&read_account_by_name, context.store, attempt.login_name));
  if (!read.account) {
    if (read.error != errc::not_found) {
      co_return refuse(read.error, "the account store could not be read; try again");
    }
    (void)crypto::verify_login_proof(attempt.challenge, attempt.proof, nobodys_key());
    co_return login_failed();
  }
  Account account = std::move(*read.account);
  if (account.state != AccountState::kActive) co_return login_failed();
  const std::int64_t at = unix_seconds(now);
  if (at < account.last_failed_at + login_delay(account.failed_logins).count()) {
    co_return login_failed();
  }
  const bool proof_ok = crypto::verify_login_proof(
      attempt.challenge, attempt.proof, crypto::SigningPublicKey{account.auth_public_key});
  const bool code_ok =
      account.totp_secret.empty() || totp_matches(account.totp_secret, attempt.totp, now);

  storage::GroupCommitWriter::Submission submission;
  if (proof_ok && code_ok) {
    account.failed_logins = 0;
    account.last_failed_at = 0;
    account.last_login_at = at;
    submission.audit.push_back(
        audit_of(account, at, "auth.login", {{"second_factor", !account.totp_secret.empty()}}));
  } else {
    account.failed_logins += 1;
    account.last_failed_at = at;
    submission.audit.push_back(audit_of(account, at, "auth.login_failed",
                                        {{"failed_logins", account.failed_logins},
                                         {"reason", proof_ok ? "second_factor" : "proof"}}));
    if (account.failed_logins >= context.settings.max_failed_logins) {
      account.state = AccountState::kLocked;
      submission.audit.push_back(
          audit_of(account, at, "account.lock", {{"failed_logins", account.failed_logins}}));
    }
  }
  submission.mutations.push_back(
      {storage::Family::kAccounts, storage::account_key(account.id), storage::encode(account)});
  const auto written = co_await commit(context.writer, std::move(submission));
  if (!written) {
    co_return refuse(errc_of(written.error()), "the login could not be recorded; try again");
  }
  if (account.state == AccountState::kLocked) context.sessions->close_all(account.id);
  if (!(proof_ok && code_ok)) co_return login_failed();
  auto session = context.sessions->open(
      {.account_id = account.id, .unit_id = account.unit_id, .role = account.role}, now);
  if (!session) co_return refuse(errc::unavailable, "too many open sessions; try again later");
  co_return LoggedIn{*session, std::move(account)};
}

Outcome<Actor> authenticate(AuthContext& context, const SessionToken& token) {
  auto actor = context.sessions->find(token, context.clock());
  if (!actor) return refuse(errc::unauthenticated, "not signed in, or the session has expired");
  return *actor;
}

boost::asio::awaitable<Outcome<Account>> own_account(AuthContext context, Actor actor) {
  AccountRead read =
      co_await run_blocking(*context.blocking_pool,
                            std::bind_front(&read_account_by_id, context.store, actor.account_id));
  if (!read.account) co_return refuse(read.error, "the account could not be read");
  co_return std::move(*read.account);
}

void logout(AuthContext& context, const SessionToken& token) { context.sessions->close(token); }

std::optional<Refusal> check_authorized(const AuthContext& context, const Actor& actor,
                                        Action action, const Resource& resource) {
  switch (authorize(actor, action, resource, context.registry->current()->tree)) {
    case Verdict::kAllow:
      return std::nullopt;
    case Verdict::kForbidden:
      return refuse(errc::forbidden,
                    "your role may not " + std::string(action_name(action)) + " here");
    case Verdict::kHidden:
      return refuse(errc::not_found, "no such resource");
  }
  return refuse(errc::forbidden, "not allowed");
}

}  // namespace clueline::services
