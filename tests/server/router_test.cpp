#include "router.hpp"

#include <gtest/gtest.h>

namespace clueline::server {
namespace {

asio::awaitable<Response> unused_handler(Request) { co_return Response{}; }

Router make_router() {
  Router router;
  router.add({.method = http::verb::get, .path = "/", .name = "index", .handler = unused_handler});
  router.add({.method = http::verb::get,
              .path = "/static/",
              .is_prefix = true,
              .name = "static",
              .handler = unused_handler});
  router.add({.method = http::verb::get,
              .path = "/static/special.css",
              .name = "special",
              .handler = unused_handler});
  router.add({.method = http::verb::post,
              .path = "/api/v1/reports",
              .name = "reports_post",
              .body_limit = 4096,
              .handler = unused_handler});
  router.add({.method = http::verb::get,
              .path = "/api/v1/reports",
              .name = "reports_get",
              .handler = unused_handler});
  return router;
}

TEST(Router, ExactPathMatches) {
  const Router router = make_router();
  const auto match = router.match(http::verb::get, "/");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->name, "index");
  EXPECT_EQ(router.names()[match.index], "index");
}

TEST(Router, QueryStringIsIgnoredForMatching) {
  const Router router = make_router();
  const auto match = router.match(http::verb::get, "/?lang=zh");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->name, "index");
}

TEST(Router, PrefixMatchesBelowIt) {
  const Router router = make_router();
  const auto match = router.match(http::verb::get, "/static/style.css");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->name, "static");
}

TEST(Router, ExactBeatsPrefixWhateverTheOrder) {
  const Router router = make_router();
  const auto match = router.match(http::verb::get, "/static/special.css");
  ASSERT_NE(match.route, nullptr);
  EXPECT_EQ(match.route->name, "special");
}

TEST(Router, SamePathDifferentMethodsAreDistinctRoutes) {
  const Router router = make_router();
  const auto post = router.match(http::verb::post, "/api/v1/reports");
  const auto get = router.match(http::verb::get, "/api/v1/reports");
  ASSERT_NE(post.route, nullptr);
  ASSERT_NE(get.route, nullptr);
  EXPECT_EQ(post.route->name, "reports_post");
  EXPECT_EQ(post.route->body_limit, 4096u);
  EXPECT_EQ(get.route->name, "reports_get");
}

TEST(Router, UnknownPathIsNotFound) {
  const Router router = make_router();
  const auto match = router.match(http::verb::get, "/nothing");
  EXPECT_EQ(match.route, nullptr);
  EXPECT_EQ(match.error, errc::not_found);
  EXPECT_EQ(match.index, Router::kUnmatched);
  EXPECT_EQ(router.names()[match.index], "unmatched");
}

TEST(Router, KnownPathWrongMethodListsAllowedMethods) {
  const Router router = make_router();
  const auto match = router.match(http::verb::delete_, "/api/v1/reports");
  EXPECT_EQ(match.route, nullptr);
  EXPECT_EQ(match.error, errc::method_not_allowed);
  EXPECT_EQ(match.allow, "POST, GET");
}

TEST(Router, PathMustMatchWholeSegmentForExactRoutes) {
  const Router router = make_router();
  EXPECT_EQ(router.match(http::verb::get, "/api/v1/reports/extra").route, nullptr);
  EXPECT_EQ(router.match(http::verb::get, "/api/v1/report").route, nullptr);
}

TEST(Router, MaxBodyLimitIsTheLargestRouteLimit) {
  EXPECT_EQ(make_router().max_body_limit(), 4096u);
}

TEST(Router, ASlotMatchesOneSegmentAndBeatsAPrefix) {
  Router router;
  router.add({.method = http::verb::post,
              .path = "/api/v1/clues/",
              .is_prefix = true,
              .name = "any",
              .handler = unused_handler});
  router.add({.method = http::verb::post,
              .path = "/api/v1/clues/{}/replies",
              .name = "replies",
              .handler = unused_handler});
  const auto replies = router.match(http::verb::post, "/api/v1/clues/abc/replies?x=1");
  ASSERT_NE(replies.route, nullptr);
  EXPECT_EQ(replies.route->name, "replies");
  EXPECT_EQ(router.match(http::verb::post, "/api/v1/clues/abc/actions").route->name, "any");
  // The slot is one non-empty segment.
  EXPECT_EQ(router.match(http::verb::post, "/api/v1/clues//replies").route->name, "any");
  EXPECT_EQ(router.match(http::verb::post, "/api/v1/clues/a/b/replies").route->name, "any");
  EXPECT_EQ(router.match(http::verb::get, "/api/v1/clues/abc/replies").error,
            errc::method_not_allowed);
}

TEST(TargetPath, StripsQuery) {
  EXPECT_EQ(target_path("/a/b?c=d?e"), "/a/b");
  EXPECT_EQ(target_path("/a"), "/a");
  EXPECT_EQ(target_path(""), "");
}

}  // namespace
}  // namespace clueline::server
