#include "bearer.hpp"

#include <gtest/gtest.h>

#include <string>

#include "clueline/crypto/encoding.hpp"

namespace clueline::server {
namespace {

Request with_authorization(const std::string& value) {
  Request request{http::verb::get, "/api/v1/followup", 11};
  request.set(http::field::authorization, value);
  return request;
}

TEST(Bearer, ReadsA32ByteTokenAndWipesTheHeaderWhenTaken) {
  BearerToken token{};
  for (std::size_t i = 0; i < token.size(); ++i) token[i] = static_cast<std::byte>(i + 1);
  const std::string text = crypto::to_base64url(token);
  Request request = with_authorization("Bearer " + text);
  EXPECT_EQ(peek_bearer(request), token);
  EXPECT_EQ(request[http::field::authorization], "Bearer " + text) << "peeking changes nothing";
  EXPECT_EQ(take_bearer(request), token);
  const std::string_view left = request[http::field::authorization];
  EXPECT_EQ(left.find(text), std::string_view::npos);
  EXPECT_EQ(left, std::string(("Bearer " + text).size(), '\0'));
}

TEST(Bearer, RefusesOtherSchemesSizesAndEncodings) {
  BearerToken token{};
  EXPECT_FALSE(peek_bearer(with_authorization("Basic " + crypto::to_base64url(token))));
  EXPECT_FALSE(peek_bearer(
      with_authorization("Bearer " + crypto::to_base64url(std::span(token).first(31)))));
  EXPECT_FALSE(peek_bearer(with_authorization("Bearer not*base64url")));
  Request none{http::verb::get, "/api/v1/followup", 11};
  EXPECT_FALSE(take_bearer(none));
}

}  // namespace
}  // namespace clueline::server
