#pragma once
// Definitions of the types router.hpp only declares: what a matched route and a middleware chain
// hold at run time.

#include <string>
#include <string_view>
#include <vector>

#include "containerflare/router.hpp"

namespace containerflare::detail {

// The middleware of one router. A nested router's chain points at the chain of the router it was
// nested into, so its `all` list starts with the outer middleware.
struct middleware_chain {
  const middleware_chain* parent = nullptr;
  std::vector<middleware> own;         // this router's middleware, in `use` order
  std::vector<const middleware*> all;  // outermost first: the parent's `all`, then `own`
  handler fallback;                    // replaces the default 404 answer when set
};

struct route_entry {
  enum class kind : unsigned char { handler, method_not_allowed };
  kind what = kind::handler;
  handler fn;
  route_options options;
  const middleware_chain* chain = nullptr;
  // Names of the pattern's parameters in path order; the captured values line up with them.
  std::vector<std::string> param_names;
  std::string_view allow;  // the Allow value of a method_not_allowed answer
};

// Outermost chain whose middleware apply to both `a` and `b` (one is often the other).
const middleware_chain* common_chain(const middleware_chain* a, const middleware_chain* b) noexcept;

}  // namespace containerflare::detail
