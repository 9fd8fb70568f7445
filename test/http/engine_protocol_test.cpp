// HTTP/1.1 behaviour of the engine over real sockets, against a server in this process: framing,
// pipelining, request and response bodies (buffered, chunked, streamed), HEAD, routing answers,
// middleware, handler failures, HTTP/1.0 and connection management, and the leniencies of llhttp
// that the engine rejects.

#include <doctest/doctest.h>

#include <charconv>
#include <chrono>
#include <string>
#include <vector>

#include <asio/post.hpp>

#include "containerflare/context.hpp"
#include "containerflare/request.hpp"
#include "containerflare/response.hpp"
#include "http/http_checks.hpp"
#include "http/in_process_server.hpp"
#include "http/test_app.hpp"
#include "support/eventually.hpp"
#include "support/tcp_client.hpp"

namespace cf = containerflare;
using namespace containerflare::test;
using namespace std::chrono_literals;

namespace {

constexpr auto receive_timeout = 5s;

struct fixture {
  test_app_state state;
  in_process_server server{make_test_app(state)};
  target t{server.port(), server.config()};
};

std::string echo_answer(std::string_view body) {
  return expected_answer(200, text_fields(), body);
}

const split_requests requests = split_check_requests("/echo");
const std::string& post_with_length = requests.with_length;
const std::string& post_chunked = requests.chunked;

// A deterministic pseudo-random body (so the checksum covers every byte position).
std::string random_body(std::size_t size) {
  std::string body(size, '\0');
  std::uint32_t x = 12345;
  for (auto& c : body) {
    x = x * 1664525u + 1013904223u;
    c = static_cast<char>(x >> 24);
  }
  return body;
}

std::size_t field_of(std::string_view text, std::string_view name) {
  const auto at = text.find(std::string(name) + "=");
  if (at == std::string_view::npos) return 0;
  std::size_t value = 0;
  const auto start = text.data() + at + name.size() + 1;
  std::from_chars(start, text.data() + text.size(), value);
  return value;
}

}  // namespace

TEST_CASE("basic routes answer byte-exact, with Date and Server") {
  fixture f;
  check_answer(f.t, {"GET /plaintext HTTP/1.1\r\nHost: test\r\n\r\n", plaintext_answer()});
  check_answer(f.t, {"GET /json HTTP/1.1\r\nHost: test\r\n\r\n", json_answer()});
  check_answer(f.t, {"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n", healthz_answer()});
  check_date_and_server(f.t, "/plaintext");
}

TEST_CASE("a request split in two writes at every byte gets the same answer") {
  fixture f;
  SUBCASE("headers only") {
    check_split_at_every_byte(f.t, {requests.get, plaintext_answer()});
  }
  SUBCASE("Content-Length body") {
    check_split_at_every_byte(f.t, {post_with_length, echo_answer("hello world")});
  }
  SUBCASE("chunked body") {
    check_split_at_every_byte(f.t, {post_chunked, echo_answer("hello world")});
  }
}

TEST_CASE("16 pipelined requests in one write are answered in order, in one batch") {
  fixture f;
  std::vector<exchange> exchanges;
  for (int i = 0; i < 16; ++i) {
    const auto id = std::to_string(i * 7 + 3);
    exchanges.push_back(
        {"GET /echo/" + id + " HTTP/1.1\r\nHost: test\r\n\r\n", echo_answer("id=" + id)});
  }
  check_pipelined(f.t, exchanges);
}

TEST_CASE("pipelined requests with bodies and unknown routes stay in step") {
  fixture f;
  check_pipelined(f.t, {{post_with_length, echo_answer("hello world")},
                        {"GET /nowhere HTTP/1.1\r\nHost: test\r\n\r\n", not_found_answer()},
                        {post_chunked, echo_answer("hello world")},
                        {"GET /json HTTP/1.1\r\nHost: test\r\n\r\n", json_answer()}});
}

TEST_CASE("a request followed by the client's half-close is answered") {
  fixture f;
  check_answer_after_half_close(f.t, {get_request("/plaintext"), plaintext_answer()});
  check_answer_after_half_close(f.t, {post_with_length, echo_answer("hello world")});
}

TEST_CASE("garbage behind pipelined requests: their answers first, then 400") {
  fixture f;
  check_error_behind_pipelined_requests(f.t, {get_request("/plaintext"), plaintext_answer()});
}

