#include "containerflare/env.hpp"

#include <cstdlib>
#include <string>

namespace containerflare {

env_lookup process_env() {
  return [](std::string_view name) -> std::optional<std::string> {
    const std::string key(name);
    if (const char* v = std::getenv(key.c_str())) return std::string(v);
    return std::nullopt;
  };
}

env_lookup map_env(std::map<std::string, std::string, std::less<>> vars) {
  return [vars = std::move(vars)](std::string_view name) -> std::optional<std::string> {
    if (auto it = vars.find(name); it != vars.end()) return it->second;
    return std::nullopt;
  };
}

config_error::config_error(std::string var, const std::string& problem)
    : std::runtime_error(var + ": " + problem), variable(std::move(var)) {}

}  // namespace containerflare
