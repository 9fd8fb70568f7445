#include "containerflare/config.hpp"

#include <asio/ip/address.hpp>
#include <charconv>
#include <limits>
#include <thread>

namespace containerflare {

namespace {

std::string trim(std::string s) {
  const auto first = s.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) return {};
  const auto last = s.find_last_not_of(" \t\r\n");
  return s.substr(first, last - first + 1);
}

std::uint64_t parse_unsigned(const std::string& var, const std::string& raw, std::uint64_t min,
                             std::uint64_t max) {
  const std::string text = trim(raw);
  std::uint64_t value = 0;
  const auto* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc{} || ptr != end) {
    throw config_error(var, "expected a whole number, got \"" + raw + "\"");
  }
  if (value < min || value > max) {
    throw config_error(var, "value " + text + " is out of range [" + std::to_string(min) + ", " +
                                std::to_string(max) + "]");
  }
  return value;
}

template <class T>
void read_number(const env_lookup& env, const char* var, T& out, std::uint64_t min,
                 std::uint64_t max = std::numeric_limits<T>::max()) {
  if (auto raw = env(var)) out = static_cast<T>(parse_unsigned(var, *raw, min, max));
}

void read_millis(const env_lookup& env, const char* var, std::chrono::milliseconds& out) {
  if (auto raw = env(var)) {
    out = std::chrono::milliseconds(parse_unsigned(var, *raw, 1, 24ull * 3600 * 1000));
  }
}

}  // namespace

server_config server_config::from_environment(const env_lookup& env) {
  server_config c;
  // PORT wins over CF_CONTAINER_PORT (Cloud Run and most platforms set PORT).
  const char* port_var = env("PORT") ? "PORT" : "CF_CONTAINER_PORT";
  read_number(env, port_var, c.port, 1, 65535);

  if (auto raw = env("CF_CONTAINER_ADDR")) {
    const std::string text = trim(*raw);
    std::error_code ec;
    asio::ip::make_address(text, ec);
    if (text.empty() || ec) {
      throw config_error("CF_CONTAINER_ADDR",
                         "expected an IP address literal, got \"" + *raw + "\"");
    }
    c.address = text;
  }

  read_number(env, "CF_MAX_BODY_BYTES", c.max_body_bytes, 0);
  read_number(env, "CF_MAX_HEADER_BYTES", c.max_header_bytes, 256, 1024 * 1024);
  read_number(env, "CF_MAX_CONNECTIONS", c.max_connections, 1);
  read_millis(env, "CF_HEADER_TIMEOUT_MS", c.header_timeout);
  read_millis(env, "CF_IDLE_TIMEOUT_MS", c.idle_timeout);
  read_millis(env, "CF_WRITE_TIMEOUT_MS", c.write_timeout);
  read_millis(env, "CF_BODY_TIMEOUT_MS", c.body_timeout);
  read_millis(env, "CF_SHUTDOWN_TIMEOUT_MS", c.shutdown_timeout);
  c.max_request_line_bytes = std::min(c.max_request_line_bytes, c.max_header_bytes);

  if (auto raw = env("CF_WORKERS")) {
    const std::string text = trim(*raw);
    if (text == "auto") {
      c.workers = std::max(1u, std::thread::hardware_concurrency());
    } else {
      c.workers = static_cast<unsigned>(parse_unsigned("CF_WORKERS", *raw, 1, 1024));
    }
  }

  if (auto raw = env("CF_LOG")) {
    auto lvl = log::parse_level(trim(*raw));
    if (!lvl)
      throw config_error("CF_LOG",
                         "expected error, warn, info, debug or trace, got \"" + *raw + "\"");
    c.log_level = *lvl;
  }
  if (auto raw = env("CF_LOG_FORMAT")) {
    auto fmt = log::parse_format(trim(*raw));
    if (!fmt) throw config_error("CF_LOG_FORMAT", "expected json or text, got \"" + *raw + "\"");
    c.log_format = *fmt;
  }
  return c;
}

}  // namespace containerflare
