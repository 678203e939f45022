// The follow-up routes' bearer token ("Authorization: Bearer <base64url of
// 32 bytes>").
#pragma once

#include <array>
#include <cstddef>
#include <optional>

#include "http_types.hpp"

namespace clueline::server {

using BearerToken = std::array<std::byte, 32>;

// The token, or nothing when the header is absent, of another scheme or
// not 32 bytes of base64url. Leaves the request as it is.
std::optional<BearerToken> peek_bearer(const Request& request);

// The same, and then overwrites the header's bytes in the request with
// zeros, so that the token's text does not linger in freed memory once the
// request is gone; the caller wipes the returned copy (crypto::wipe).
std::optional<BearerToken> take_bearer(Request& request);

}  // namespace clueline::server
