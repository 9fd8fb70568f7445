// The router: registration (patterns into the trie, middleware into chains, nesting) and the
// run-time path from a match to a response.
//
// Answers the router builds itself: 404 is `{"error":"not found"}` (application/json) unless a
// fallback replaces it; 405 is `{"error":"method not allowed"}` with an `Allow` header. Both run
// inside the middleware of the router that owns the path.

#include "containerflare/router.hpp"

#include <algorithm>
#include <stdexcept>
#include <utility>

#include "routing/route_pattern.hpp"
#include "routing/route_trie.hpp"
#include "routing/router_detail.hpp"

namespace containerflare {

namespace detail {

const middleware_chain* common_chain(const middleware_chain* a,
                                     const middleware_chain* b) noexcept {
  const auto depth = [](const middleware_chain* chain) {
    std::size_t levels = 0;
    for (; chain->parent != nullptr; chain = chain->parent) ++levels;
    return levels;
  };
  auto depth_a = depth(a);
  auto depth_b = depth(b);
  for (; depth_a > depth_b; --depth_a) a = a->parent;
  for (; depth_b > depth_a; --depth_b) b = b->parent;
  while (a != b) {
    a = a->parent;
    b = b->parent;
  }
  return a;
}

namespace {

// A route as registered, kept so that nest() can replay it into an outer router's trie.
struct registration {
  std::string method;  // empty: any method
  routing::segment_list segments;
  const route_entry* entry = nullptr;
};

// A nested router with a fallback, answering 404s under its prefix.
struct mount {
  routing::segment_list prefix;
  const middleware_chain* chain = nullptr;
};

task<response> default_not_found() {
  co_return json_error(status::not_found, "not found");
}

task<response> method_not_allowed_answer(std::string_view allow) {
  auto answer = json_error(status::method_not_allowed, "method not allowed");
  answer.header("Allow", allow);
  co_return answer;
}

// Not a coroutine: each step hands over the next coroutine directly, so a request without
// middleware costs just the handler's own frame.
task<response> run_chain(const middleware_chain* chain, std::size_t index, const route_entry* route,
                         request& req, context& ctx) {
  if (index < chain->all.size()) {
    return (*chain->all[index])(req, ctx, next_handler(chain, index + 1, route));
  }
  if (route == nullptr) return chain->fallback ? chain->fallback(req, ctx) : default_not_found();
  if (route->what == route_entry::kind::method_not_allowed) {
    return method_not_allowed_answer(route->allow);
  }
  return route->fn(req, ctx);
}

// The 405 answer has no route entry of its own; this frame holds one while the chain runs.
task<response> run_method_not_allowed(const middleware_chain* chain, std::string_view allow,
                                      request& req, context& ctx) {
  route_entry answer;
  answer.what = route_entry::kind::method_not_allowed;
  answer.allow = allow;
  co_return co_await run_chain(chain, 0, &answer, req, ctx);
}

bool is_token_char(char c) noexcept {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

routing::segment_list concatenate(const routing::segment_list& prefix,
                                  const routing::segment_list& rest) {
  routing::segment_list out;
  out.reserve(prefix.size() + rest.size());
  out.insert(out.end(), prefix.begin(), prefix.end());
  out.insert(out.end(), rest.begin(), rest.end());
  return out;
}

}  // namespace

struct router_impl {
  routing::route_trie trie;
  // [0] is this router's own chain; nested routers' chains follow, each after its parent.
  std::vector<std::unique_ptr<middleware_chain>> chains;
  std::vector<std::unique_ptr<route_entry>> entries;
  std::vector<registration> registrations;
  std::vector<mount> mounts;

  router_impl() { chains.push_back(std::make_unique<middleware_chain>()); }

  middleware_chain& own_chain() const noexcept { return *chains.front(); }

  void add_route(std::string_view method, std::string_view pattern, handler fn,
                 route_options options) {
    if (!fn) throw std::invalid_argument("empty handler for route " + std::string(pattern));
    registration added{std::string(method), routing::parse_pattern(pattern), nullptr};
    trie.check_free(added.segments, method);

    auto entry = std::make_unique<route_entry>();
    entry->fn = std::move(fn);
    entry->options = options;
    entry->chain = &own_chain();
    for (const auto& segment : added.segments) {
      if (segment.kind != routing::segment_kind::literal)
        entry->param_names.push_back(segment.text);
    }
    added.entry = entry.get();
    entries.reserve(entries.size() + 1);
    registrations.reserve(registrations.size() + 1);
    trie.insert(added.segments, method, *entry);
    registrations.push_back(std::move(added));
    entries.push_back(std::move(entry));
  }

