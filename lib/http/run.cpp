// run() and serve(): configuration, signals, event loops.

#include <csignal>
#include <cstdio>
#include <memory>
#include <thread>
#include <vector>

#include <asio/post.hpp>
#include <asio/signal_set.hpp>

#include "containerflare/health_check.hpp"
#include "containerflare/log.hpp"
#include "containerflare/platform.hpp"
#include "containerflare/server.hpp"

namespace containerflare {

namespace {

struct event_loop {
  asio::io_context io{1};  // one thread per loop: concurrency hint 1 skips Asio's locking
  std::unique_ptr<server> srv;
};

int serve_with(const router& app, const server_config& config, runtime_services services) {
  // The stdio command transport writes to a pipe; a vanished reader must not kill us.
  std::signal(SIGPIPE, SIG_IGN);
  const unsigned workers = std::max(1u, config.workers);
  std::vector<std::unique_ptr<event_loop>> loops;
  for (unsigned i = 0; i < workers; ++i) {
    auto loop = std::make_unique<event_loop>();
    loop->srv = std::make_unique<server>(loop->io, app, config, services);
    // Each loop has its own SO_REUSEPORT listener: nothing shared on the request path.
    if (auto ec = loop->srv->listen(workers > 1)) {
      log::error("cannot listen",
                 {{"address", config.address}, {"port", config.port}, {"error", ec.message()}});
      return 1;
    }
    loops.push_back(std::move(loop));
  }
  log::info(
      "listening",
      {{"address", config.address}, {"port", loops.front()->srv->port()}, {"workers", workers}});
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
  log::info("stopped");
  return 0;
}

}  // namespace

int serve(const router& app, const server_config& config) {
  log::configure(config.log_level, config.log_format);
  return serve_with(app, config, {});
}

int run(const router& app) {
  server_config config;
  std::unique_ptr<runtime_environment> environment;
  try {
    const auto env = process_env();
    config = server_config::from_environment(env);
    environment = std::make_unique<runtime_environment>(runtime_environment::from_environment(env));
  } catch (const config_error& e) {
    log::error("invalid configuration", {{"variable", e.variable}, {"error", e.what()}});
    return 2;
  }
  log::configure(config.log_level, config.log_format);
  runtime_services services;
  services.environment = environment.get();
  return serve_with(app, config, services);
}

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
