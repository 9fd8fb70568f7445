#pragma once
// Settings of a command_client. `from_environment` reads CF_CMD_ENDPOINT, CF_CMD_TIMEOUT_MS,
// CF_CMD_MAX_REPLY_BYTES and the proxy variables; everything else has a production default and
// exists so tests can make time and sizes small.

#include <chrono>
#include <cstddef>
#include <optional>

#include "containerflare/command/endpoint.hpp"
#include "containerflare/command/proxy.hpp"
#include "containerflare/env.hpp"

namespace containerflare {

struct command_options {
  command_endpoint endpoint;
  std::chrono::milliseconds timeout{30'000};          // per call, unless invoke_options says else
  std::size_t max_reply_bytes = 16 * 1024 * 1024;     // longest reply line / HTTP reply body
  std::chrono::milliseconds connect_timeout{10'000};  // tcp/unix/http connect (within the call)
  // After a failed connect, invokes fail at once until the backoff has passed; it doubles up to
  // the maximum and resets once a connection succeeds.
  std::chrono::milliseconds reconnect_backoff{100};
  std::chrono::milliseconds max_reconnect_backoff{5'000};
  std::size_t http_max_connections = 4;  // keep-alive pool size of the http transport
  proxy_settings proxy;                  // http transport only
  int stdin_fd = 0;   // stdio transport: where replies are read (duplicated, never closed)
  int stdout_fd = 1;  // stdio transport: where requests are written (duplicated, never closed)

  // Throws config_error naming the variable for an invalid value.
  static command_options from_environment(const env_lookup& env = process_env(), int stdin_fd = 0);
};

struct invoke_options {
  std::optional<std::chrono::milliseconds> timeout;  // default: command_options::timeout
};

}  // namespace containerflare
