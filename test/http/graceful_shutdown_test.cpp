// SIGTERM against a real process (test/http/gated_server, which uses containerflare::run()):
// requests in flight complete, new connections are refused, the exit code is 0.

#include <doctest/doctest.h>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
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

}  // namespace

TEST_CASE("SIGTERM with 5 requests held: all 5 complete, new connections refused, exit 0") {
  int gate[2];
  REQUIRE(::pipe2(gate, O_CLOEXEC) == 0);
  spawned_server server(
      program_under_test(),
      {{"GATE_FD", std::to_string(child_gate_fd)}, {"CF_SHUTDOWN_TIMEOUT_MS", "10000"}},
      {{gate[0], child_gate_fd}});
  ::close(gate[0]);
  const auto port = server.where().port;

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

  ::close(gate[1]);  // opens the gate
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