  // Every check happens before the first change, so a rejected nest leaves both routers intact.
  void nest(const routing::segment_list& prefix, router_impl& sub) {
    std::vector<registration> planned;
    for (const auto& inner : sub.registrations) {
      auto segments = concatenate(prefix, inner.segments);
      routing::check_segments(segments, routing::format_pattern(segments));
      // Sub's "/" also answers the bare prefix: nest("/api", sub) serves "/api" and "/api/".
      if (!prefix.empty() && inner.segments == routing::segment_list{routing::pattern_segment{}}) {
        planned.push_back({inner.method, prefix, inner.entry});
      }
      planned.push_back({inner.method, std::move(segments), inner.entry});
    }
    for (const auto& outer : planned) trie.check_free(outer.segments, outer.method);

    std::vector<mount> planned_mounts;
    for (const auto& inner : sub.mounts) {
      planned_mounts.push_back({concatenate(prefix, inner.prefix), inner.chain});
    }
    // A router nested at sub's "/" with a fallback already answers sub's whole prefix.
    const bool sub_root_mounted = std::any_of(sub.mounts.begin(), sub.mounts.end(),
                                              [](const mount& m) { return m.prefix.empty(); });
    if (sub.own_chain().fallback && !sub_root_mounted) {
      planned_mounts.push_back({prefix, &sub.own_chain()});
    }
    for (const auto& outer : planned_mounts) trie.check_not_found_free(outer.prefix);

    std::vector<std::string> prefix_names;
    for (const auto& segment : prefix) {
      if (segment.kind != routing::segment_kind::literal) prefix_names.push_back(segment.text);
    }

    sub.own_chain().parent = &own_chain();
    for (auto& entry : sub.entries) {
      entry->param_names.insert(entry->param_names.begin(), prefix_names.begin(),
                                prefix_names.end());
    }
    for (const auto& outer : planned) trie.insert(outer.segments, outer.method, *outer.entry);
    for (const auto& outer : planned_mounts) trie.set_not_found_chain(outer.prefix, *outer.chain);
    std::move(sub.chains.begin(), sub.chains.end(), std::back_inserter(chains));
    std::move(sub.entries.begin(), sub.entries.end(), std::back_inserter(entries));
    std::move(planned.begin(), planned.end(), std::back_inserter(registrations));
    std::move(planned_mounts.begin(), planned_mounts.end(), std::back_inserter(mounts));
    sub.chains.clear();
    sub.entries.clear();
    relink_middleware();
  }

  // Rebuilds every chain's flattened list; parents come first in `chains`.
  void relink_middleware() {
    for (auto& chain : chains) {
      chain->all.clear();
      if (chain->parent != nullptr) chain->all = chain->parent->all;
      for (const auto& m : chain->own) chain->all.push_back(&m);
    }
  }
};

}  // namespace detail

task<response> next_handler::operator()(request& req, context& ctx) const {
  return detail::run_chain(chain_, index_, route_, req, ctx);
}

router::router() : impl_(std::make_unique<detail::router_impl>()) {}
router::~router() = default;
router::router(router&&) noexcept = default;
router& router::operator=(router&&) noexcept = default;

router& router::get(std::string_view pattern, handler h, route_options opts) {
  impl_->add_route("GET", pattern, std::move(h), opts);
  return *this;
}

router& router::post(std::string_view pattern, handler h, route_options opts) {
  impl_->add_route("POST", pattern, std::move(h), opts);
  return *this;
}

router& router::put(std::string_view pattern, handler h, route_options opts) {
  impl_->add_route("PUT", pattern, std::move(h), opts);
  return *this;
}

router& router::patch(std::string_view pattern, handler h, route_options opts) {
  impl_->add_route("PATCH", pattern, std::move(h), opts);
  return *this;
}

router& router::del(std::string_view pattern, handler h, route_options opts) {
  impl_->add_route("DELETE", pattern, std::move(h), opts);
  return *this;
}

router& router::options(std::string_view pattern, handler h, route_options opts) {
  impl_->add_route("OPTIONS", pattern, std::move(h), opts);
  return *this;
}

router& router::any(std::string_view pattern, handler h, route_options opts) {
  impl_->add_route({}, pattern, std::move(h), opts);
  return *this;
}

router& router::route(std::string_view method, std::string_view pattern, handler h,
                      route_options opts) {
  if (method.empty() || !std::all_of(method.begin(), method.end(), detail::is_token_char)) {
    throw std::invalid_argument("invalid HTTP method \"" + std::string(method) + "\"");
  }
  impl_->add_route(method, pattern, std::move(h), opts);
  return *this;
}

router& router::use(middleware m) {
  if (!m) throw std::invalid_argument("empty middleware");
  impl_->own_chain().own.push_back(std::move(m));
  impl_->relink_middleware();
  return *this;
}

router& router::nest(std::string_view prefix, router sub) {
  if (!sub.impl_) throw std::invalid_argument("cannot nest a moved-from router");
  impl_->nest(routing::parse_prefix(prefix), *sub.impl_);
  return *this;
}

router& router::fallback(handler h) {
  impl_->own_chain().fallback = std::move(h);
  return *this;
}

route_match router::match(std::string_view method, std::string_view path, request& req) const {
  req.clear_params();
  routing::path_captures captures;
  const auto found = impl_->trie.find(method, path, captures);
  route_match m;
  if (found.route != nullptr) {
    m.result = route_match::outcome::found;
    m.route = found.route;
    m.chain = found.route->chain;
    m.options = &found.route->options;
    const auto& names = found.route->param_names;
    for (std::size_t i = 0; i < names.size(); ++i) req.add_param(names[i], captures[i]);
  } else if (found.path_endpoint != nullptr) {
    m.result = route_match::outcome::method_not_allowed;
    m.chain = found.path_endpoint->chain();
    m.allow = found.path_endpoint->allow();
  } else {
    m.result = route_match::outcome::not_found;
    m.chain = found.not_found_chain != nullptr ? found.not_found_chain : &impl_->own_chain();
  }
  return m;
}

task<response> router::handle(const route_match& m, request& req, context& ctx) const {
  const auto* chain = m.chain != nullptr ? m.chain : &impl_->own_chain();
  if (m.result == route_match::outcome::method_not_allowed) {
    return detail::run_method_not_allowed(chain, m.allow, req, ctx);
  }
  const auto* route = m.result == route_match::outcome::found ? m.route : nullptr;
  return detail::run_chain(chain, 0, route, req, ctx);
}

task<response> router::dispatch(request& req, context& ctx) const {
  return handle(match(req.method(), req.path(), req), req, ctx);
}

}  // namespace containerflare
