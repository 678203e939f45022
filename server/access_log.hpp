// The access log: one line per answered request on standard output.
//
// It records what an operator needs to see load and errors (time, listener,
// method, route label, status, size, duration) and deliberately nothing that
// could identify a reporter: no client address, no User-Agent, no query
// string, and route labels instead of raw paths (a site token in a path
// would tie a scan to a place and time).
//
// Thread safety: write() may be called from any thread; each line reaches
// the file descriptor in a single write(2), so lines never interleave.
#pragma once

#include <chrono>
#include <string_view>

#include "http_types.hpp"

namespace clueline::server {

class AccessLog {
 public:
  // fd defaults to standard output; disabled logs drop every line.
  explicit AccessLog(bool enabled, int fd = 1) : enabled_(enabled), fd_(fd) {}

  // A `coarse` line (a citizen route, or an unmatched request on the public
  // listener) has the minute only and neither size nor duration:
  // "2026-12-02T10:04Z public POST route=reports status=201". Others have
  // the millisecond, the body size and the duration.
  void write(std::string_view listener, http::verb method, std::string_view route, unsigned status,
             std::size_t body_bytes, std::chrono::steady_clock::duration latency,
             bool coarse) const noexcept;

 private:
  bool enabled_;
  int fd_;
};

}  // namespace clueline::server
