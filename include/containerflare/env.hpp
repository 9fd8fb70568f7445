#pragma once
// Environment access through a function, so configuration and platform detection can be tested
// with a made-up environment instead of the process's.

#include <functional>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace containerflare {

using env_lookup = std::function<std::optional<std::string>(std::string_view name)>;

// Reads the process environment (getenv).
env_lookup process_env();
// Reads from a fixed map (tests).
env_lookup map_env(std::map<std::string, std::string, std::less<>> vars);

// Thrown at startup for an invalid environment value; the message names the variable.
struct config_error : std::runtime_error {
  config_error(std::string variable, const std::string& problem);
  std::string variable;
};

}  // namespace containerflare
