// The example program app/containerflare-basic, started as a process and checked from outside
// over raw sockets with the same checks as the in-process engine tests. Its path is the first
// command-line argument.

#include <doctest/doctest.h>

#include <chrono>
#include <csignal>
#include <string>
#include <vector>

#include "http/http_checks.hpp"
#include "http/spawned_server.hpp"
#include "support/eventually.hpp"
#include "support/file_descriptors.hpp"
#include "support/program_under_test.hpp"
#include "support/tcp_client.hpp"

using namespace containerflare::test;
using namespace std::chrono_literals;

namespace {

// Small limits and millisecond timeouts, as a deployment would set them.
environment limits_environment() {
  return {{"CF_MAX_HEADER_BYTES", "2048"},   {"CF_MAX_BODY_BYTES", std::to_string(1024 * 1024)},
          {"CF_HEADER_TIMEOUT_MS", "150"},   {"CF_IDLE_TIMEOUT_MS", "300"},
          {"CF_WRITE_TIMEOUT_MS", "1000"},   {"CF_BODY_TIMEOUT_MS", "2000"},
          {"CF_SHUTDOWN_TIMEOUT_MS", "5000"}};
}

struct fixture {
  spawned_server server{program_under_test(), limits_environment()};
  const target& t = server.where();
};

std::string get(std::string_view path) {
  return get_request(path);
}

}  // namespace

TEST_CASE("basic app: routes answer byte-exact, with Date and Server") {
  fixture f;
  check_answer(f.t, {get("/plaintext"), plaintext_answer()});
  check_answer(f.t, {get("/json"), json_answer()});
  check_answer(f.t, {get("/healthz"), healthz_answer()});
  check_date_and_server(f.t, "/plaintext");
}

TEST_CASE("basic app: a request split in two writes at every byte") {
  fixture f;
  const auto requests = split_check_requests("/plaintext");
  const auto not_allowed = method_not_allowed_answer("GET, HEAD");
  SUBCASE("headers only") {
    check_split_at_every_byte(f.t, {requests.get, plaintext_answer()});
  }
  SUBCASE("Content-Length body") {
    check_split_at_every_byte(f.t, {requests.with_length, not_allowed});
  }
  SUBCASE("chunked body") {
    check_split_at_every_byte(f.t, {requests.chunked, not_allowed});
  }
}

TEST_CASE("basic app: 16 pipelined requests answered in order, in one batch") {
  fixture f;
  std::vector<exchange> exchanges;
  for (int i = 0; i < 4; ++i) {
    exchanges.push_back({get("/plaintext"), plaintext_answer()});
    exchanges.push_back({get("/json"), json_answer()});
    exchanges.push_back({get("/healthz"), healthz_answer()});
    exchanges.push_back({get("/missing/" + std::to_string(i)), not_found_answer()});
  }
  check_pipelined(f.t, exchanges);
}

TEST_CASE("basic app: HEAD, 404, 405 with Allow") {
  fixture f;
  check_head_matches_get(f.t, "/plaintext");
  check_head_matches_get(f.t, "/json");
  check_answer(f.t, {get("/nowhere"), not_found_answer()});
  check_answer(
      f.t, {"DELETE /json HTTP/1.1\r\nHost: test\r\n\r\n", method_not_allowed_answer("GET, HEAD")});
}

TEST_CASE("basic app: HTTP/1.0, Connection: close, half-close, garbage behind a batch") {
  fixture f;
  check_answer_after_half_close(f.t, {get("/plaintext"), plaintext_answer()});
  check_error_behind_pipelined_requests(f.t, {get("/json"), json_answer()});
  check_http10_keep_alive(f.t, {get("/plaintext"), plaintext_answer()}, "/plaintext");
  check_connection_close(f.t, "/plaintext", plaintext_answer());
}

TEST_CASE("basic app: limits (414, 431, 413, 400) and rejected leniencies") {
  fixture f;
  check_request_line_too_long(f.t);
  check_header_block_too_large(f.t);
  check_header_block_too_large_in_pieces(f.t);
  check_header_limit_boundary(f.t);
  check_declared_body_too_large(f.t, "/plaintext");
  check_chunked_body_too_large(f.t, "/plaintext");
  check_malformed_requests(f.t);
  check_rejected_leniencies(f.t, "/plaintext");
}

TEST_CASE("basic app: header timeout 408 and idle close") {
  fixture f;
  check_header_timeout(f.t);
  check_trickled_header_times_out(f.t);
  check_idle_timeout(f.t, "/plaintext");
}

TEST_CASE("basic app: a 413 followed by 2 MiB more body reaches the client whole") {
  fixture f;
  check_oversize_answer_survives_more_body(f.t, "/plaintext");
}

TEST_CASE("basic app: 1,000 clients x 10 keep-alive requests, no descriptor leaked") {
  // Raised here so that the program inherits the limit as well.
  require_fd_limit(4096);
  spawned_server server(program_under_test(), {});
  const pid_t pid = server.process().pid();
  const std::size_t baseline = count_open_fds(pid);
  const fd_probe probe{[pid] { return count_open_fds(pid); },
                       [pid, baseline] { return count_open_fds(pid) - baseline; }};
  check_many_keep_alive_clients(server.where(), 1000, 10, {get("/plaintext"), plaintext_answer()},
                                probe);
}

TEST_CASE("basic app: SIGTERM with 5 request bodies half sent") {
  fixture f;
  std::vector<tcp_client> in_flight;
  const std::string body = "0123456789";
  for (int i = 0; i < 5; ++i) {
    in_flight.emplace_back(f.t.port, 10s);
    auto& c = in_flight.back();
    c.send("POST /plaintext HTTP/1.1\r\nHost: test\r\nExpect: 100-continue\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n");
    // The interim answer says the server has the request and waits for its body.
    REQUIRE(c.read_response().raw == "HTTP/1.1 100 Continue\r\n\r\n");
    c.send(body.substr(0, 5));
  }
  auto& process = f.server.process();
  const auto log_before_signal = process.stderr_text().size();
  process.send_signal(SIGTERM);
  REQUIRE(process.wait_for_stderr("shutting down", 5s, log_before_signal));
  CHECK(eventually([&] { return tcp_client::probe_connect(f.t.port) == ECONNREFUSED; }, 5s));
  CHECK_FALSE(process.wait_for_exit(0ms).has_value());

  for (auto& c : in_flight) {
    c.send(body.substr(5));
    const auto res = c.read_response();
    CHECK(res.masked() == expected_answer(405, json_fields() + "Allow: GET, HEAD\r\n",
                                          R"({"error":"method not allowed"})", "close"));
    CHECK(describe(c.expect_close()) == describe(read_outcome::closed));
    c.close();
  }
  const auto status = process.wait_for_exit(10s);
  REQUIRE(status.has_value());
  INFO(process.stderr_text());
  CHECK(status->describe() == "exit code 0");
}
