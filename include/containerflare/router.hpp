#pragma once
// Routes requests to coroutine handlers by method and path.
//
// Patterns: static segments ("/users"), parameters ("/users/{id}") and a trailing wildcard
// ("/files/{*path}", matching the rest of the path, possibly empty). At each segment a static
// segment beats a parameter, which beats a wildcard. An unknown path answers 404; a known path
// with another method answers 405 with `Allow`. GET routes answer HEAD too.
// A path parameter matches one non-empty segment; "/files/{*path}" matches "/files/" (empty
// value) and "/files/a/b" ("a/b"), not "/files". When the most specific matching pattern has no
// route for the method, less specific ones are tried; 405 lists the most specific one's methods.
// The default 404/405 bodies are JSON {"error": "..."}; fallback() replaces the 404. A nested
// router's fallback answers unmatched paths under its prefix. Patterns: at most 16 parameters,
// names of letters, digits, '_' and '-'.
// Middleware wraps the next handler and runs in declaration order (the first `use` is the
// outermost); a router's middleware also wraps its 404/405 answers.

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "containerflare/request.hpp"
#include "containerflare/response.hpp"
#include "containerflare/task.hpp"

namespace containerflare {

class context;

using handler = std::function<task<response>(request&, context&)>;

namespace detail {
struct router_impl;
struct route_entry;
struct middleware_chain;
}  // namespace detail

// The rest of the chain, handed to a middleware: `co_return co_await next(req, ctx);`
class next_handler {
 public:
  next_handler(const detail::middleware_chain* chain, std::size_t index,
               const detail::route_entry* route) noexcept
      : chain_(chain), index_(index), route_(route) {}
  task<response> operator()(request& req, context& ctx) const;

 private:
  const detail::middleware_chain* chain_;
  std::size_t index_;
  const detail::route_entry* route_;
};

using middleware = std::function<task<response>(request&, context&, next_handler)>;

struct route_options {
  // Largest buffered (or streamed) body this route accepts; the server default when unset.
  std::optional<std::size_t> max_body_bytes;
  // Hand the body to the handler as a stream (request::stream()) instead of buffering it.
  bool stream_body = false;
};

// Outcome of matching a method and path, before the body is read.
struct route_match {
  enum class outcome : unsigned char { found, not_found, method_not_allowed };
  outcome result = outcome::not_found;
  const detail::route_entry* route = nullptr;       // set when found
  const detail::middleware_chain* chain = nullptr;  // middleware that applies (never null)
  const route_options* options = nullptr;           // set when found
  std::string_view allow;                           // for 405: e.g. "GET, HEAD, POST"
};

class router {
 public:
  router();
  ~router();
  router(router&&) noexcept;
  router& operator=(router&&) noexcept;
  router(const router&) = delete;
  router& operator=(const router&) = delete;

  router& get(std::string_view pattern, handler h, route_options opts = {});
  router& post(std::string_view pattern, handler h, route_options opts = {});
  router& put(std::string_view pattern, handler h, route_options opts = {});
  router& patch(std::string_view pattern, handler h, route_options opts = {});
  router& del(std::string_view pattern, handler h, route_options opts = {});
  router& options(std::string_view pattern, handler h, route_options opts = {});
  // Any method (a route for a specific method on the same pattern wins).
  router& any(std::string_view pattern, handler h, route_options opts = {});
  // Any method name (e.g. "PROPFIND"). Throws std::invalid_argument for a bad pattern or a
  // duplicate route.
  router& route(std::string_view method, std::string_view pattern, handler h,
                route_options opts = {});

  router& use(middleware m);
  // Mounts `sub` under `prefix` ("/api"): its routes, with its middleware inside ours.
  router& nest(std::string_view prefix, router sub);
  // Replaces the default 404 answer.
  router& fallback(handler h);

  // Finds the route; fills req's path parameters. Does not run anything.
  route_match match(std::string_view method, std::string_view path, request& req) const;
  // Runs the middleware chain around the matched handler (or the 404/405 answer).
  task<response> handle(const route_match& m, request& req, context& ctx) const;
  // match + handle.
  task<response> dispatch(request& req, context& ctx) const;

 private:
  std::unique_ptr<detail::router_impl> impl_;
};

}  // namespace containerflare
