#pragma once
// Server configuration: limits, timeouts and the listen address. Defaults are what a production
// server would pick; `from_environment` reads the variables documented in the README.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

#include "containerflare/env.hpp"
#include "containerflare/log.hpp"

namespace containerflare {

struct server_config {
  std::string address = "0.0.0.0";  // IP literal
  std::uint16_t port = 8787;        // 0 = any free port (tests)

  std::size_t max_body_bytes = 1024 * 1024;       // default per-route body limit
  std::size_t max_header_bytes = 16 * 1024;       // request line + header block
  std::size_t max_request_line_bytes = 8 * 1024;  // longer request line -> 414
  std::size_t max_connections = 10000;            // further connections wait in the backlog

  std::chrono::milliseconds header_timeout{10'000};    // first byte to end of headers -> 408
  std::chrono::milliseconds idle_timeout{75'000};      // keep-alive wait for the next request
  std::chrono::milliseconds write_timeout{30'000};     // client not reading our response
  std::chrono::milliseconds body_timeout{30'000};      // between body reads
  std::chrono::milliseconds shutdown_timeout{30'000};  // drain deadline after SIGTERM
  std::chrono::milliseconds linger_timeout{2'000};     // read-and-discard after an error answer
  std::size_t linger_max_bytes = 64 * 1024 * 1024;     // most bytes discarded while lingering

  std::string server_header = "containerflare";
  unsigned workers = 1;  // event loops (CF_WORKERS; "auto" = cores)

  log::level log_level = log::level::info;
  log::format log_format = log::format::json;

  // Reads PORT / CF_CONTAINER_PORT, CF_CONTAINER_ADDR, CF_MAX_*, CF_*_TIMEOUT_MS, CF_WORKERS,
  // CF_LOG, CF_LOG_FORMAT. Throws config_error naming the variable for an invalid value.
  static server_config from_environment(const env_lookup& env = process_env());
};

}  // namespace containerflare
