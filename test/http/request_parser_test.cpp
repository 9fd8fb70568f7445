// Unit tests of the llhttp wrapper: offsets, pauses, and the leniencies we reject.
#include <doctest/doctest.h>

#include <string>

#include "http/request_parser.hpp"

using containerflare::status;
using containerflare::detail::request_parser;
using state = request_parser::state;

namespace {
// Feeds the whole message in pieces of `step` bytes, like successive socket reads into one
// growing buffer; returns the parser state after the last feed.
state feed_in_steps(request_parser& p, const std::string& msg, std::size_t step) {
  std::size_t parsed = 0;
  for (std::size_t avail = std::min(step, msg.size());;
       avail = std::min(avail + step, msg.size())) {
    while (parsed < avail || p.current_state() == state::body) {
      const auto before = p.current_state();
      parsed += p.feed(msg.data(), msg.data() + parsed, avail - parsed);
      if (p.current_state() == state::failed || p.current_state() == state::complete) {
        return p.current_state();
      }
      if (p.current_state() == before && parsed == avail) break;
    }
    if (avail == msg.size()) return p.current_state();
  }
}
// Parses two pipelined bodiless messages from one buffer (header block, then completion, each)
// and checks their targets.
void check_two_messages(const std::string& two, std::string_view first, std::string_view second) {
  request_parser p(8192);
  p.begin_message();
  std::size_t at = p.feed(two.data(), two.data(), two.size());
  at += p.feed(two.data(), two.data() + at, two.size() - at);
  REQUIRE(p.current_state() == state::complete);
  CHECK(p.url().in(two.data()) == first);
  const std::size_t start = at;
  p.begin_message();
  at += p.feed(two.data() + start, two.data() + at, two.size() - at);
  at += p.feed(two.data() + start, two.data() + at, two.size() - at);
  CHECK(p.current_state() == state::complete);
  CHECK(p.url().in(two.data() + start) == second);
  CHECK(at == two.size());
}
}  // namespace

TEST_CASE("request line, headers and body at every split point") {
  const std::string msg =
      "POST /a/b?x=1 HTTP/1.1\r\nHost: example\r\nX-Empty:\r\nContent-Length: 5\r\n"
      "X-Long: abcdef\r\n\r\nhello";
  for (std::size_t step = 1; step <= msg.size(); ++step) {
    CAPTURE(step);
    request_parser p(8192);
    p.begin_message();
    std::string body;
    REQUIRE(feed_in_steps(p, msg, step) == state::complete);
    for (auto piece : p.body_pieces()) body += piece;
    CHECK(p.method() == "POST");
    CHECK(p.url().in(msg.data()) == "/a/b?x=1");
    REQUIRE(p.headers().size() == 4);
    CHECK(p.headers()[0].name.in(msg.data()) == "Host");
    CHECK(p.headers()[0].value.in(msg.data()) == "example");
    CHECK(p.headers()[1].name.in(msg.data()) == "X-Empty");
    CHECK(p.headers()[1].value.in(msg.data()).empty());
    CHECK(p.headers()[2].name.in(msg.data()) == "Content-Length");
    CHECK(p.headers()[3].value.in(msg.data()) == "abcdef");
    CHECK(body == "hello");
    CHECK(p.content_length() == 5);
  }
}

TEST_CASE("a message without body completes with a zero-length feed after the header block") {
  const std::string msg = "GET / HTTP/1.1\r\nHost: a\r\n\r\n";
  request_parser p(8192);
  p.begin_message();
  CHECK(p.feed(msg.data(), msg.data(), msg.size()) == msg.size());
  CHECK(p.current_state() == state::body);
  CHECK_FALSE(p.has_body());
  CHECK(p.feed(msg.data(), msg.data() + msg.size(), 0) == 0);
  CHECK(p.current_state() == state::complete);
}

TEST_CASE("pipelined messages pause after each message") {
  check_two_messages("GET /1 HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nHost: a\r\n\r\n", "/1",
                     "/2");
}

TEST_CASE("chunked body, and chunk data not followed by CRLF is rejected") {
  {
    const std::string ok =
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: "
        "chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n";
    request_parser p(8192);
    p.begin_message();
    CHECK(feed_in_steps(p, ok, 1) == state::complete);
    std::string body;
    for (auto piece : p.body_pieces()) body += piece;
    CHECK(body == "abcde");
    CHECK(p.chunked());
  }
  {
    const std::string bad =
        "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxZZ0\r\n\r\n";
    request_parser p(8192);
    p.begin_message();
    CHECK(feed_in_steps(p, bad, bad.size()) == state::failed);
    CHECK(p.error_status() == status::bad_request);
  }
}

TEST_CASE("Content-Length together with Transfer-Encoding is rejected") {
  const std::string msg =
      "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\nTransfer-Encoding: "
      "chunked\r\n\r\n0\r\n\r\n";
  request_parser p(8192);
  p.begin_message();
  CHECK(feed_in_steps(p, msg, msg.size()) == state::failed);
}

TEST_CASE("a request target longer than the limit fails with 414") {
  const std::string msg = "GET /" + std::string(100, 'a') + " HTTP/1.1\r\nHost: a\r\n\r\n";
  request_parser p(50);
  p.begin_message();
  CHECK(feed_in_steps(p, msg, 7) == state::failed);
  CHECK(p.error_status() == status::uri_too_long);
}

TEST_CASE("garbage fails with 400") {
  const std::string msg = "HELLO\r\n\r\n";
  request_parser p(8192);
  p.begin_message();
  CHECK(feed_in_steps(p, msg, msg.size()) == state::failed);
  CHECK(p.error_status() == status::bad_request);
}

TEST_CASE("an Upgrade request is parsed as a plain request and the next one follows") {
  check_two_messages(
      "GET /ws HTTP/1.1\r\nHost: a\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n"
      "GET /2 HTTP/1.1\r\nHost: a\r\n\r\n",
      "/ws", "/2");
}

TEST_CASE("a zero-length feed in the middle of a body adds no empty piece") {
  const std::string msg = "POST /u HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\n01234";
  request_parser p(8192);
  p.begin_message();
  std::size_t at = p.feed(msg.data(), msg.data(), msg.size());
  at += p.feed(msg.data(), msg.data() + at, msg.size() - at);
  REQUIRE(p.body_pieces().size() == 1);
  CHECK(p.body_pieces()[0] == "01234");
  p.body_pieces().clear();
  p.feed(msg.data(), msg.data() + at, 0);
  CHECK(p.body_pieces().empty());
  CHECK(p.current_state() == state::body);
}
