// Cost of the metadata bridge on the request path: parsing a typical header as our Worker sends
// it, the full per-request resolution, the plain-header fallback, and serialisation.
//
//   metadata-bench [iterations]     (default 200000; each figure is the best of 7 rounds of
//                                    this thread's CPU time)

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include <asio/io_context.hpp>

#include "containerflare/context.hpp"
#include "containerflare/metadata.hpp"
#include "containerflare/platform.hpp"
#include "containerflare/request.hpp"
#include "support/typical_metadata.hpp"

namespace cf = containerflare;

namespace {

using containerflare::test::typical_header;

volatile std::size_t sink = 0;

// CPU time of this thread: on a shared machine, wall time mostly measures the other processes.
double thread_cpu_ns() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return static_cast<double>(now.tv_sec) * 1e9 + static_cast<double>(now.tv_nsec);
}

// Best-of-rounds CPU nanoseconds per call of `fn`.
template <class Fn>
double measure(std::size_t iterations, Fn&& fn) {
  constexpr int rounds = 7;
  std::array<double, rounds> per_call{};
  for (auto& result : per_call) {
    const double start = thread_cpu_ns();
    for (std::size_t i = 0; i < iterations; ++i) fn();
    result = (thread_cpu_ns() - start) / static_cast<double>(iterations);
  }
  return *std::min_element(per_call.begin(), per_call.end());
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t iterations = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 200000;
  if (iterations == 0) {
    std::fprintf(stderr, "usage: %s [iterations > 0]\n", argv[0]);
    return 2;
  }

  const auto parsed = cf::parse_metadata_header(typical_header);
  if (!parsed) {
    std::fprintf(stderr, "the benchmark header did not parse\n");
    return 1;
  }

  cf::request req;
  req.set_method("GET");
  req.set_target("/api/items?page=2&sort=desc");
  req.mutable_headers().add("host", "app.example.com");
  req.mutable_headers().add("user-agent", "Mozilla/5.0 (X11; Linux x86_64) Chrome/124.0.0.0");
  req.mutable_headers().add("accept", "*/*");
  req.mutable_headers().add("cf-ray", "8f3a1b2c3d4e5f60-SJC");
  req.mutable_headers().add("cf-connecting-ip", "198.51.100.23");
  req.mutable_headers().add("x-forwarded-for", "198.51.100.23, 10.0.0.1");
  req.mutable_headers().add("x-forwarded-proto", "https");
  cf::request with_header;
  with_header.set_method("GET");
  with_header.set_target("/api/items?page=2&sort=desc");
  for (const auto& field : req.headers())
    with_header.mutable_headers().add(field.name, field.value);
  with_header.mutable_headers().add(cf::metadata_header_name, typical_header);

  const auto cloudflare = cf::runtime_environment::from_environment(
      cf::map_env({{"CF_CONTAINER_PORT", "8080"}, {"CONTAINERFLARE_WORKER", "my-worker"}}));

  const double parse_ns = measure(iterations, [] {
    const auto m = cf::parse_metadata_header(typical_header);
    sink = sink + m->path.size();
  });
  const double resolve_ns = measure(iterations, [&] {
    const auto m = cf::resolve_request_metadata(with_header, cloudflare);
    sink = sink + m.path.size();
  });
  // What a handler's first `co_await ctx.metadata()` costs: the context's resolve-and-cache.
  asio::io_context io;
  cf::runtime_services services;
  services.environment = &cloudflare;
  const double context_ns = measure(iterations, [&] {
    cf::context ctx(with_header, services, io.get_executor());
    sink = sink + ctx.metadata_now().path.size();
  });
  const double fallback_ns = measure(iterations, [&] {
    const auto m = cf::resolve_request_metadata(req, cloudflare);
    sink = sink + m.path.size();
  });
  std::string out;
  const double serialize_ns = measure(iterations, [&] {
    out.clear();
    cf::serialize_metadata(*parsed, out);
    sink = sink + out.size();
  });
  const double to_json_ns = measure(iterations / 4 + 1, [&] {
    const auto value = cf::to_json(*parsed);
    sink = sink + value.as_object().size();
  });

  std::printf(
      "metadata header: %zu bytes, %zu iterations x 7 rounds (best round, thread CPU time)\n",
      typical_header.size(), iterations);
  std::printf("parse_metadata_header          %8.0f ns/header\n", parse_ns);
  std::printf("resolve (header, Cloudflare)   %8.0f ns/request\n", resolve_ns);
  std::printf("context::metadata_now (header) %8.0f ns/request\n", context_ns);
  std::printf("resolve (plain-header fallback)%8.0f ns/request\n", fallback_ns);
  std::printf("serialize_metadata             %8.0f ns/serialisation (%zu bytes)\n", serialize_ns,
              out.size());
  std::printf("to_json                        %8.0f ns/value\n", to_json_ns);
  return 0;
}
