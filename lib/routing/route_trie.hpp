#pragma once
// The segment trie that maps a path to the routes of a pattern. Matching walks the raw path one
// segment at a time, trying a literal child, then the parameter child, then a wildcard, and backs
// up to the next choice when a branch has no route for the method. It keeps views of the path
// and never allocates.

#include <array>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "routing/route_pattern.hpp"
#include "routing/router_detail.hpp"

namespace containerflare::routing {

// Methods with a fixed slot in every endpoint, so looking one up is an array index.
enum class method_slot : unsigned char { get, head, post, put, patch, del, options, other };
inline constexpr std::size_t fixed_method_slots = 7;

method_slot classify_method(std::string_view method) noexcept;

// The routes of one pattern, one per method.
class endpoint {
 public:
  // The route answering `method`: its own route, else GET's for HEAD, else the any-method route.
  const detail::route_entry* serve(method_slot slot, std::string_view method) const noexcept;

  // `method` empty means "any method".
  bool has(std::string_view method) const noexcept;
  // Requires !has(method).
  void add(std::string_view method, const detail::route_entry& entry);

  // "GET, HEAD, POST": sorted, HEAD listed when GET is.
  std::string_view allow() const noexcept { return allow_; }
  // The middleware that wrap this pattern's 405 answer: those shared by all its routes.
  const detail::middleware_chain* chain() const noexcept { return chain_; }

 private:
  std::string allow_list_with(std::string_view added_method) const;

  std::array<const detail::route_entry*, fixed_method_slots> fixed_{};
  std::vector<std::pair<std::string, const detail::route_entry*>> others_;
  const detail::route_entry* any_ = nullptr;
  const detail::middleware_chain* chain_ = nullptr;
  std::string allow_;
};

using path_captures = std::array<std::string_view, max_path_params>;

struct trie_match {
  const detail::route_entry* route = nullptr;  // the route answering the method, if any
  // When no route answers: the most specific pattern matching the path (for 405), if any.
  const endpoint* path_endpoint = nullptr;
  // The chain of the innermost nested router with a fallback whose prefix the path entered.
  const detail::middleware_chain* not_found_chain = nullptr;
};

class route_trie {
 public:
  route_trie();
  ~route_trie();
  route_trie(const route_trie&) = delete;
  route_trie& operator=(const route_trie&) = delete;

  // Throws std::invalid_argument when a route for `method` ("" = any) is already registered at a
  // pattern with the same shape (parameter names do not matter: "/a/{x}" is "/a/{y}").
  void check_free(std::span<const pattern_segment> segments, std::string_view method) const;
  // Requires check_free to have passed.
  void insert(std::span<const pattern_segment> segments, std::string_view method,
              const detail::route_entry& entry);

  // Makes `chain` (a nested router with a fallback) answer 404s for paths under `prefix`.
  // Throws std::invalid_argument when another nested fallback already covers that prefix.
  void check_not_found_free(std::span<const pattern_segment> prefix) const;
  void set_not_found_chain(std::span<const pattern_segment> prefix,
                           const detail::middleware_chain& chain);

  // Fills `captures` with the raw values of the route's parameters, in path order.
  trie_match find(std::string_view method, std::string_view path,
                  path_captures& captures) const noexcept;

 private:
  struct node;
  struct search;
  const node* find_node(std::span<const pattern_segment> segments) const noexcept;
  node& make_node(std::span<const pattern_segment> segments);
  const endpoint* find_endpoint(std::span<const pattern_segment> segments) const noexcept;
  endpoint& make_endpoint(std::span<const pattern_segment> segments);

  std::unique_ptr<node> root_;
};

}  // namespace containerflare::routing
