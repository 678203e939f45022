// Reading another process's memory for secrets that must not be there:
// every readable mapping of at most 1 GiB through /proc/PID/mem (nothing is
// written to disk; a core file of an AddressSanitizer process would be tens
// of gigabytes). Under AddressSanitizer the heap is one reservation of
// terabytes that this skips, so callers skip the check there.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string_view>
#include <vector>

namespace clueline::testing {

struct ProcessMemoryScan {
  std::uint64_t bytes_read = 0;
  std::vector<bool> found;  // per needle
};

// Which of `needles` occur in process `pid`'s readable memory.
ProcessMemoryScan scan_process_memory(pid_t pid, std::vector<std::string_view> needles);

}  // namespace clueline::testing
