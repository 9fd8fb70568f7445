#include "http_response_parser.hpp"

#include <doctest/doctest.h>

#include <string>

using containerflare::detail::http_response_parser;
using state = http_response_parser::state;

namespace {

state feed_in_pieces(http_response_parser& parser, const std::string& bytes, std::size_t piece) {
  state s = state::incomplete;
  for (std::size_t at = 0; at < bytes.size() && s == state::incomplete; at += piece) {
    const auto part = bytes.substr(at, piece);
    s = parser.feed(part.data(), part.size());
  }
  return s;
}

}  // namespace

TEST_CASE("a Content-Length response, in any pieces") {
  const std::string response =
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
      "11\r\n\r\n{\"ok\":true}";
  for (std::size_t piece : {1u, 3u, 1000u}) {
    http_response_parser parser(1024);
    CHECK(feed_in_pieces(parser, response, piece) == state::complete);
    CHECK(parser.status() == 200);
    CHECK(parser.body() == "{\"ok\":true}");
    CHECK(parser.reusable());
  }
}

TEST_CASE("chunked bodies are joined") {
  http_response_parser parser(1024);
  const std::string response =
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: "
      "chunked\r\n\r\n4\r\n{\"ok\r\n7\r\n\":true}\r\n0\r\n\r\n";
  CHECK(feed_in_pieces(parser, response, 5) == state::complete);
  CHECK(parser.body() == "{\"ok\":true}");
  CHECK(parser.reusable());
}

TEST_CASE("Connection: close and HTTP/1.0 responses are not reused") {
  http_response_parser parser(1024);
  std::string response = "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}";
  CHECK(parser.feed(response.data(), response.size()) == state::complete);
  CHECK_FALSE(parser.reusable());

  parser.reset();
  response = "HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n{}";
  CHECK(parser.feed(response.data(), response.size()) == state::complete);
  CHECK_FALSE(parser.reusable());
}

TEST_CASE("a body that runs to EOF completes on finish()") {
  http_response_parser parser(1024);
  const std::string response = "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n{\"ok\":true}";
  CHECK(parser.feed(response.data(), response.size()) == state::incomplete);
  CHECK(parser.finish() == state::complete);
  CHECK(parser.body() == "{\"ok\":true}");
  CHECK_FALSE(parser.reusable());
}

TEST_CASE("errors: garbage, EOF mid-response, body over the limit, bytes after the response") {
  http_response_parser parser(8);
  std::string bytes = "NOT HTTP\r\n\r\n";
  CHECK(parser.feed(bytes.data(), bytes.size()) == state::failed);
  CHECK_FALSE(parser.error().empty());

  parser.reset();
  CHECK(parser.finish() == state::failed);
  CHECK_FALSE(parser.started());

  parser.reset();
  bytes = "HTTP/1.1 200 OK\r\nContent-Length: 20\r\n\r\n{\"ok\":";
  CHECK(parser.feed(bytes.data(), bytes.size()) == state::failed);  // 20 > limit of 8
  CHECK(parser.body_too_large());

  http_response_parser roomy(1024);
  bytes = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{\"ok\"";
  CHECK(roomy.feed(bytes.data(), bytes.size()) == state::incomplete);
  CHECK(roomy.started());
  CHECK(roomy.finish() == state::failed);

  parser.reset();
  bytes = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}EXTRA";
  CHECK(parser.feed(bytes.data(), bytes.size()) == state::complete);
  CHECK_FALSE(parser.reusable());
}

TEST_CASE("non-200 statuses are reported") {
  http_response_parser parser(1024);
  const std::string bytes = "HTTP/1.1 520 Unknown\r\nContent-Length: 4\r\n\r\nnope";
  CHECK(parser.feed(bytes.data(), bytes.size()) == state::complete);
  CHECK(parser.status() == 520);
  CHECK(parser.body() == "nope");
}
