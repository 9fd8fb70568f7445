#include "containerflare/command/options.hpp"

#include "text.hpp"

namespace containerflare {
namespace {

// A positive integer no larger than `max`, or config_error naming the variable.
std::optional<std::uint64_t> positive_integer(const env_lookup& env, std::string_view name,
                                              std::uint64_t max) {
  auto value = env(name);
  if (!value) return std::nullopt;
  const auto parsed = detail::parse_unsigned(detail::trim(*value));
  if (!parsed || *parsed == 0 || *parsed > max) {
    throw config_error(std::string(name), "invalid value \"" + *value +
                                              "\": expected a whole number from 1 to " +
                                              std::to_string(max));
  }
  return parsed;
}

}  // namespace

command_options command_options::from_environment(const env_lookup& env, int stdin_fd) {
  command_options options;
  options.endpoint = command_endpoint::from_environment(env, stdin_fd);
  constexpr std::uint64_t one_day_ms = 24ULL * 60 * 60 * 1000;
  if (auto ms = positive_integer(env, "CF_CMD_TIMEOUT_MS", one_day_ms)) {
    options.timeout = std::chrono::milliseconds(*ms);
  }
  constexpr std::uint64_t one_gib = 1ULL << 30;
  if (auto bytes = positive_integer(env, "CF_CMD_MAX_REPLY_BYTES", one_gib)) {
    options.max_reply_bytes = static_cast<std::size_t>(*bytes);
  }
  options.proxy = proxy_settings::from_environment(env);
  options.stdin_fd = stdin_fd;
  return options;
}

}  // namespace containerflare