TEST_CASE("chunked request bodies are decoded for the handler") {
  fixture f;
  check_answer(f.t, {post_chunked, echo_answer("hello world")});
  // Many small chunks and an upper-case size.
  std::string many = "POST /echo HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n";
  std::string expected;
  for (int i = 0; i < 100; ++i) {
    many += "A\r\n0123456789\r\n";
    expected += "0123456789";
  }
  many += "0\r\n\r\n";
  check_answer(f.t, {many, echo_answer(expected)});
}

TEST_CASE("a streamed upload of 8 MiB reaches the handler piece by piece") {
  fixture f;
  const std::string body = random_body(8 * 1024 * 1024);
  tcp_client c(f.server.port(), receive_timeout);
  c.send("POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\n\r\n");
  const std::size_t first_part = 1024 * 1024;
  c.send(std::string_view(body).substr(0, first_part));
  // The handler reads while most of the body has not been sent yet.
  CHECK(eventually([&] { return f.state.upload_bytes_seen > 0; }, 5s));
  CHECK(f.state.upload_bytes_seen <= first_part);
  c.send(std::string_view(body).substr(first_part));
  const auto res = c.read_response();
  REQUIRE(res.status == 200);
  CHECK(field_of(res.body, "bytes") == body.size());
  CHECK(field_of(res.body, "checksum") == fnv1a(body));
  const auto max_piece = field_of(res.body, "max_piece");
  INFO("handler saw: ", res.body);
  CHECK(max_piece > 0);
  CHECK(max_piece <= 256 * 1024);
  CHECK(field_of(res.body, "pieces") >= body.size() / (256 * 1024));
  // The connection goes on.
  c.send("GET /plaintext HTTP/1.1\r\nHost: test\r\n\r\n");
  CHECK(c.read_response().masked() == plaintext_answer());
}

TEST_CASE("Expect: 100-continue") {
  fixture f;
  SUBCASE("buffered body: 100 Continue, then the body, then the answer") {
    tcp_client c(f.server.port(), receive_timeout);
    c.send(
        "POST /echo HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\nContent-Length: 11\r\n\r\n");
    const auto interim = c.read_response();
    CHECK(interim.raw == "HTTP/1.1 100 Continue\r\n\r\n");
    c.send("hello world");
    CHECK(c.read_response().masked() == echo_answer("hello world"));
  }
  SUBCASE("streamed body: 100 Continue when the handler reads") {
    tcp_client c(f.server.port(), receive_timeout);
    c.send(
        "POST /upload HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n");
    CHECK(c.read_response().raw == "HTTP/1.1 100 Continue\r\n\r\n");
    c.send("abcd");
    const auto res = c.read_response();
    CHECK(field_of(res.body, "bytes") == 4);
    CHECK(field_of(res.body, "checksum") == fnv1a("abcd"));
  }
  SUBCASE("declared length over the limit: 413 instead of 100") {
    tcp_client c(f.server.port(), receive_timeout);
    c.send("POST /echo HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\nContent-Length: " +
           std::to_string(f.server.config().max_body_bytes + 1) + "\r\n\r\n");
    CHECK(c.read_response().masked() == expected_error_answer(413));
    CHECK(describe(c.expect_close()) == describe(read_outcome::closed));
  }
}

TEST_CASE("HEAD answers the GET header fields without a body") {
  fixture f;
  check_head_matches_get(f.t, "/plaintext");
  check_head_matches_get(f.t, "/json");
}

TEST_CASE("404, and 405 with Allow; the connection stays usable") {
  fixture f;
  tcp_client c(f.server.port(), receive_timeout);
  c.send("GET /nowhere HTTP/1.1\r\nHost: test\r\n\r\n");
  CHECK(c.read_response().masked() == not_found_answer());
  c.send("DELETE /plaintext HTTP/1.1\r\nHost: test\r\n\r\n");
  CHECK(c.read_response().masked() == method_not_allowed_answer("GET, HEAD"));
  c.send("GET /echo HTTP/1.1\r\nHost: test\r\n\r\n");
  CHECK(c.read_response().masked() == method_not_allowed_answer("POST"));
  c.send("GET /plaintext HTTP/1.1\r\nHost: test\r\n\r\n");
  CHECK(c.read_response().masked() == plaintext_answer());
}

