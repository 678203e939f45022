#include "process_memory.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <string>

namespace clueline::testing {

ProcessMemoryScan scan_process_memory(pid_t pid, std::vector<std::string_view> needles) {
  ProcessMemoryScan scan;
  scan.found.assign(needles.size(), false);
  std::ifstream maps("/proc/" + std::to_string(pid) + "/maps");
  const int mem = ::open(("/proc/" + std::to_string(pid) + "/mem").c_str(), O_RDONLY);
  if (mem < 0) return scan;
  constexpr std::uint64_t kMaxRegion = std::uint64_t{1} << 30;
  for (std::string line; std::getline(maps, line);) {
    std::istringstream fields(line);
    std::string range, perms;
    fields >> range >> perms;
    if (perms.empty() || perms[0] != 'r' || line.find("[vvar]") != std::string::npos ||
        line.find("[vsyscall]") != std::string::npos) {
      continue;
    }
    const std::uint64_t begin = std::stoull(range.substr(0, range.find('-')), nullptr, 16);
    const std::uint64_t end = std::stoull(range.substr(range.find('-') + 1), nullptr, 16);
    if (end <= begin || end - begin > kMaxRegion) continue;
    std::string bytes(end - begin, '\0');
    const ssize_t got = ::pread(mem, bytes.data(), bytes.size(), static_cast<off_t>(begin));
    if (got <= 0) continue;
    bytes.resize(static_cast<std::size_t>(got));
    scan.bytes_read += bytes.size();
    for (std::size_t i = 0; i < needles.size(); ++i) {
      if (bytes.find(needles[i]) != std::string::npos) scan.found[i] = true;
    }
  }
  ::close(mem);
  return scan;
}

}  // namespace clueline::testing
