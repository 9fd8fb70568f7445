// SIGTERM against a real process (test/http/gated_server, which uses containerflare::run()):
// requests in flight complete, new connections are refused, the exit code is 0.

#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <optional>
#include <string_view>
#include <system_error>
#include <vector>

#include "http/http_checks.hpp"
#include "http/spawned_server.hpp"
#include "support/eventually.hpp"
#include "support/program_under_test.hpp"
#include "support/tcp_client.hpp"

using namespace containerflare::test;
using namespace std::chrono_literals;

namespace {

constexpr int child_gate_fd = 100;

std::string held_count(std::uint16_t port) {
  try {
    tcp_client c(port, 2s);
    c.send("GET /count HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
    return c.read_response().body;
  } catch (const std::exception& e) {
    return e.what();
  }
}

// gated_server with its gate: the write end of the pipe stays here; closing it opens the gate.
class gated_process {
 public:
  explicit gated_process(std::string_view shutdown_timeout_ms) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0)
      throw std::system_error(errno, std::system_category(), "pipe");
    gate_ = fds[1];
    try {
      server_.emplace(program_under_test(),
                      environment{{"GATE_FD", std::to_string(child_gate_fd)},
                                  {"CF_SHUTDOWN_TIMEOUT_MS", std::string(shutdown_timeout_ms)}},
                      std::vector<std::pair<int, int>>{{fds[0], child_gate_fd}});
    } catch (...) {
      ::close(fds[0]);
      open_gate();
      throw;
    }
    ::close(fds[0]);
  }
  ~gated_process() { open_gate(); }
  gated_process(const gated_process&) = delete;
  gated_process& operator=(const gated_process&) = delete;

  void open_gate() {
    if (gate_ >= 0) ::close(gate_);
    gate_ = -1;
  }
  std::uint16_t port() const { return server_->where().port; }
  child_process& process() { return server_->process(); }

 private:
  int gate_ = -1;
  std::optional<spawned_server> server_;
};

}  // namespace

TEST_CASE("SIGTERM with 5 requests held: all 5 complete, new connections refused, exit 0") {
  gated_process server("10000");
  const auto port = server.port();

  std::vector<tcp_client> held;
  for (int i = 0; i < 5; ++i) {
    held.emplace_back(port, 10s);
    held.back().send("GET /gate HTTP/1.1\r\nHost: test\r\n\r\n");
  }
  REQUIRE(eventually([&] { return held_count(port) == "5"; }, 5s));

  const auto log_before_signal = server.process().stderr_text().size();
  server.process().send_signal(SIGTERM);
  REQUIRE(server.process().wait_for_stderr("shutting down", 5s, log_before_signal));
  CHECK(eventually([&] { return tcp_client::probe_connect(port) == ECONNREFUSED; }, 5s));
  // Still draining: the held requests keep the process alive.
  CHECK_FALSE(server.process().wait_for_exit(0ms).has_value());

  server.open_gate();
  for (auto& c : held) {
    CHECK(c.read_response().masked() == expected_answer(200, text_fields(), "released", "close"));
    CHECK(describe(c.expect_close()) == describe(read_outcome::closed));
    c.close();
  }
  const auto status = server.process().wait_for_exit(10s);
  REQUIRE(status.has_value());
  INFO(server.process().stderr_text());
  CHECK(status->describe() == "exit code 0");
}

TEST_CASE("SIGTERM with a request that never finishes: exit 0 after the drain deadline") {
  gated_process server("300");
  const auto port = server.port();
  tcp_client held(port, 10s);
  held.send("GET /gate HTTP/1.1\r\nHost: test\r\n\r\n");
  REQUIRE(eventually([&] { return held_count(port) == "1"; }, 5s));

  const auto start = std::chrono::steady_clock::now();
  server.process().send_signal(SIGTERM);
  const auto status = server.process().wait_for_exit(5s);
  server.open_gate();
  REQUIRE(status.has_value());
  CHECK(std::chrono::steady_clock::now() - start >= 300ms);
  INFO(server.process().stderr_text());
  CHECK(status->describe() == "exit code 0");
  const auto outcome = held.expect_close();
  CHECK((outcome == read_outcome::closed || outcome == read_outcome::reset));
}
