#pragma once
// Running a program under test: spawn it with extra environment variables, its stderr in a file
// the test can search, signal it, and wait for its exit with a deadline.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace containerflare::test {

struct spawn_options {
  std::vector<std::string> args;                         // argv[1..]
  std::vector<std::pair<std::string, std::string>> env;  // set on top of this process's
  std::vector<std::pair<int, int>> inherit_fds;          // (our fd, the child's fd number)
};

struct exit_status {
  bool exited = false;  // false: killed by a signal
  int code = -1;        // exit code when exited
  int signal = 0;       // the signal otherwise
  std::string describe() const;
};

class child_process {
 public:
  // Starts `program`; its stdout goes to /dev/null, its stderr to a temporary file.
  // Throws std::system_error when it cannot be started.
  child_process(const std::string& program, const spawn_options& options);
  // Kills (SIGKILL) and reaps a child that is still running.
  ~child_process();
  child_process(const child_process&) = delete;
  child_process& operator=(const child_process&) = delete;

  pid_t pid() const noexcept { return pid_; }
  void send_signal(int signo) const;

  // Waits for the exit up to `timeout`; nullopt when still running.
  std::optional<exit_status> wait_for_exit(std::chrono::milliseconds timeout);
  bool running() const noexcept { return !status_; }

  // Everything the child wrote to stderr so far.
  std::string stderr_text() const;
  // Polls stderr until `text` appears (after `from` bytes); true when it did within `timeout`.
  // Returns early (false) when the child exits without writing it.
  bool wait_for_stderr(std::string_view text, std::chrono::milliseconds timeout,
                       std::size_t from = 0);

 private:
  pid_t pid_ = -1;
  int pidfd_ = -1;
  std::string stderr_path_;
  std::optional<exit_status> status_;
};

// A TCP port on 127.0.0.1 that was free a moment ago (bind to port 0, read it, close). For
// programs that must be given a port; the caller retries when it turned out to be taken.
std::uint16_t pick_free_port();

// Waits until a listener answers connect() on 127.0.0.1:`port`.
bool wait_until_listening(std::uint16_t port, std::chrono::milliseconds timeout);

}  // namespace containerflare::test
