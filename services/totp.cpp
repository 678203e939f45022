#include "clueline/services/totp.hpp"

#include <liboath/oath.h>

#include <cstdlib>
#include <stdexcept>

namespace clueline::services {
namespace {

constexpr unsigned kDigits = 6;
constexpr std::size_t kWindow = 1;

void start_oath() {
  static const bool started = oath_init() == OATH_OK;
  if (!started) throw std::runtime_error("liboath cannot start");
}

time_t unix_time(std::chrono::system_clock::time_point now) {
  return static_cast<time_t>(
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
}

}  // namespace

bool totp_matches(std::string_view secret, std::string_view code,
                  std::chrono::system_clock::time_point now) {
  if (secret.empty() || code.size() != kDigits) return false;
  start_oath();
  const std::string terminated(code);
  // oath_totp_validate answers the matching step's offset (>= 0) or an error.
  return oath_totp_validate(secret.data(), secret.size(), unix_time(now),
                            OATH_TOTP_DEFAULT_TIME_STEP_SIZE, OATH_TOTP_DEFAULT_START_TIME, kWindow,
                            terminated.c_str()) >= 0;
}

std::string totp_code(std::string_view secret, std::chrono::system_clock::time_point now) {
  start_oath();
  char code[kDigits + 1] = {};
  if (oath_totp_generate(secret.data(), secret.size(), unix_time(now),
                         OATH_TOTP_DEFAULT_TIME_STEP_SIZE, OATH_TOTP_DEFAULT_START_TIME, kDigits,
                         code) != OATH_OK) {
    throw std::runtime_error("liboath cannot make a TOTP code");
  }
  return code;
}

std::string totp_base32(std::string_view secret) {
  start_oath();
  char* encoded = nullptr;
  size_t length = 0;
  if (oath_base32_encode(secret.data(), secret.size(), &encoded, &length) != OATH_OK) {
    throw std::runtime_error("liboath cannot encode the secret");
  }
  std::string text(encoded, length);
  free(encoded);
  while (!text.empty() && text.back() == '=') text.pop_back();
  return text;
}

std::string totp_uri(std::string_view login_name, std::string_view secret) {
  // Login names are [a-z0-9._-], which need no escaping in a URI path.
  return "otpauth://totp/clueline:" + std::string(login_name) + "?secret=" + totp_base32(secret) +
         "&issuer=clueline&algorithm=SHA1&digits=6&period=30";
}

}  // namespace clueline::services
