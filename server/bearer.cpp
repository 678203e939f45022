#include "bearer.hpp"

#include <cstring>
#include <span>
#include <string_view>

#include "clueline/crypto/bytes.hpp"
#include "clueline/crypto/encoding.hpp"

namespace clueline::server {

std::optional<BearerToken> peek_bearer(const Request& request) {
  const std::string_view value = request[http::field::authorization];
  constexpr std::string_view kScheme = "Bearer ";
  if (value.substr(0, kScheme.size()) != kScheme) return std::nullopt;
  auto decoded = crypto::from_base64url(value.substr(kScheme.size()));
  if (!decoded) return std::nullopt;
  std::optional<BearerToken> token;
  if (decoded->size() == BearerToken{}.size()) {
    token.emplace();
    std::memcpy(token->data(), decoded->data(), token->size());
  }
  crypto::wipe(*decoded);
  return token;
}

std::optional<BearerToken> take_bearer(Request& request) {
  auto token = peek_bearer(request);
  const auto field = request.find(http::field::authorization);
  if (field != request.end()) {
    // The value lives in the fields' own allocation, which Beast frees
    // without clearing; it is ours to overwrite while the request lives.
    const std::string_view value = field->value();
    crypto::wipe(
        std::span(reinterpret_cast<std::byte*>(const_cast<char*>(value.data())), value.size()));
  }
  return token;
}

}  // namespace clueline::server