TEST_CASE("middleware runs in declaration order around handlers and router answers") {
  std::vector<std::string> trace;  // touched on the server thread only
  cf::router app;
  const auto named = [&trace](std::string name) {
    return [&trace, name](cf::request& req, cf::context& ctx,
                          cf::next_handler next) -> cf::task<cf::response> {
      trace.push_back(name + " before");
      cf::response res = co_await next(req, ctx);
      trace.push_back(name + " after");
      res.headers().add("X-Middleware", name);
      co_return res;
    };
  };
  app.use(named("outer"));
  app.use(named("inner"));
  app.get("/traced", [&trace](cf::request&, cf::context&) -> cf::task<cf::response> {
    trace.push_back("handler");
    co_return cf::text("traced");
  });
  in_process_server server(std::move(app));
  tcp_client c(server.port(), receive_timeout);

  c.send("GET /traced HTTP/1.1\r\nHost: test\r\n\r\n");
  CHECK(c.read_response().masked() ==
        expected_answer(200, text_fields() + "X-Middleware: inner\r\nX-Middleware: outer\r\n",
                        "traced"));
  const std::vector<std::string> around_handler = {"outer before", "inner before", "handler",
                                                   "inner after", "outer after"};
  CHECK(server.on_server_thread([&] { return trace; }) == around_handler);

  server.on_server_thread([&] { trace.clear(); });
  c.send("GET /unknown HTTP/1.1\r\nHost: test\r\n\r\n");
  const auto not_found = c.read_response();
  CHECK(not_found.status == 404);
  CHECK(not_found.header_count("X-Middleware") == 2);
  const std::vector<std::string> around_404 = {"outer before", "inner before", "inner after",
                                               "outer after"};
  CHECK(server.on_server_thread([&] { return trace; }) == around_404);
}

TEST_CASE("a throwing handler gives a plain 500 and the connection goes on") {
  fixture f;
  tcp_client c(f.server.port(), receive_timeout);
  c.send("GET /throw HTTP/1.1\r\nHost: test\r\n\r\n");
  const auto res = c.read_response();
  CHECK(res.masked() == expected_answer(500, text_fields(), "Internal Server Error\n"));
  CHECK(res.raw.find("secret") == std::string::npos);
  CHECK(res.raw.find("hunter2") == std::string::npos);
  c.send("GET /plaintext HTTP/1.1\r\nHost: test\r\n\r\n");
  CHECK(c.read_response().masked() == plaintext_answer());
}

TEST_CASE("HTTP/1.0 and Connection: close") {
  fixture f;
  const exchange plaintext{"GET /plaintext HTTP/1.1\r\nHost: test\r\n\r\n", plaintext_answer()};
  check_http10_keep_alive(f.t, plaintext, "/plaintext");
  check_connection_close(f.t, "/plaintext", plaintext_answer());
}

TEST_CASE("a response stream sends each event as it is written") {
  fixture f;
  tcp_client c(f.server.port(), receive_timeout);
  c.send("GET /events HTTP/1.1\r\nHost: test\r\n\r\n");
  auto res = c.read_head();
  CHECK(mask_date(res.head) ==
        "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nServer: containerflare\r\n"
        "Date: <date>\r\nTransfer-Encoding: chunked\r\n\r\n");
  // Each event arrives while the producer waits at the gate for the next one.
  CHECK(c.read_chunk(res) == "data: one\n\n");
  // (The producer reaches the gate just after its write completes.)
  CHECK(eventually(
      [&] { return f.server.on_server_thread([&] { return f.state.events_gate.waiting(); }) == 1; },
      5s));
  asio::post(f.server.io(), [&] { f.state.events_gate.open(); });
  CHECK(c.read_chunk(res) == "data: two\n\n");
  asio::post(f.server.io(), [&] { f.state.events_gate.open(); });
  CHECK(c.read_chunk(res) == "data: three\n\n");
  CHECK(c.read_chunk(res) == std::nullopt);
  CHECK(res.chunks.size() == 3);
  // The chunked stream ended cleanly: the connection carries the next request.
  c.send("GET /plaintext HTTP/1.1\r\nHost: test\r\n\r\n");
  CHECK(c.read_response().masked() == plaintext_answer());
}

TEST_CASE("an HTTP/1.0 response stream is delimited by the close") {
  fixture f;
  tcp_client c(f.server.port(), receive_timeout);
  c.send("GET /stream HTTP/1.0\r\n\r\n");
  const auto res = c.read_response();
  CHECK(res.masked() ==
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nServer: containerflare\r\n"
        "Date: <date>\r\nConnection: close\r\n\r\nabc");
}

TEST_CASE("leniencies of llhttp that the engine rejects with 400") {
  fixture f;
  check_rejected_leniencies(f.t, "/echo");
  check_malformed_requests(f.t);
}

TEST_CASE("buffered answers around the copy threshold and beyond are exact") {
  fixture f;
  tcp_client c(f.server.port(), receive_timeout);
  for (std::size_t size : {0, 1, 16383, 16384, 16385, 65536, 1024 * 1024 + 7}) {
    INFO("size ", size);
    c.send(get_request("/big?size=" + std::to_string(size)));
    CHECK(c.read_response().masked() == echo_answer(big_body(size)));
  }
}

