#include "support/file_descriptors.hpp"

#include <dirent.h>
#include <sys/resource.h>

#include <stdexcept>
#include <string>

namespace containerflare::test {

std::size_t count_open_fds(pid_t pid) {
  const std::string path = pid == 0 ? "/proc/self/fd" : "/proc/" + std::to_string(pid) + "/fd";
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) throw std::runtime_error("cannot open " + path);
  const int own = pid == 0 ? ::dirfd(dir) : -1;  // the listing's own descriptor is not counted
  std::size_t n = 0;
  while (const dirent* entry = ::readdir(dir)) {
    const std::string name = entry->d_name;
    if (name == "." || name == ".." || name == std::to_string(own)) continue;
    ++n;
  }
  ::closedir(dir);
  return n;
}

void require_fd_limit(std::size_t needed) {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) throw std::runtime_error("getrlimit failed");
  if (limit.rlim_cur >= needed) return;
  if (limit.rlim_max < needed) {
    throw std::runtime_error("this test needs " + std::to_string(needed) +
                             " open files but the hard RLIMIT_NOFILE is " +
                             std::to_string(limit.rlim_max) + " (raise it: ulimit -Hn)");
  }
  limit.rlim_cur = needed;
  if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) {
    throw std::runtime_error("setrlimit(RLIMIT_NOFILE, " + std::to_string(needed) + ") failed");
  }
}

}  // namespace containerflare::test
