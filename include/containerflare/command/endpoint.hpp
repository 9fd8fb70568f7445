#pragma once
// Where the command channel goes: CF_CMD_ENDPOINT parsed into a value.
//
//   stdio                      requests on stdout, replies on stdin
//   disabled | unavailable     every invoke fails with `unavailable` (startup does not fail)
//   tcp://host:port            newline-delimited JSON over TCP (host may be a name)
//   unix:///abs/path           newline-delimited JSON over a Unix stream socket
//   http://host[:port][/path]  one HTTP/1.1 POST per command, keep-alive
//
// Keywords and schemes are case-insensitive; surrounding whitespace is ignored.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "containerflare/env.hpp"

namespace containerflare {

enum class endpoint_kind : std::uint8_t { stdio, disabled, unavailable, tcp, unix_socket, http };

struct command_endpoint {
  endpoint_kind kind = endpoint_kind::unavailable;
  std::string host;        // tcp, http: name or IP literal (IPv6 without brackets)
  std::uint16_t port = 0;  // tcp, http (http defaults to 80)
  std::string path;        // unix: socket path; http: request target ("/" by default)
  std::string reason;      // disabled, unavailable: why invokes fail

  // Throws config_error naming CF_CMD_ENDPOINT and the value when `text` is not an endpoint.
  static command_endpoint parse(std::string_view text);
  // Non-throwing form: nullopt on error, with the problem in `*problem` when given.
  static std::optional<command_endpoint> try_parse(std::string_view text,
                                                   std::string* problem = nullptr);

  // The default rules: CF_CMD_ENDPOINT when set (and not blank); otherwise disabled on Cloud Run
  // (K_SERVICE set), stdio when `stdin_fd` is a pipe or socket (a host process is attached), and
  // unavailable otherwise, with a reason that says to set CF_CMD_ENDPOINT. Throws config_error.
  static command_endpoint from_environment(const env_lookup& env = process_env(), int stdin_fd = 0);

  // Disabled/unavailable endpoints: no host, every invoke fails with `unavailable`.
  bool available() const noexcept {
    return kind != endpoint_kind::disabled && kind != endpoint_kind::unavailable;
  }
  // Canonical text, e.g. "tcp://127.0.0.1:9000" (parse(to_string()) gives the same endpoint).
  std::string to_string() const;

  friend bool operator==(const command_endpoint&, const command_endpoint&) = default;
};

// True when `fd` is a pipe/FIFO or a socket: something a host process can be on the other end of.
// /dev/null, regular files and terminals are not.
bool is_pipe_or_socket(int fd) noexcept;

}  // namespace containerflare