TEST_CASE("pipelined large answers keep their order") {
  fixture f;
  std::vector<exchange> exchanges;
  for (std::size_t i = 0; i < 8; ++i) {
    const auto size = 20000 + i * 1000;
    exchanges.push_back(
        {get_request("/big?size=" + std::to_string(size)), echo_answer(big_body(size))});
    exchanges.push_back(
        {get_request("/echo/" + std::to_string(i)), echo_answer("id=" + std::to_string(i))});
  }
  check_pipelined(f.t, exchanges, false);
}

TEST_CASE("100 pipelined requests of varied sizes straddle the read buffer") {
  fixture f;
  std::vector<exchange> exchanges;
  for (int i = 0; i < 100; ++i) {
    const auto id = std::to_string(i);
    const std::string padding((i * 37) % 700, 'p');
    exchanges.push_back({get_request("/echo/" + id, "HTTP/1.1", "X-Padding: " + padding + "\r\n"),
                         echo_answer("id=" + id)});
  }
  check_pipelined(f.t, exchanges, false);
}

TEST_CASE("a request pipelined behind a body is parsed where the body ends") {
  fixture f;
  const std::string body = random_body(100'000);
  const std::string length_header = "Content-Length: " + std::to_string(body.size()) + "\r\n";
  SUBCASE("buffered body") {
    check_pipelined(f.t,
                    {{"POST /echo HTTP/1.1\r\nHost: test\r\n" + length_header + "\r\n" + body,
                      echo_answer(body)},
                     {get_request("/echo/1"), echo_answer("id=1")}},
                    false);
  }
  SUBCASE("streamed body the handler reads") {
    tcp_client c(f.server.port(), receive_timeout);
    c.send("POST /upload HTTP/1.1\r\nHost: test\r\n" + length_header + "\r\n" + body +
           get_request("/echo/2"));
    const auto upload = c.read_response();
    CHECK(field_of(upload.body, "bytes") == body.size());
    CHECK(field_of(upload.body, "checksum") == fnv1a(body));
    CHECK(c.read_response().masked() == echo_answer("id=2"));
  }
  SUBCASE("streamed body the handler ignores") {
    check_pipelined(f.t,
                    {{"POST /sink HTTP/1.1\r\nHost: test\r\n" + length_header + "\r\n" + body,
                      echo_answer("ignored")},
                     {get_request("/echo/3"), echo_answer("id=3")}},
                    false);
  }
  SUBCASE("chunked streamed body the handler ignores") {
    std::string chunked;
    for (std::size_t at = 0; at < body.size(); at += 1000) {
      chunked += "3e8\r\n" + body.substr(at, 1000) + "\r\n";
    }
    chunked += "0\r\n\r\n";
    check_pipelined(
        f.t,
        {{"POST /sink HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked,
          echo_answer("ignored")},
         {get_request("/echo/4"), echo_answer("id=4")}},
        false);
  }
}

TEST_CASE("a chunked streamed upload reaches the handler whole") {
  fixture f;
  const std::string body = random_body(300'000);
  std::string chunked;
  for (std::size_t at = 0; at < body.size(); at += 1000) {
    chunked += "3e8\r\n" + body.substr(at, 1000) + "\r\n";
  }
  chunked += "0\r\n\r\n";
  tcp_client c(f.server.port(), receive_timeout);
  c.send("POST /upload HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked);
  const auto res = c.read_response();
  INFO("handler saw: ", res.body);
  CHECK(field_of(res.body, "bytes") == body.size());
  CHECK(field_of(res.body, "checksum") == fnv1a(body));
}

TEST_CASE("HTTP/1.0 request with a body and keep-alive") {
  fixture f;
  tcp_client c(f.server.port(), receive_timeout);
  const std::string request =
      "POST /echo HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 5\r\n\r\nhello";
  c.send(request);
  CHECK(c.read_response().masked() == expected_answer(200, text_fields(), "hello", "keep-alive"));
  c.send(request);
  CHECK(c.read_response().masked() == expected_answer(200, text_fields(), "hello", "keep-alive"));
}

TEST_CASE("an Expect other than 100-continue: 417") {
  fixture f;
  tcp_client c(f.server.port(), receive_timeout);
  c.send("POST /echo HTTP/1.1\r\nHost: test\r\nExpect: teapot\r\nContent-Length: 5\r\n\r\nhello");
  CHECK(c.read_response().masked() == expected_error_answer(417));
}
