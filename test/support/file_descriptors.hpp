#pragma once
// File descriptor accounting for leak checks and for tests with thousands of sockets.

#include <sys/types.h>

#include <cstddef>

namespace containerflare::test {

// Open descriptors of a process (this one when `pid` is 0), from /proc/<pid>/fd.
std::size_t count_open_fds(pid_t pid = 0);

// Raises the soft RLIMIT_NOFILE to at least `needed`. Throws std::runtime_error naming both
// numbers when the hard limit is lower: such a test cannot run here and must say so.
void require_fd_limit(std::size_t needed);

}  // namespace containerflare::test
