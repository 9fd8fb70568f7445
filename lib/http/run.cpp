// run() and serve(): configuration, signals, event loops.

#include <csignal>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include <asio/post.hpp>
#include <asio/signal_set.hpp>

#include "containerflare/command/client.hpp"
#include "containerflare/health_check.hpp"
#include "containerflare/log.hpp"
#include "containerflare/platform.hpp"
#include "containerflare/server.hpp"
#include "http/startup.hpp"

namespace containerflare {

namespace {

struct event_loop {
  asio::io_context io{1};  // one thread per loop: concurrency hint 1 skips Asio's locking
  std::unique_ptr<server> srv;
};

int serve_with(const router& app, const server_config& config,
               const runtime_environment& environment, const command_options& command) {
  // The stdio command transport writes to a pipe; a vanished reader must not kill us.
  std::signal(SIGPIPE, SIG_IGN);
  const unsigned workers = std::max(1u, config.workers);
  std::vector<std::unique_ptr<event_loop>> loops;
  for (unsigned i = 0; i < workers; ++i) loops.push_back(std::make_unique<event_loop>());

  // One command channel for the process, owned by the first loop; invokes from other loops hop
  // to it and back. It connects on the first invoke, so it never delays listening. Declared
  // after the loops: destroyed first, on this (the owner's) thread, after the loops stopped.
  command_client client(loops.front()->io, command);
  runtime_services services;
  services.environment = &environment;
  services.command = &client;

  for (auto& loop : loops) {
    loop->srv = std::make_unique<server>(loop->io, app, config, services);
    // Each loop has its own SO_REUSEPORT listener: nothing shared on the request path.
    if (auto ec = loop->srv->listen(workers > 1)) {
      log::error("cannot listen",
                 {{"address", config.address}, {"port", config.port}, {"error", ec.message()}});
      return 1;
    }
  }
  log::info("listening", {{"address", config.address},
                          {"port", loops.front()->srv->port()},
                          {"workers", workers},
                          {"platform", to_string(environment.platform())}});
  log::info("command channel", {{"endpoint", command.endpoint.to_string()},
                                {"available", command.endpoint.available()}});
  for (auto& loop : loops) loop->srv->start();

  asio::signal_set signals(loops.front()->io, SIGINT, SIGTERM);
  signals.async_wait([&loops, &config](std::error_code ec, int signo) {
    if (ec) return;
    log::info("shutting down", {{"signal", signo == SIGTERM ? "SIGTERM" : "SIGINT"},
                                {"deadline_ms", config.shutdown_timeout.count()}});
    for (auto& loop : loops) {
      asio::post(loop->io, [l = loop.get()] { l->srv->shutdown([l] { l->io.stop(); }); });
    }
  });

  std::vector<std::thread> threads;
  for (std::size_t i = 1; i < loops.size(); ++i) {
    threads.emplace_back([l = loops[i].get()] { l->io.run(); });
  }
  loops.front()->io.run();
  for (auto& t : threads) t.join();
  client.close();
  log::info("stopped");
  return 0;
}

}  // namespace

int serve(const router& app, const server_config& config) {
  log::configure(config.log_level, config.log_format);
  try {
    const auto env = process_env();
    const auto environment = runtime_environment::from_environment(env);
    const auto command = command_options::from_environment(env);
    return serve_with(app, config, environment, command);
  } catch (const config_error& e) {
    detail::log_config_error(e);
    return 2;
  }
}

int run(const router& app) {
  const auto config = detail::server_config_from_env();
  return config ? serve(app, *config) : 2;
}

namespace detail {

void log_config_error(const config_error& e) {
  log::error("invalid configuration", {{"variable", e.variable}, {"error", e.what()}});
}

std::optional<server_config> server_config_from_env() {
  try {
    return server_config::from_environment(process_env());
  } catch (const config_error& e) {
    log_config_error(e);
    return std::nullopt;
  }
}

}  // namespace detail

int run(const router& app, int argc, char** argv) {
  const std::string_view program = argc > 0 ? argv[0] : "server";
  if (argc >= 2) {
    const std::string_view arg = argv[1];
    if (arg == "--health-check" && argc <= 3) {
      return health_check(argc == 3 ? std::string_view(argv[2]) : std::string_view("/healthz"));
    }
    if (arg == "--help" || arg == "-h") {
      std::fprintf(stderr,
                   "usage: %.*s [--health-check [PATH]]\n"
                   "Serves HTTP on $PORT (default 8787). Configuration comes from environment\n"
                   "variables (PORT, CF_CONTAINER_ADDR, CF_CMD_ENDPOINT, CF_LOG, ...).\n",
                   static_cast<int>(program.size()), program.data());
      return 0;
    }
    std::fprintf(stderr, "%.*s: unknown argument '%s' (try --help)\n",
                 static_cast<int>(program.size()), program.data(), argv[1]);
    return 2;
  }
  return run(app);
}

}  // namespace containerflare
