// Time per router::match() on a 30-route table, over a mix of static, parameter, wildcard,
// nested, 404 and 405 lookups, and checks that matching allocates nothing once the request's
// parameter list has grown. Prints "router-match: N ns/match". A standalone program: it does
// not run the runtime, so stdout is free for its figure.

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <new>
#include <string_view>
#include <vector>

#include "containerflare/router.hpp"

namespace cf = containerflare;

namespace {
std::size_t allocations = 0;
}  // namespace

// Counting replacements of the global allocation functions. GCC 12 at -O3 sees the inlined
// std::allocator pair as new/free and warns (-Wmismatched-new-delete); the pair is ours.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t size) {
  ++allocations;
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
  std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
  std::free(p);
}
#pragma GCC diagnostic pop

namespace {

cf::task<cf::response> ok(cf::request&, cf::context&) {
  co_return cf::text("ok");
}

cf::router build_table() {
  cf::router users;
  users.get("/", ok).post("/", ok);
  users.get("/me", ok);
  users.get("/{id}", ok).put("/{id}", ok).patch("/{id}", ok).del("/{id}", ok);
  users.get("/{id}/posts", ok).get("/{id}/posts/{post}", ok);
  users.get("/{id}/followers", ok);

  cf::router app;
  app.get("/", ok);
  app.get("/health", ok);
  app.get("/metrics", ok);
  app.get("/version", ok);
  app.get("/favicon.ico", ok);
  app.get("/static/{*path}", ok);
  app.get("/kv/{key}", ok).put("/kv/{key}", ok).del("/kv/{key}", ok);
  app.get("/d1/tables", ok).post("/d1/query", ok);
  app.get("/r2/{bucket}/{*object}", ok).put("/r2/{bucket}/{*object}", ok);
  app.post("/queues/{queue}/send", ok);
  app.del("/queues/{queue}/messages/{id}", ok);
  app.get("/orgs/{org}/repos/{repo}/issues/{number}", ok);
  app.get("/orgs/{org}/repos/{repo}/pulls", ok);
  app.get("/orgs/{org}/members", ok);
  app.any("/webhooks/{source}", ok);
  app.options("/api/{*any}", ok);
  app.nest("/api/v1/users", std::move(users));  // 10 routes, 30 in all
  return app;
}

struct lookup {
  std::string_view method;
  std::string_view path;
};

}  // namespace

int main() {
  const auto app = build_table();
  const std::vector<lookup> lookups = {
      {"GET", "/"},
      {"GET", "/health"},
      {"GET", "/static/css/site/main.css"},
      {"GET", "/kv/visits"},
      {"PUT", "/kv/visits"},
      {"GET", "/r2/photos/2024/07/cat.jpg"},
      {"POST", "/queues/jobs/send"},
      {"GET", "/orgs/acme/repos/widgets/issues/1234"},
      {"GET", "/orgs/acme/members"},
      {"POST", "/webhooks/github"},
      {"GET", "/api/v1/users"},
      {"GET", "/api/v1/users/me"},
      {"DELETE", "/api/v1/users/42"},
      {"GET", "/api/v1/users/42/posts/7"},
      {"HEAD", "/metrics"},
      {"GET", "/does/not/exist"},
      {"POST", "/health"},
      {"OPTIONS", "/api/v2/anything"},
  };

  // The machine may be shared: time several blocks and report the fastest and the median.
  cf::request req;
  constexpr int blocks = 9;
  constexpr int rounds_per_block = 40'000;
  std::size_t found = 0;
  std::array<double, blocks> ns_per_match{};
  for (const auto& [method, path] : lookups) app.match(method, path, req);  // grows req's params
  const auto allocations_before = allocations;
  for (auto& block_ns : ns_per_match) {
    const auto start = std::chrono::steady_clock::now();
    for (int round = 0; round < rounds_per_block; ++round) {
      for (const auto& [method, path] : lookups) {
        const auto m = app.match(method, path, req);
        found += m.result == cf::route_match::outcome::found ? 1 : 0;
      }
    }
    const auto elapsed = std::chrono::steady_clock::now() - start;
    block_ns = std::chrono::duration<double, std::nano>(elapsed).count() /
               (static_cast<double>(rounds_per_block) * static_cast<double>(lookups.size()));
  }
  const auto allocations_while_matching = allocations - allocations_before;
  std::sort(ns_per_match.begin(), ns_per_match.end());
  std::printf(
      "router-match: %.1f ns/match (fastest block), %.1f ns/match (median); %zu lookups, "
      "%zu allocations\n",
      ns_per_match.front(), ns_per_match[blocks / 2], lookups.size(), allocations_while_matching);
  // `found` keeps the loop's work observable, and checks the table answers as intended: all but
  // the 404 and the 405 lookups find a route.
  const std::size_t expected_found = (lookups.size() - 2) * rounds_per_block * blocks;
  return found == expected_found && allocations_while_matching == 0 ? 0 : 1;
}
