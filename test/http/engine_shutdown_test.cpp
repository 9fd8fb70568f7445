// Graceful shutdown of a server in this process: idle connections close at once, requests in
// flight finish with "Connection: close", new connections are refused, and the drain deadline
// ends whatever is left.

#include <doctest/doctest.h>

#include <cerrno>
#include <chrono>

#include <asio/post.hpp>

#include "http/http_checks.hpp"
#include "http/in_process_server.hpp"
#include "http/test_app.hpp"
#include "support/eventually.hpp"
#include "support/tcp_client.hpp"

using namespace containerflare::test;
using namespace std::chrono_literals;

namespace {

struct fixture {
  explicit fixture(containerflare::server_config config = test_config())
      : server(make_test_app(state), std::move(config)) {}
  test_app_state state;
  in_process_server server;

  std::size_t held() {
    return server.on_server_thread([this] { return state.hold_gate.waiting(); });
  }
};

}  // namespace

TEST_CASE("shutdown closes an idle keep-alive connection at once and refuses new ones") {
  fixture f;
  tcp_client c(f.server.port(), 5s);
  c.send(get_request("/plaintext"));
  REQUIRE(c.read_response().masked() == plaintext_answer());
  const auto start = std::chrono::steady_clock::now();
  f.server.begin_shutdown();
  CHECK(describe(c.expect_close()) == describe(read_outcome::closed));
  // Long before the idle timeout would have closed it.
  CHECK(std::chrono::steady_clock::now() - start < f.server.config().idle_timeout);
  CHECK(f.server.wait_drained(5s));
  CHECK(tcp_client::probe_connect(f.server.port()) == ECONNREFUSED);
}

TEST_CASE("shutdown lets a request in flight finish with Connection: close") {
  fixture f;
  tcp_client c(f.server.port(), 5s);
  c.send(get_request("/hold"));
  REQUIRE(eventually([&] { return f.held() == 1; }, 5s));
  f.server.begin_shutdown();
  CHECK(eventually([&] { return tcp_client::probe_connect(f.server.port()) == ECONNREFUSED; }, 5s));
  CHECK_FALSE(f.server.wait_drained(0ms));
  asio::post(f.server.io(), [&] { f.state.hold_gate.open(); });
  CHECK(c.read_response().masked() == expected_answer(200, text_fields(), "held", "close"));
  CHECK(describe(c.expect_close()) == describe(read_outcome::closed));
  c.close();
  CHECK(f.server.wait_drained(5s));
}

TEST_CASE("the drain deadline ends a request that does not finish") {
  auto config = test_config();
  config.shutdown_timeout = 200ms;
  fixture f(config);
  tcp_client c(f.server.port(), 5s);
  c.send(get_request("/hold"));
  REQUIRE(eventually([&] { return f.held() == 1; }, 5s));
  const auto start = std::chrono::steady_clock::now();
  f.server.begin_shutdown();
  // The client loses its connection without an answer once the deadline passes.
  const auto outcome = c.expect_close();
  CHECK((outcome == read_outcome::closed || outcome == read_outcome::reset));
  CHECK(std::chrono::steady_clock::now() - start >= config.shutdown_timeout);
  const bool drained = f.server.wait_drained(3s);
  CHECK(drained);
  // Let the handler end so that the server can stop either way.
  if (!drained) asio::post(f.server.io(), [&] { f.state.hold_gate.open(); });
}
