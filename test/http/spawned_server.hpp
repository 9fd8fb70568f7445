#pragma once
// A server program (app/containerflare-basic, gated_server) started for a test on a free
// loopback port, configured through the same environment variables a deployment uses.

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "http/http_checks.hpp"
#include "support/process.hpp"

namespace containerflare::test {

using environment = std::map<std::string, std::string, std::less<>>;

class spawned_server {
 public:
  // Starts `program` with `env` on top of PORT/CF_CONTAINER_ADDR and waits for its "listening"
  // log line. Throws std::runtime_error (with the program's stderr) when it does not come up.
  spawned_server(const std::string& program, environment env,
                 std::vector<std::pair<int, int>> inherit_fds = {});

  child_process& process() noexcept { return *process_; }
  // The port and the configuration the program derived from its environment.
  const target& where() const noexcept { return target_; }

 private:
  std::unique_ptr<child_process> process_;
  target target_;
};

}  // namespace containerflare::test
