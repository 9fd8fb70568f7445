#include "support/process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>
#include <system_error>

#include "support/eventually.hpp"
#include "support/tcp_client.hpp"

extern char** environ;

namespace containerflare::test {

namespace {

exit_status decode(int wstatus) {
  exit_status s;
  if (WIFEXITED(wstatus)) {
    s.exited = true;
    s.code = WEXITSTATUS(wstatus);
  } else if (WIFSIGNALED(wstatus)) {
    s.signal = WTERMSIG(wstatus);
  }
  return s;
}

std::vector<std::string> merged_environment(
    const std::vector<std::pair<std::string, std::string>>& overrides) {
  std::map<std::string, std::string> vars;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string entry = *e;
    const auto eq = entry.find('=');
    if (eq != std::string::npos) vars[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  for (const auto& [name, value] : overrides) vars[name] = value;
  std::vector<std::string> out;
  for (const auto& [name, value] : vars) out.push_back(name + "=" + value);
  return out;
}

// Owns posix_spawn's attribute objects for the duration of one spawn.
struct spawn_setup {
  posix_spawn_file_actions_t actions{};
  posix_spawnattr_t attr{};
  spawn_setup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
  }
  ~spawn_setup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
  spawn_setup(const spawn_setup&) = delete;
  spawn_setup& operator=(const spawn_setup&) = delete;
};

}  // namespace

std::string exit_status::describe() const {
  if (exited) return "exit code " + std::to_string(code);
  if (signal != 0) return std::string("killed by signal ") + ::strsignal(signal);
  return "unknown exit";
}

child_process::child_process(const std::string& program, const spawn_options& options) {
  std::string path_template = "/tmp/cf-test-stderr-XXXXXX";
  const int log_fd = ::mkstemp(path_template.data());
  if (log_fd < 0) throw std::system_error(errno, std::system_category(), "mkstemp");
  stderr_path_ = path_template;

  spawn_setup setup;
  posix_spawn_file_actions_addopen(&setup.actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&setup.actions, log_fd, 2);
  for (const auto& [ours, theirs] : options.inherit_fds) {
    posix_spawn_file_actions_adddup2(&setup.actions, ours, theirs);
  }
  // The child starts with default signal handling whatever this test process changed.
  sigset_t defaults;
  sigemptyset(&defaults);
  for (int signo : {SIGPIPE, SIGTERM, SIGINT, SIGCHLD}) sigaddset(&defaults, signo);
  sigset_t no_mask;
  sigemptyset(&no_mask);
  posix_spawnattr_setsigdefault(&setup.attr, &defaults);
  posix_spawnattr_setsigmask(&setup.attr, &no_mask);
  posix_spawnattr_setflags(&setup.attr, POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);

  std::vector<std::string> argv_storage{program};
  argv_storage.insert(argv_storage.end(), options.args.begin(), options.args.end());
  std::vector<char*> argv;
  for (auto& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  auto env_storage = merged_environment(options.env);
  std::vector<char*> envp;
  for (auto& e : env_storage) envp.push_back(e.data());
  envp.push_back(nullptr);

  const int rc =
      ::posix_spawn(&pid_, program.c_str(), &setup.actions, &setup.attr, argv.data(), envp.data());
  ::close(log_fd);
  if (rc != 0) {
    ::unlink(stderr_path_.c_str());
    throw std::system_error(rc, std::system_category(), "posix_spawn " + program);
  }
  pidfd_ = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
}

child_process::~child_process() {
  if (!status_ && pid_ > 0) {
    ::kill(pid_, SIGKILL);
    int wstatus = 0;
    ::waitpid(pid_, &wstatus, 0);
  }
  if (pidfd_ >= 0) ::close(pidfd_);
  ::unlink(stderr_path_.c_str());
}

void child_process::send_signal(int signo) const {
  if (!status_) ::kill(pid_, signo);
}

std::optional<exit_status> child_process::wait_for_exit(std::chrono::milliseconds timeout) {
  if (status_) return status_;
  const auto reap = [this] {
    int wstatus = 0;
    const pid_t r = ::waitpid(pid_, &wstatus, WNOHANG);
    if (r == pid_) status_ = decode(wstatus);
    return status_.has_value();
  };
  if (pidfd_ >= 0) {
    // The pidfd becomes readable when the child exits: no polling.
    pollfd p{pidfd_, POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
    if (ready > 0) reap();
  } else {
    eventually(reap, timeout);
  }
  return status_;
}

std::string child_process::stderr_text() const {
  std::ifstream in(stderr_path_, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

bool child_process::wait_for_stderr(std::string_view text, std::chrono::milliseconds timeout,
                                    std::size_t from) {
  bool found = false;
  eventually(
      [&] {
        const std::string all = stderr_text();
        found = all.size() > from && all.find(text, from) != std::string::npos;
        return found || wait_for_exit(std::chrono::milliseconds(0)).has_value();
      },
      timeout, std::chrono::milliseconds(5));
  return found;
}

std::uint16_t pick_free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::system_error(errno, std::system_category(), "socket");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    const int err = errno;
    ::close(fd);
    throw std::system_error(err, std::system_category(), "bind 127.0.0.1:0");
  }
  ::close(fd);
  return ntohs(addr.sin_port);
}

bool wait_until_listening(std::uint16_t port, std::chrono::milliseconds timeout) {
  return eventually([&] { return tcp_client::probe_connect(port) == 0; }, timeout,
                    std::chrono::milliseconds(5));
}

}  // namespace containerflare::test
