// CPU cost of the engine's user-space request path, without sockets: parse the request bytes,
// build the request, route, run the handler (and its middleware), serialise the response.
// Printed for GET /plaintext and for GET / with a typical metadata header, so the metadata
// bridge's cost stands next to the cost of serving /plaintext.
//
//   request-path-bench [iterations]   (default 200000; best of 5 rounds of thread CPU time)

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>

#include "containerflare/containerflare.hpp"
#include "http/request_parser.hpp"
#include "http/response_serializer.hpp"
#include "support/typical_metadata.hpp"

namespace cf = containerflare;

namespace {

double thread_cpu_ns() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e9 + static_cast<double>(now.tv_nsec);
}

cf::task<cf::response> plaintext(cf::request&, cf::context&) {
  co_return cf::text("Hello, World!");
}

cf::task<cf::response> metadata_echo(cf::request&, cf::context& ctx) {
  const cf::request_metadata& meta = co_await ctx.metadata();
  std::string body = R"(["it works!",)";
  cf::serialize_metadata(meta, body);
  body += ']';
  co_return cf::bytes(std::move(body), "application/json");
}

// Runs `iterations` requests of `wire` through parser, router, handler and serializer.
cf::task<void> serve_many(const cf::router& app, const cf::runtime_services& services,
                          std::string wire, std::size_t iterations, std::size_t& out_bytes) {
  cf::detail::request_parser parser(8192);
  cf::detail::response_serializer serializer;
  cf::request req;
  std::string out;
  const auto executor = co_await asio::this_coro::executor;
  for (std::size_t i = 0; i < iterations; ++i) {
    parser.begin_message();
    const char* base = wire.data();
    std::size_t at = parser.feed(base, base, wire.size());
    at += parser.feed(base, base + at, wire.size() - at);
    req.reset();
    req.set_method(parser.method());
    req.set_target(parser.url().in(base));
    for (const auto& h : parser.headers())
      req.mutable_headers().add(h.name.in(base), h.value.in(base));
    const auto match = app.match(req.method(), req.path(), req);
    cf::context ctx(req, services, executor);
    cf::response res = co_await app.handle(match, req, ctx);
    out.clear();
    serializer.append(res, {}, "containerflare", out);
    out_bytes += out.size();
  }
}

double measure(const cf::router& app, const cf::runtime_services& services, const std::string& wire,
               std::size_t iterations) {
  std::array<double, 5> rounds{};
  std::size_t bytes = 0;
  for (auto& r : rounds) {
    asio::io_context io(1);
    asio::co_spawn(io, serve_many(app, services, wire, iterations, bytes), asio::detached);
    const double start = thread_cpu_ns();
    io.run();
    r = (thread_cpu_ns() - start) / static_cast<double>(iterations);
  }
  if (bytes == 0) std::abort();
  return *std::min_element(rounds.begin(), rounds.end());
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t iterations = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 200000;
  cf::log::configure(cf::log::level::warn, cf::log::format::json);
  const auto environment = cf::runtime_environment::from_environment(
      cf::map_env({{"CONTAINERFLARE_WORKER", "my-worker"}}));
  cf::runtime_services services;
  services.environment = &environment;

  cf::router app;
  app.use(cf::access_log());
  app.get("/plaintext", plaintext);
  app.get("/", metadata_echo);

  const std::string plain = "GET /plaintext HTTP/1.1\r\nHost: bench\r\n\r\n";
  const std::string with_metadata = "GET / HTTP/1.1\r\nHost: bench\r\nx-containerflare-metadata: " +
                                    std::string(containerflare::test::typical_header) + "\r\n\r\n";
  const std::string without_metadata =
      "GET / HTTP/1.1\r\nHost: bench\r\ncf-ray: 8f3a-SJC\r\n"
      "x-forwarded-for: 198.51.100.23\r\n\r\n";

  const double p = measure(app, services, plain, iterations);
  const double m = measure(app, services, with_metadata, iterations);
  const double f = measure(app, services, without_metadata, iterations);
  std::printf("request path (no sockets), %zu iterations, best of 5 rounds of thread CPU time\n",
              iterations);
  std::printf("GET /plaintext                          %7.0f ns/request\n", p);
  std::printf("GET / with a %4zu-byte metadata header   %7.0f ns/request (+%.0f over /plaintext)\n",
              containerflare::test::typical_header.size(), m, m - p);
  std::printf("GET / from plain headers                %7.0f ns/request (+%.0f over /plaintext)\n",
              f, f - p);
  return 0;
}
