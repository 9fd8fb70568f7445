#include "http/spawned_server.hpp"

#include <chrono>
#include <stdexcept>

#include "containerflare/env.hpp"

namespace containerflare::test {

spawned_server::spawned_server(const std::string& program, environment env,
                               std::vector<std::pair<int, int>> inherit_fds) {
  env["CF_CONTAINER_ADDR"] = "127.0.0.1";
  std::string last_stderr;
  // The free port may be taken by someone else before the program binds it: try another.
  for (int attempt = 0; attempt < 5; ++attempt) {
    env["PORT"] = std::to_string(pick_free_port());
    spawn_options options;
    options.env.assign(env.begin(), env.end());
    options.inherit_fds = inherit_fds;
    process_ = std::make_unique<child_process>(program, options);
    if (process_->wait_for_stderr("listening", std::chrono::seconds(10))) {
      target_.config = server_config::from_environment(map_env(env));
      target_.port = target_.config.port;
      return;
    }
    last_stderr = process_->stderr_text();
    process_.reset();
  }
  throw std::runtime_error(program + " did not start listening; its stderr:\n" + last_stderr);
}

}  // namespace containerflare::test
