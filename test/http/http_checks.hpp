#pragma once
// Protocol checks over a raw socket against a server identified by its port and configuration.
// The same checks run against a server inside the test process and against a program started
// from outside (app/containerflare-basic), so that both are held to the same wire behaviour.
// Each check uses doctest assertions and must be called from a test case.

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "containerflare/config.hpp"
#include "support/tcp_client.hpp"

namespace containerflare::test {

// A server under test: its port and the limits and timeouts it runs with.
struct target {
  std::uint16_t port = 0;
  server_config config;
};

// --- expected answers (Date masked as by mask_date) ---

// Status line, `fields` (complete header lines a handler set, in order), then the engine's
// Server, Date, Content-Length (and Connection) fields and the body.
std::string expected_answer(int status, std::string_view fields, std::string_view body,
                            std::string_view connection = {},
                            std::string_view server = "containerflare");
// The answer the engine sends before it closes a connection (limits, timeouts, bad requests).
std::string expected_error_answer(int status);
std::string text_fields();  // "Content-Type: text/plain; charset=utf-8\r\n"
std::string json_fields();  // "Content-Type: application/json\r\n"

// The routes of app/containerflare-basic, which the in-process tests register too.
std::string plaintext_answer();  // GET /plaintext
std::string json_answer();       // GET /json
std::string healthz_answer();    // GET /healthz
std::string not_found_answer();
std::string method_not_allowed_answer(std::string_view allow);

struct exchange {
  std::string request;
  std::string expected;  // the whole answer, Date masked
};

// "GET PATH VERSION" with Host (on HTTP/1.1) and `extra` header lines.
std::string get_request(std::string_view path, std::string_view version = "HTTP/1.1",
                        std::string_view extra = {});

// Requests for the split check: a GET of /plaintext with several header fields, and POSTs to
// `body_path` with the body "hello world" framed by Content-Length and chunked (with a chunk
// extension and a trailer).
struct split_requests {
  std::string get;
  std::string with_length;
  std::string chunked;
};
split_requests split_check_requests(std::string_view body_path);

// --- checks ---

// One request on a fresh connection; the whole answer must match.
void check_answer(const target& t, const exchange& e);
// The request sent in two writes (TCP_NODELAY) split at every position; each answer must match.
void check_split_at_every_byte(const target& t, const exchange& e);
// All requests in one write; the answers must come in order, byte-exact, and (when
// `one_batch`: they fit in one output batch) all in the first read.
void check_pipelined(const target& t, const std::vector<exchange>& exchanges,
                     bool one_batch = true);
// HEAD answers GET's status line and header fields (Content-Length included) without a body.
void check_head_matches_get(const target& t, std::string_view path);
// Every answer carries a well-formed Date and the configured Server field.
void check_date_and_server(const target& t, std::string_view path);

// HTTP/1.0: closed after the answer unless keep-alive was asked for; kept open when it was.
void check_http10_keep_alive(const target& t, const exchange& http11_equivalent,
                             std::string_view path);
// "Connection: close" from the client: the answer says so and the server closes, also in the
// middle of a pipelined batch (later requests are not answered).
void check_connection_close(const target& t, std::string_view path,
                            const std::string& expected_keep_alive_answer);

// A request followed by the client's half-close (shutdown of its sending side) is answered.
void check_answer_after_half_close(const target& t, const exchange& e);
// An error in the middle of a pipelined batch: the answers before it are sent, in order, then
// the error answer, then the close.
void check_error_behind_pipelined_requests(const target& t, const exchange& e);

// Limits: 414, 431 (header block in one write and arriving in pieces), 413 for a declared
// length (answered before any body byte is sent), 413 for a chunked body, 400 for garbage.
void check_request_line_too_long(const target& t);
void check_header_block_too_large(const target& t);
void check_header_block_too_large_in_pieces(const target& t);
// A request of exactly max_header_bytes (request line through the blank line) is served; one
// byte more is 431.
void check_header_limit_boundary(const target& t);
void check_declared_body_too_large(const target& t, std::string_view path);
void check_chunked_body_too_large(const target& t, std::string_view path);
void check_malformed_requests(const target& t);
// What llhttp lets through and the engine must reject with 400.
void check_rejected_leniencies(const target& t, std::string_view path);

// Timeouts: a partial header block gets 408 after header_timeout; a connection idle after an
// answer (or from the start) is closed after idle_timeout.
void check_header_timeout(const target& t);
// A client that keeps trickling its header block a byte at a time still gets 408 once
// header_timeout has passed since its first byte (the deadline is not pushed back per read).
void check_trickled_header_times_out(const target& t);
void check_idle_timeout(const target& t, std::string_view path);

// Content-Length three times over the limit, then two more limits' worth of body sent while
// reading: the 413 must arrive whole, with no reset before it.
void check_oversize_answer_survives_more_body(const target& t, std::string_view path);

// How a check sees the server's resources.
struct fd_probe {
  std::function<std::size_t()> open_fds;     // the server process's open descriptors
  std::function<std::size_t()> connections;  // its open connections
};
// `clients` connections open at once, each sending `requests_each` keep-alive requests one after
// the other; every answer byte-exact; then every descriptor released.
void check_many_keep_alive_clients(const target& t, std::size_t clients, std::size_t requests_each,
                                   const exchange& e, const fd_probe& probe);

}  // namespace containerflare::test
