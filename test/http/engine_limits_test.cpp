// Limits and timeouts of the engine, with millisecond settings, against a server in this process.

#include <doctest/doctest.h>

#include <chrono>
#include <optional>
#include <string>

#include "http/http_checks.hpp"
#include "http/in_process_server.hpp"
#include "http/test_app.hpp"
#include "support/eventually.hpp"
#include "support/tcp_client.hpp"

using namespace containerflare::test;
using namespace std::chrono_literals;

namespace {

containerflare::server_config limits_config() {
  auto c = test_config();
  c.max_header_bytes = 2048;
  c.max_request_line_bytes = 1024;
  c.max_body_bytes = 64 * 1024;
  c.header_timeout = 150ms;
  c.idle_timeout = 300ms;
  c.write_timeout = 200ms;
  return c;
}

struct fixture {
  explicit fixture(containerflare::server_config config = limits_config())
      : server(make_test_app(state), std::move(config)), t{server.port(), server.config()} {}
  test_app_state state;
  in_process_server server;
  target t;
};

}  // namespace

TEST_CASE("request line over the limit: 414") {
  fixture f;
  check_request_line_too_long(f.t);
}

TEST_CASE("header block over the limit: 431") {
  fixture f;
  SUBCASE("arriving whole") {
    check_header_block_too_large(f.t);
  }
  SUBCASE("never ending") {
    check_header_block_too_large_in_pieces(f.t);
  }
}

TEST_CASE("declared body over the limit: 413 before the body is sent") {
  fixture f;
  check_declared_body_too_large(f.t, "/echo");
}

TEST_CASE("chunked body over the limit: 413") {
  fixture f;
  check_chunked_body_too_large(f.t, "/echo");
}

TEST_CASE("streamed body over the route's limit: 413") {
  fixture f;
  tcp_client c(f.server.port(), 5s);
  c.send("POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: " +
         std::to_string(upload_limit + 1) + "\r\n\r\n");
  CHECK(c.read_response().masked() == expected_error_answer(413));
}

TEST_CASE("malformed requests: 400") {
  fixture f;
  check_malformed_requests(f.t);
}

TEST_CASE("header read timeout: 408") {
  fixture f;
  SUBCASE("partial header block") {
    check_header_timeout(f.t);
  }
  SUBCASE("header block trickled a byte at a time") {
    check_trickled_header_times_out(f.t);
  }
}

TEST_CASE("idle keep-alive timeout: the server closes") {
  fixture f;
  check_idle_timeout(f.t, "/plaintext");
}

TEST_CASE("a 413 followed by 2 MiB more body reaches the client whole") {
  auto config = limits_config();
  config.max_body_bytes = 1024 * 1024;
  fixture f(config);
  check_oversize_answer_survives_more_body(f.t, "/echo");
}

TEST_CASE("write timeout: a client that stops reading is dropped, others are served") {
  fixture f;
  tcp_client stalled(f.server.port(), 5s);
  stalled.set_receive_buffer(4096);
  stalled.send("GET /firehose HTTP/1.1\r\nHost: test\r\n\r\n");
  // The stalled client never reads. Meanwhile the server answers others.
  {
    tcp_client other(f.server.port(), 5s);
    other.send("GET /plaintext HTTP/1.1\r\nHost: test\r\n\r\n");
    CHECK(other.read_response().masked() == plaintext_answer());
  }
  CHECK(eventually([&] { return f.state.firehose_failed.load(); }, 5s));
  // The server dropped the stalled connection although its client never closed it.
  CHECK(eventually([&] { return f.server.connection_count() == 0; }, 5s));
  tcp_client after(f.server.port(), 5s);
  after.send("GET /plaintext HTTP/1.1\r\nHost: test\r\n\r\n");
  CHECK(after.read_response().masked() == plaintext_answer());
  CHECK(f.server.connection_count() == 1);
}

TEST_CASE("body read timeout: 408") {
  auto config = limits_config();
  config.body_timeout = 200ms;
  fixture f(config);
  tcp_client c(f.server.port(), 5s);
  const auto start = std::chrono::steady_clock::now();
  c.send("POST /echo HTTP/1.1\r\nHost: test\r\nContent-Length: 10\r\n\r\n01234");
  CHECK(c.read_response().masked() == expected_error_answer(408));
  CHECK(std::chrono::steady_clock::now() - start >= config.body_timeout);
}

TEST_CASE("write timeout on a large buffered answer") {
  fixture f;
  tcp_client stalled(f.server.port(), 5s);
  stalled.set_receive_buffer(4096);
  stalled.send("GET /big?size=" + std::to_string(64 * 1024 * 1024) +
               " HTTP/1.1\r\nHost: test\r\n\r\n");
  CHECK(eventually([&] { return f.server.connection_count() == 0; }, 5s));
  tcp_client after(f.server.port(), 5s);
  after.send("GET /plaintext HTTP/1.1\r\nHost: test\r\n\r\n");
  CHECK(after.read_response().masked() == plaintext_answer());
}

TEST_CASE("max_connections: further clients wait until a slot frees up") {
  auto config = limits_config();
  config.max_connections = 2;
  config.idle_timeout = 5s;
  fixture f(config);
  const std::string request = "GET /plaintext HTTP/1.1\r\nHost: test\r\n\r\n";
  std::optional<tcp_client> first(std::in_place, f.server.port(), 5s);
  tcp_client second(f.server.port(), 5s);
  for (auto* c : {&*first, &second}) {
    c->send(request);
    REQUIRE(c->read_response().masked() == plaintext_answer());
  }
  tcp_client third(f.server.port(), 200ms);  // the kernel completes the handshake
  third.send(request);
  CHECK(describe(third.fill()) == describe(read_outcome::timed_out));
  CHECK(f.server.connection_count() == 2);
  first.reset();  // frees a slot
  third.set_receive_timeout(5s);
  CHECK(third.read_response().masked() == plaintext_answer());
}
