#include "access_log.hpp"

#include <unistd.h>

#include <cstdio>
#include <ctime>

namespace clueline::server {

void AccessLog::write(std::string_view listener, http::verb method, std::string_view route,
                      unsigned status, std::size_t body_bytes,
                      std::chrono::steady_clock::duration latency, bool coarse) const noexcept {
  if (!enabled_) return;
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
  const std::string_view method_name = http::to_string(method);
  char line[256];
  const int length =
      coarse ? std::snprintf(line, sizeof line, "%.16sZ %.*s %.*s route=%.*s status=%u\n", stamp,
                             static_cast<int>(listener.size()), listener.data(),
                             static_cast<int>(method_name.size()), method_name.data(),
                             static_cast<int>(route.size()), route.data(), status)
             : std::snprintf(
                   line, sizeof line, "%s.%03dZ %.*s %.*s route=%.*s status=%u bytes=%zu ms=%.3f\n",
                   stamp, static_cast<int>(millis), static_cast<int>(listener.size()),
                   listener.data(), static_cast<int>(method_name.size()), method_name.data(),
                   static_cast<int>(route.size()), route.data(), status, body_bytes,
                   std::chrono::duration<double, std::milli>(latency).count());
  if (length <= 0) return;
  std::size_t size = static_cast<std::size_t>(length);
  if (size >= sizeof line) {  // truncated by snprintf: keep one line per request
    size = sizeof line - 1;
    line[size - 1] = '\n';
  }
  // A failed log write must not fail the request; there is nowhere to report it.
  [[maybe_unused]] const ssize_t written = ::write(fd_, line, size);
}

}  // namespace clueline::server
