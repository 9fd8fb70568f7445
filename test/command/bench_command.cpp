// Command channel throughput and latency: invokes per second and p50/p99 latency over unix,
// tcp, stdio (a pipe pair) and http, with 1 and 64 calls in flight, plus the hop from another
// io_context. The host echoes on a thread of its own; the client runs on the main thread.
//
//   command-bench [invokes per scenario, default 20000]

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

#include <asio/co_spawn.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>

#include "calls.hpp"
#include "containerflare/command/client.hpp"
#include "http_host.hpp"
#include "line_host.hpp"

namespace cf = containerflare;
namespace json = boost::json;
using bench_clock = std::chrono::steady_clock;

namespace {

struct figures {
  double per_second = 0;
  double p50_us = 0;
  double p99_us = 0;
};

// Runs an io_context on a thread of its own. join() before destroying what lives on it.
struct background_loop {
  background_loop() : thread([this] { io.run(); }) {}
  ~background_loop() { join(); }
  void join() {
    if (!thread.joinable()) return;
    guard.reset();
    io.stop();
    thread.join();
  }
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> guard = asio::make_work_guard(io);
  std::thread thread;
};

cf::task<void> worker(cf::command_client& client, std::size_t& started, std::size_t total,
                      std::vector<double>& latencies_us) {
  const json::value payload = json::object{{"key", "visits"}};
  while (started < total) {
    ++started;
    const auto begin = bench_clock::now();
    auto result = co_await client.try_invoke("kv.get", payload);
    const auto end = bench_clock::now();
    if (!result.ok()) throw std::runtime_error("invoke failed: " + result.diagnostic);
    latencies_us.push_back(std::chrono::duration<double, std::micro>(end - begin).count());
  }
}

// `total` invokes from `inflight` coroutines on `io` (the caller's loop).
figures measure(asio::io_context& io, cf::command_client& client, std::size_t inflight,
                std::size_t total) {
  std::vector<double> latencies;
  latencies.reserve(total);
  std::size_t started = 0;
  std::size_t running = inflight;
  std::exception_ptr failure;
  const auto begin = bench_clock::now();
  for (std::size_t i = 0; i < inflight; ++i) {
    asio::co_spawn(io, worker(client, started, total, latencies), [&](std::exception_ptr e) {
      if (e) failure = e;
      if (--running == 0) io.stop();
    });
  }
  io.restart();
  io.run();
  const auto elapsed = std::chrono::duration<double>(bench_clock::now() - begin).count();
  if (failure) std::rethrow_exception(failure);
  std::sort(latencies.begin(), latencies.end());
  auto percentile = [&](double p) {
    return latencies[std::min(latencies.size() - 1,
                              static_cast<std::size_t>(p * static_cast<double>(latencies.size())))];
  };
  return {static_cast<double>(latencies.size()) / elapsed, percentile(0.50), percentile(0.99)};
}

void report(const char* transport, std::size_t inflight, const figures& f) {
  std::printf("%-12s %8zu %12.0f %10.1f %10.1f\n", transport, inflight, f.per_second, f.p50_us,
              f.p99_us);
  std::fflush(stdout);
}

// Measures a client on the main thread against the host at `options.endpoint`.
void run_scenario(const char* name, cf::command_options options, std::size_t total) {
  asio::io_context io;
  cf::command_client client(io, std::move(options));
  (void)measure(io, client, 1, std::min<std::size_t>(total / 10, 2000));  // connect, warm up
  for (std::size_t inflight : {1u, 64u})
    report(name, inflight, measure(io, client, inflight, total));
  client.close();
  io.restart();
  io.poll();
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t total = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 20'000;
  std::printf("%-12s %8s %12s %10s %10s\n", "transport", "inflight", "invokes/s", "p50_us",
              "p99_us");
  {
    background_loop host_loop;
    cftest::line_host host(host_loop.io, cftest::line_host::listen_on::unix_socket);
    run_scenario("unix", cftest::options_for(host.endpoint()), total);
    host_loop.join();
  }
  {
    background_loop host_loop;
    cftest::line_host host(host_loop.io, cftest::line_host::listen_on::tcp);
    run_scenario("tcp", cftest::options_for(host.endpoint()), total);
    host_loop.join();
  }
  {
    int requests[2], replies[2];
    if (::pipe2(requests, O_CLOEXEC) != 0 || ::pipe2(replies, O_CLOEXEC) != 0) return 1;
    background_loop host_loop;
    cftest::line_host host(host_loop.io, requests[0], replies[1]);
    auto options = cftest::options_for("stdio");
    options.stdin_fd = replies[0];
    options.stdout_fd = requests[1];
    run_scenario("stdio", options, total);
    host_loop.join();
    ::close(replies[0]);
    ::close(requests[1]);
  }
  {
    background_loop host_loop;
    cftest::http_host host(host_loop.io);
    run_scenario("http", cftest::options_for(host.url("/")), total / 4);
    host_loop.join();
  }
  {
    // The client's owner is another loop: every invoke hops there and back.
    background_loop host_loop;
    cftest::line_host host(host_loop.io, cftest::line_host::listen_on::unix_socket);
    background_loop owner_loop;
    cf::command_client client(owner_loop.io, cftest::options_for(host.endpoint()));
    asio::io_context caller;
    (void)measure(caller, client, 1, std::min<std::size_t>(total / 10, 2000));
    for (std::size_t inflight : {1u, 64u}) {
      report("unix+hop", inflight, measure(caller, client, inflight, total));
    }
    owner_loop.join();
    host_loop.join();
  }
  return 0;
}
