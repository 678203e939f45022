// Maps (method, path) to a handler, its metrics label and its body limit.
//
// Built once at start-up, then read concurrently by every network thread
// without locking (match() is const and touches no shared mutable state).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "clueline/common/error.hpp"
#include "http_types.hpp"

namespace clueline::server {

// A handler runs on the connection's network thread; anything that blocks
// (disk, Argon2id) must be moved to the blocking pool by the handler itself.
using Handler = std::function<asio::awaitable<Response>(Request)>;
// A check of the request head alone, run before the body is read: an answer
// is sent without reading the body (the connection then closes). Cheap and
// non-blocking: no I/O. It may overwrite header values (secrets it refuses).
using HeadCheck = std::function<std::optional<Response>(Request&)>;

struct Route {
  http::verb method = http::verb::get;
  // The exact path, or a prefix when is_prefix. An exact path may hold one
  // "{}", which matches one non-empty segment: "/api/v1/clues/{}/replies".
  std::string path;
  bool is_prefix = false;  // "/static/" matches "/static/app.css"
  std::string name;        // metrics and access-log label; never holds request data
  std::size_t body_limit = 0;
  Handler handler;
  HeadCheck check_head;  // optional
  // Reached by reporters (the citizen pages and their API): the access log
  // gives such requests the minute only, with neither size nor duration
  // (AccessLog::write), so no line singles out one submission.
  bool citizen = false;
};

class Router {
 public:
  // Index used for metrics when nothing matched.
  static constexpr std::size_t kUnmatched = 0;

  Router();

  // Registers a route; exact paths (with or without "{}") win over
  // prefixes, longer prefixes over shorter ones. Returns the route's metrics index (>= 1).
  std::size_t add(Route route);

  struct Match {
    const Route* route = nullptr;  // null when error is set
    std::size_t index = kUnmatched;
    errc error = errc::not_found;  // not_found or method_not_allowed when route is null
    std::string allow;             // methods for a 405 Allow header
  };
  Match match(http::verb method, std::string_view target) const;

  // Every registered route, in registration order.
  const std::vector<Route>& routes() const { return routes_; }

  // Labels by metrics index; [0] is "unmatched".
  const std::vector<std::string>& names() const { return names_; }

  // The largest body any route accepts: the parser's limit before routing.
  std::size_t max_body_limit() const { return max_body_limit_; }

 private:
  std::vector<Route> routes_;
  std::vector<std::string> names_;
  std::size_t max_body_limit_ = 0;
};

// The path part of a request target (before '?').
std::string_view target_path(std::string_view target) noexcept;

}  // namespace clueline::server
