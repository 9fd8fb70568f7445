#pragma once
// A self-probe for container health checks: connects to the port the server would listen on
// (same environment variables), requests `path`, and returns a process exit code (0 = a 2xx
// answer). Lets a FROM scratch image use `HEALTHCHECK CMD ["/app", "--health-check"]`.

#include <chrono>
#include <string_view>

namespace containerflare {

int health_check(std::string_view path = "/healthz",
                 std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));

}  // namespace containerflare
