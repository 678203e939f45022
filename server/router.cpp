#include "router.hpp"

#include <algorithm>

namespace clueline::server {

Router::Router() { names_.emplace_back("unmatched"); }

std::size_t Router::add(Route route) {
  max_body_limit_ = std::max(max_body_limit_, route.body_limit);
  names_.push_back(route.name);
  routes_.push_back(std::move(route));
  return routes_.size();
}

namespace {

// Whether `path` is `pattern`, a path with one "{}" standing for one
// non-empty segment.
bool matches_slot(std::string_view pattern, std::size_t slot, std::string_view path) {
  const std::string_view head = pattern.substr(0, slot);
  const std::string_view tail = pattern.substr(slot + 2);
  if (path.size() <= head.size() + tail.size() || !path.starts_with(head) ||
      !path.ends_with(tail)) {
    return false;
  }
  const std::string_view segment =
      path.substr(head.size(), path.size() - head.size() - tail.size());
  return segment.find('/') == std::string_view::npos;
}

}  // namespace

std::string_view target_path(std::string_view target) noexcept {
  return target.substr(0, target.find('?'));
}

Router::Match Router::match(http::verb method, std::string_view target) const {
  const std::string_view path = target_path(target);
  Match result;
  // Best candidate by specificity: exact beats prefix, then longer prefix.
  std::size_t best_length = 0;
  bool best_exact = false;
  bool path_known = false;
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    const Route& route = routes_[i];
    const std::size_t slot = route.is_prefix ? std::string::npos : route.path.find("{}");
    const bool exact =
        !route.is_prefix &&
        (slot == std::string::npos ? path == route.path : matches_slot(route.path, slot, path));
    const bool prefixed = route.is_prefix && path.starts_with(route.path);
    if (!exact && !prefixed) continue;
    path_known = true;
    if (route.method != method) {
      if (!result.allow.empty()) result.allow += ", ";
      result.allow += http::to_string(route.method);
      continue;
    }
    const bool better = exact ? !best_exact : (!best_exact && route.path.size() > best_length);
    if (result.route == nullptr || better) {
      result.route = &route;
      result.index = i + 1;
      best_exact = exact;
      best_length = route.path.size();
    }
  }
  if (result.route != nullptr) {
    result.allow.clear();
  } else {
    result.error = path_known ? errc::method_not_allowed : errc::not_found;
  }
  return result;
}

}  // namespace clueline::server
