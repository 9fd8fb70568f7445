#pragma once
// Start-up helpers shared by run() and the health-check probe.

#include <optional>

#include "containerflare/config.hpp"

namespace containerflare::detail {

// Reports an invalid environment value on stderr (the variable and the problem).
void log_config_error(const config_error& e);

// server_config::from_environment, or nullopt after logging why not.
std::optional<server_config> server_config_from_env();

}  // namespace containerflare::detail
