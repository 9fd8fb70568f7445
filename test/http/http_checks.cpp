#include "http/http_checks.hpp"

#include <doctest/doctest.h>
#include <poll.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <mutex>
#include <optional>
#include <thread>

#include "containerflare/status.hpp"
#include "support/eventually.hpp"
#include "support/file_descriptors.hpp"

namespace containerflare::test {

namespace {

using std::chrono::milliseconds;
using clock_type = std::chrono::steady_clock;

// Generous: a correct server answers long before; a broken one fails the read instead of
// hanging the suite.
constexpr milliseconds receive_timeout{5'000};

milliseconds since(clock_type::time_point start) {
  return std::chrono::duration_cast<milliseconds>(clock_type::now() - start);
}

// Inserts "Connection: VALUE" as the last header field of an expected answer.
std::string with_connection(const std::string& answer, std::string_view value) {
  std::string out = answer;
  out.insert(out.find("\r\n\r\n") + 2, "Connection: " + std::string(value) + "\r\n");
  return out;
}

// Reads one answer and the close that must follow it.
void expect_answer_then_close(tcp_client& c, const std::string& expected, std::string_view what) {
  INFO(what);
  const auto res = c.read_response();
  CHECK(res.masked() == expected);
  CHECK(describe(c.expect_close()) == describe(read_outcome::closed));
}

// Size of the whole answer at the front of `bytes` when it is complete (Content-Length framing).
std::optional<std::size_t> complete_answer_size(std::string_view bytes) {
  const auto head_end = bytes.find("\r\n\r\n");
  if (head_end == std::string_view::npos) return std::nullopt;
  const auto head = bytes.substr(0, head_end + 2);
  const auto at = head.find("\r\nContent-Length: ");
  std::size_t length = 0;
  if (at != std::string_view::npos) {
    const auto value = head.substr(at + 18);
    std::from_chars(value.data(), value.data() + value.size(), length);
  }
  const auto total = head_end + 4 + length;
  return bytes.size() >= total ? std::optional(total) : std::nullopt;
}

struct upload_outcome {
  std::size_t sent = 0;
  std::error_code send_error;
  bool answer_complete = false;
  bool reset_before_answer = false;
  bool closed_before_answer = false;
};

// Sends `body` as fast as the server takes it while reading whatever it answers, the way a
// client that does not wait for the answer behaves. Stops once everything is sent (or sending
// failed) and the answer is complete (or the stream ended), or at the deadline.
upload_outcome send_while_reading(tcp_client& c, std::string_view body, milliseconds deadline) {
  upload_outcome out;
  const auto until = clock_type::now() + deadline;
  bool can_send = true;
  bool end_of_stream = false;
  while (clock_type::now() < until) {
    const bool want_send = can_send && out.sent < body.size();
    if (!want_send && (out.answer_complete || end_of_stream)) break;
    const short events =
        static_cast<short>((end_of_stream ? 0 : POLLIN) | (want_send ? POLLOUT : 0));
    pollfd p{c.fd(), events, 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    if (!end_of_stream && (p.revents & (POLLIN | POLLHUP | POLLERR))) {
      const auto o = c.fill_nonblocking();
      if (!out.answer_complete) {
        out.answer_complete = complete_answer_size(c.buffered_view()).has_value();
        if (!out.answer_complete && o == read_outcome::reset) out.reset_before_answer = true;
        if (!out.answer_complete && o == read_outcome::closed) out.closed_before_answer = true;
      }
      // After the server's half-close a client may go on sending; after a reset it cannot.
      if (o == read_outcome::closed) end_of_stream = true;
      if (o == read_outcome::reset) can_send = false;
    }
    if (want_send && (p.revents & POLLOUT)) {
      std::error_code ec;
      out.sent += c.send_nonblocking(body.substr(out.sent, 256 * 1024), ec);
      if (ec) {
        out.send_error = ec;
        can_send = false;
      }
    }
  }
  return out;
}

std::string chunked_body(std::size_t total, std::size_t chunk) {
  std::string body;
  char size_line[32];
  for (std::size_t sent = 0; sent < total; sent += chunk) {
    const auto n = std::min(chunk, total - sent);
    const auto r = std::to_chars(size_line, size_line + sizeof size_line, n, 16);
    body.append(size_line, r.ptr).append("\r\n").append(n, 'c').append("\r\n");
  }
  return body + "0\r\n\r\n";
}

}  // namespace

// --- expected answers ---------------------------------------------------------------------------

std::string expected_answer(int code, std::string_view fields, std::string_view body,
                            std::string_view connection, std::string_view server) {
  std::string out = "HTTP/1.1 " + std::to_string(code) + " " +
                    std::string(reason_phrase(static_cast<status>(code))) + "\r\n";
  out.append(fields);
  out += "Server: " + std::string(server) + "\r\nDate: <date>\r\n";
  out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  if (!connection.empty()) out += "Connection: " + std::string(connection) + "\r\n";
  out += "\r\n";
  out.append(body);
  return out;
}

std::string expected_error_answer(int code) {
  return expected_answer(code, text_fields(),
                         std::string(reason_phrase(static_cast<status>(code))) + "\n", "close");
}

std::string text_fields() {
  return "Content-Type: text/plain; charset=utf-8\r\n";
}
std::string json_fields() {
  return "Content-Type: application/json\r\n";
}

std::string plaintext_answer() {
  return expected_answer(200, text_fields(), "Hello, World!");
}
std::string json_answer() {
  return expected_answer(200, json_fields(), R"({"message":"Hello, World!"})");
}
std::string healthz_answer() {
  return expected_answer(200, text_fields(), "ok");
}
std::string not_found_answer() {
  return expected_answer(404, json_fields(), R"({"error":"not found"})");
}
std::string method_not_allowed_answer(std::string_view allow) {
  return expected_answer(405, json_fields() + "Allow: " + std::string(allow) + "\r\n",
                         R"({"error":"method not allowed"})");
}

std::string get_request(std::string_view path, std::string_view version, std::string_view extra) {
  std::string r = "GET " + std::string(path) + " " + std::string(version) + "\r\n";
  if (version == "HTTP/1.1") r += "Host: test\r\n";
  r.append(extra);
  r += "\r\n";
  return r;
}

split_requests split_check_requests(std::string_view body_path) {
  const std::string post = "POST " + std::string(body_path) + " HTTP/1.1\r\nHost: test\r\n";
  return {
      "GET /plaintext HTTP/1.1\r\nHost: test\r\nUser-Agent: split-test\r\nAccept: */*\r\n\r\n",
      post + "Content-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world",
      post +
          "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\n"
          "X-Trailer: t\r\n\r\n",
  };
}

// --- framing ------------------------------------------------------------------------------------

void check_answer(const target& t, const exchange& e) {
  tcp_client c(t.port, receive_timeout);
  c.send(e.request);
  CHECK(c.read_response(e.request.starts_with("HEAD ")).masked() == e.expected);
}

void check_split_at_every_byte(const target& t, const exchange& e) {
  std::size_t failures = 0;
  std::string first_failure;
  for (std::size_t split = 1; split < e.request.size(); ++split) {
    std::string got;
    try {
      tcp_client c(t.port, receive_timeout);
      c.set_no_delay(true);
      c.send(std::string_view(e.request).substr(0, split));
      c.send(std::string_view(e.request).substr(split));
      got = c.read_response().masked();
    } catch (const std::exception& ex) {
      got = std::string("exception: ") + ex.what();
    }
    if (got != e.expected && failures++ == 0) {
      first_failure = "split at " + std::to_string(split) + ": " + got;
    }
  }
  INFO("first failure: ", first_failure);
  CHECK(failures == 0);
}

void check_pipelined(const target& t, const std::vector<exchange>& exchanges, bool one_batch) {
  tcp_client c(t.port, receive_timeout);
  std::string all;
  for (const auto& e : exchanges) all += e.request;
  c.send(all);
  REQUIRE(c.fill() == read_outcome::data);
  const std::size_t first_read = c.buffered();
  std::size_t total = 0;
  for (std::size_t i = 0; i < exchanges.size(); ++i) {
    INFO("answer ", i);
    const auto res = c.read_response();
    CHECK(res.masked() == exchanges[i].expected);
    total += res.raw.size();
  }
  if (one_batch) {
    // The engine answers every request it found in one read with one write.
    INFO("bytes in the first read: ", first_read, " of ", total);
    CHECK(first_read == total);
  }
  CHECK(c.buffered() == 0);
}

void check_head_matches_get(const target& t, std::string_view path) {
  tcp_client c(t.port, receive_timeout);
  c.send(get_request(path));
  const auto get = c.read_response();
  REQUIRE(get.status == 200);
  c.send("HEAD " + std::string(path) + " HTTP/1.1\r\nHost: test\r\n\r\n");
  const auto head = c.read_response(true);
  CHECK(mask_date(head.head) == mask_date(get.head));
  CHECK(head.header("Content-Length") == std::to_string(get.body.size()));
  // No body bytes followed the HEAD answer: the next answer starts right after its head.
  c.send(get_request(path));
  CHECK(c.read_response().masked() == get.masked());
}

void check_date_and_server(const target& t, std::string_view path) {
  tcp_client c(t.port, receive_timeout);
  c.send(get_request(path));
  const auto res = c.read_response();
  CHECK(res.header_count("Date") == 1);
  CHECK(mask_date(res.head).find("\r\nDate: <date>\r\n") != std::string::npos);
  CHECK(res.header_count("Server") == 1);
  CHECK(res.header("Server") == t.config.server_header);
}

void check_http10_keep_alive(const target& t, const exchange& http11_equivalent,
                             std::string_view path) {
  const std::string& expected = http11_equivalent.expected;
  {
    INFO("HTTP/1.0 without keep-alive: answer, then close");
    tcp_client c(t.port, receive_timeout);
    c.send(get_request(path, "HTTP/1.0"));
    expect_answer_then_close(c, with_connection(expected, "close"), "HTTP/1.0 default");
  }
  {
    INFO("HTTP/1.0 with keep-alive: the connection stays open");
    tcp_client c(t.port, receive_timeout);
    const std::string keep_alive = get_request(path, "HTTP/1.0", "Connection: keep-alive\r\n");
    c.send(keep_alive);
    CHECK(c.read_response().masked() == with_connection(expected, "keep-alive"));
    c.send(keep_alive);
    CHECK(c.read_response().masked() == with_connection(expected, "keep-alive"));
    c.send(get_request(path, "HTTP/1.0"));
    expect_answer_then_close(c, with_connection(expected, "close"), "last HTTP/1.0 request");
  }
  {
    INFO("HTTP/1.1 keeps the connection by default");
    tcp_client c(t.port, receive_timeout);
    c.send(http11_equivalent.request);
    CHECK(c.read_response().masked() == expected);
    c.send(http11_equivalent.request);
    CHECK(c.read_response().masked() == expected);
  }
}

void check_connection_close(const target& t, std::string_view path,
                            const std::string& expected_keep_alive_answer) {
  const auto closing_request = get_request(path, "HTTP/1.1", "Connection: close\r\n");
  const auto closing_answer = with_connection(expected_keep_alive_answer, "close");
  {
    tcp_client c(t.port, receive_timeout);
    c.send(closing_request);
    expect_answer_then_close(c, closing_answer, "Connection: close");
  }
  {
    tcp_client c(t.port, receive_timeout);
    c.send(get_request(path) + closing_request + get_request(path));
    CHECK(c.read_response().masked() == expected_keep_alive_answer);
    expect_answer_then_close(c, closing_answer, "pipelined Connection: close");
  }
}

void check_answer_after_half_close(const target& t, const exchange& e) {
  tcp_client c(t.port, receive_timeout);
  c.send(e.request);
  c.shutdown_write();
  CHECK(c.read_response().masked() == e.expected);
  CHECK(describe(c.expect_close()) == describe(read_outcome::closed));
}

void check_error_behind_pipelined_requests(const target& t, const exchange& e) {
  tcp_client c(t.port, receive_timeout);
  c.send(e.request + e.request + "NOT HTTP\r\n\r\n" + e.request);
  CHECK(c.read_response().masked() == e.expected);
  CHECK(c.read_response().masked() == e.expected);
  expect_answer_then_close(c, expected_error_answer(400), "garbage behind two requests");
}

// --- limits -------------------------------------------------------------------------------------

void check_request_line_too_long(const target& t) {
  const std::string path = "/" + std::string(t.config.max_request_line_bytes, 'a');
  tcp_client c(t.port, receive_timeout);
  c.send(get_request(path));
  expect_answer_then_close(c, expected_error_answer(414), "request line too long");
}

namespace {
std::string oversize_header_fields(const target& t) {
  std::string fields;
  for (int i = 0; fields.size() <= t.config.max_header_bytes + 64; ++i) {
    fields += "X-Fill-" + std::to_string(i) + ": " + std::string(100, 'f') + "\r\n";
  }
  return fields;
}
}  // namespace

void check_header_block_too_large(const target& t) {
  tcp_client c(t.port, receive_timeout);
  c.send(get_request("/", "HTTP/1.1", oversize_header_fields(t)));
  expect_answer_then_close(c, expected_error_answer(431), "whole header block in one write");
}

void check_header_block_too_large_in_pieces(const target& t) {
  tcp_client c(t.port, receive_timeout);
  c.set_no_delay(true);
  const std::string fields = oversize_header_fields(t);
  c.send("GET / HTTP/1.1\r\nHost: test\r\n");
  for (std::size_t at = 0; at < fields.size(); at += 256) {
    c.send(std::string_view(fields).substr(at, 256));
  }
  // The block never ends: the server must stop at its limit, not wait for the blank line.
  expect_answer_then_close(c, expected_error_answer(431), "header block that never ends");
}

void check_header_limit_boundary(const target& t) {
  const auto request_of_size = [](std::size_t size) {
    std::string r = "GET /plaintext HTTP/1.1\r\nHost: test\r\nX-Fill: ";
    const std::size_t fixed = r.size() + 4;  // and the "\r\n\r\n" at the end
    r.append(size - fixed, 'f');
    return r + "\r\n\r\n";
  };
  const std::size_t limit = t.config.max_header_bytes;
  {
    tcp_client c(t.port, receive_timeout);
    c.send(request_of_size(limit));
    CHECK(c.read_response().masked() == plaintext_answer());
  }
  {
    tcp_client c(t.port, receive_timeout);
    c.send(request_of_size(limit + 1));
    expect_answer_then_close(c, expected_error_answer(431), "one byte over the header limit");
  }
}

void check_declared_body_too_large(const target& t, std::string_view path) {
  tcp_client c(t.port, receive_timeout);
  c.send("POST " + std::string(path) + " HTTP/1.1\r\nHost: test\r\nContent-Length: " +
         std::to_string(t.config.max_body_bytes + 1) + "\r\n\r\n");
  // Not one body byte was sent: the answer comes from the header alone.
  expect_answer_then_close(c, expected_error_answer(413), "declared length over the limit");
}

void check_chunked_body_too_large(const target& t, std::string_view path) {
  tcp_client c(t.port, receive_timeout);
  c.send("POST " + std::string(path) +
         " HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n");
  const auto body = chunked_body(t.config.max_body_bytes + 64 * 1024, 16 * 1024);
  const auto outcome = send_while_reading(c, body, std::chrono::seconds(10));
  CHECK_FALSE(outcome.reset_before_answer);
  REQUIRE(outcome.answer_complete);
  CHECK(c.read_response().masked() == expected_error_answer(413));
}

void check_malformed_requests(const target& t) {
  const std::vector<std::string> requests = {
      "NOT AN HTTP REQUEST\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: test\r\nNo colon here\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: test\r\nContent-Length: twelve\r\n\r\n",
      "GET /\x01 HTTP/1.1\r\nHost: test\r\n\r\n",
  };
  for (const auto& r : requests) {
    tcp_client c(t.port, receive_timeout);
    c.send(r);
    expect_answer_then_close(c, expected_error_answer(400), r);
  }
}

void check_rejected_leniencies(const target& t, std::string_view path) {
  const std::string p(path);
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"space before colon (Host : a)", "GET " + p + " HTTP/1.1\r\nHost : a\r\n\r\n"},
      {"space before colon in another field",
       "GET " + p + " HTTP/1.1\r\nHost: test\r\nAccept : */*\r\n\r\n"},
      {"obsolete line folding",
       "GET " + p + " HTTP/1.1\r\nHost: test\r\nX-Folded: a\r\n b\r\n\r\n"},
      {"Transfer-Encoding: chunked on HTTP/1.0",
       "POST " + p + " HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nx\r\n0\r\n\r\n"},
      {"missing Host on HTTP/1.1", "GET " + p + " HTTP/1.1\r\n\r\n"},
      {"duplicate Host", "GET " + p + " HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"},
      {"chunk data not followed by CRLF",
       "POST " + p +
           " HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxZZ0\r\n\r\n"},
      {"both Content-Length and Transfer-Encoding",
       "POST " + p +
           " HTTP/1.1\r\nHost: test\r\nContent-Length: 5\r\nTransfer-Encoding: "
           "chunked\r\n\r\n0\r\n\r\n"},
      {"two Content-Length fields",
       "POST " + p + " HTTP/1.1\r\nHost: test\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"},
      {"Transfer-Encoding without chunked last",
       "POST " + p + " HTTP/1.1\r\nHost: test\r\nTransfer-Encoding: identity\r\n\r\n"},
      {"control character in a field value", "GET " + p +
                                                 " HTTP/1.1\r\nHost: test\r\nX-Bad: a\x01"
                                                 "b\r\n\r\n"},
  };
  for (const auto& [name, request] : cases) {
    tcp_client c(t.port, receive_timeout);
    c.send(request);
    try {
      expect_answer_then_close(c, expected_error_answer(400), name);
    } catch (const std::exception& e) {
      FAIL_CHECK(name << ": " << e.what());
    }
  }
}

// --- timeouts -----------------------------------------------------------------------------------

void check_header_timeout(const target& t) {
  tcp_client c(t.port, t.config.header_timeout + receive_timeout);
  const auto start = clock_type::now();
  c.send("GET /plaintext HTTP/1.1\r\nHost: test\r\n");  // no blank line: the block never ends
  expect_answer_then_close(c, expected_error_answer(408), "partial header block");
  CHECK(since(start) >= t.config.header_timeout);
}

void check_trickled_header_times_out(const target& t) {
  tcp_client c(t.port, t.config.header_timeout + receive_timeout);
  c.set_no_delay(true);
  const std::string request =
      get_request("/plaintext", "HTTP/1.1", "X-Slow: " + std::string(200, 's') + "\r\n");
  const auto start = clock_type::now();
  std::size_t sent = 0;
  // One byte at a time; between bytes, wait (up to 20 ms) for the server's answer.
  while (sent < request.size() && since(start) < t.config.header_timeout + receive_timeout) {
    c.send(std::string_view(request).substr(sent++, 1));
    pollfd p{c.fd(), POLLIN, 0};
    if (::poll(&p, 1, 20) > 0) break;
  }
  INFO("bytes sent before the answer: ", sent, " of ", request.size());
  CHECK(sent < request.size());
  expect_answer_then_close(c, expected_error_answer(408), "trickled header block");
  CHECK(since(start) >= t.config.header_timeout);
}

void check_idle_timeout(const target& t, std::string_view path) {
  {
    tcp_client c(t.port, t.config.idle_timeout + receive_timeout);
    // Taken before the request: the server's idle time starts after its answer, so this is a
    // lower bound whatever the scheduling.
    const auto start = clock_type::now();
    c.send(get_request(path));
    REQUIRE(c.read_response().status == 200);
    CHECK(describe(c.expect_close()) == describe(read_outcome::closed));
    CHECK(since(start) >= t.config.idle_timeout);
  }
  {
    INFO("a connection that never sends anything");
    const auto start = clock_type::now();
    tcp_client c(t.port, t.config.idle_timeout + receive_timeout);
    CHECK(describe(c.expect_close()) == describe(read_outcome::closed));
    CHECK(since(start) >= t.config.idle_timeout);
  }
}

void check_oversize_answer_survives_more_body(const target& t, std::string_view path) {
  const std::size_t limit = t.config.max_body_bytes;
  tcp_client c(t.port, receive_timeout);
  c.send("POST " + std::string(path) +
         " HTTP/1.1\r\nHost: test\r\nContent-Length: " + std::to_string(3 * limit) + "\r\n\r\n");
  const std::string more(2 * limit, 'b');
  const auto outcome = send_while_reading(c, more, std::chrono::seconds(10));
  CHECK_FALSE(outcome.reset_before_answer);
  CHECK_FALSE(outcome.closed_before_answer);
  REQUIRE(outcome.answer_complete);
  CHECK(c.read_response().masked() == expected_error_answer(413));
  INFO("send error: ", outcome.send_error.message());
  CHECK(outcome.sent == more.size());
}

// --- many clients -------------------------------------------------------------------------------

void check_many_keep_alive_clients(const target& t, std::size_t clients, std::size_t requests_each,
                                   const exchange& e, const fd_probe& probe) {
  // Our clients plus, for a server in this process, its side of each connection.
  require_fd_limit(2 * clients + 256);
  const std::size_t baseline = probe.open_fds();
  constexpr std::size_t threads = 4;
  std::vector<std::vector<tcp_client>> groups(threads);
  std::atomic<std::size_t> failures{0};
  std::atomic<std::size_t> answers{0};
  std::mutex first_failure_mutex;
  std::string first_failure;
  const auto record = [&](std::string what) {
    if (failures++ == 0) {
      std::lock_guard lock(first_failure_mutex);
      first_failure = std::move(what);
    }
  };
  // Each thread drives its share of the clients: one request on each, then every answer.
  const auto round = [&](std::vector<tcp_client>& group) {
    for (auto& c : group) {
      if (auto ec = c.try_send(e.request)) record("send: " + ec.message());
    }
    for (auto& c : group) {
      try {
        const auto got = c.read_response().masked();
        if (got == e.expected) {
          ++answers;
        } else {
          record("answer: " + got);
        }
      } catch (const std::exception& ex) {
        record(std::string("read: ") + ex.what());
      }
    }
  };
  const auto in_parallel = [&](auto per_group) {
    std::vector<std::thread> workers;
    for (std::size_t g = 0; g < threads; ++g) {
      workers.emplace_back([&, g] { per_group(groups[g], g); });
    }
    for (auto& w : workers) w.join();
  };

  const auto start = clock_type::now();
  in_parallel([&](std::vector<tcp_client>& group, std::size_t g) {
    const std::size_t share = clients / threads + (g < clients % threads ? 1 : 0);
    for (std::size_t i = 0; i < share; ++i) {
      try {
        group.emplace_back(t.port, receive_timeout);
      } catch (const std::exception& ex) {
        record(std::string("connect: ") + ex.what());
      }
    }
    round(group);
  });
  INFO("first failure: ", first_failure);
  REQUIRE(failures == 0);
  // Every client is connected at once.
  CHECK(probe.connections() == clients);
  in_parallel([&](std::vector<tcp_client>& group, std::size_t) {
    for (std::size_t r = 1; r < requests_each; ++r) round(group);
  });
  const auto elapsed = since(start);
  CHECK(failures == 0);
  CHECK(answers == clients * requests_each);
  MESSAGE(clients, " clients x ", requests_each, " requests in ", elapsed.count(), " ms");

  for (auto& group : groups) group.clear();
  const bool released =
      eventually([&] { return probe.connections() == 0 && probe.open_fds() == baseline; },
                 std::chrono::seconds(10));
  INFO("open descriptors: ", probe.open_fds(), ", baseline ", baseline, ", connections ",
       probe.connections());
  CHECK(released);
}

}  // namespace containerflare::test
