#include "routing/route_trie.hpp"

#include <algorithm>
#include <cstdint>
#include <stdexcept>

namespace containerflare::routing {

namespace {

constexpr std::array<std::string_view, fixed_method_slots> fixed_method_names = {
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"};

constexpr std::size_t slot_index(method_slot slot) noexcept {
  return static_cast<std::size_t>(slot);
}

}  // namespace

method_slot classify_method(std::string_view method) noexcept {
  switch (method.size()) {
    case 3:
      if (method == "GET") return method_slot::get;
      if (method == "PUT") return method_slot::put;
      break;
    case 4:
      if (method == "HEAD") return method_slot::head;
      if (method == "POST") return method_slot::post;
      break;
    case 5:
      if (method == "PATCH") return method_slot::patch;
      break;
    case 6:
      if (method == "DELETE") return method_slot::del;
      break;
    case 7:
      if (method == "OPTIONS") return method_slot::options;
      break;
    default:
      break;
  }
  return method_slot::other;
}

// --- endpoint ---

const detail::route_entry* endpoint::serve(method_slot slot,
                                           std::string_view method) const noexcept {
  if (slot != method_slot::other) {
    if (const auto* own = fixed_[slot_index(slot)]) return own;
    if (slot == method_slot::head) {
      if (const auto* get = fixed_[slot_index(method_slot::get)]) return get;
    }
  } else {
    for (const auto& [name, entry] : others_) {
      if (name == method) return entry;
    }
  }
  return any_;
}

bool endpoint::has(std::string_view method) const noexcept {
  if (method.empty()) return any_ != nullptr;
  const auto slot = classify_method(method);
  if (slot != method_slot::other) return fixed_[slot_index(slot)] != nullptr;
  return std::any_of(others_.begin(), others_.end(),
                     [&](const auto& other) { return other.first == method; });
}

std::string endpoint::allow_list_with(std::string_view added_method) const {
  std::vector<std::string_view> names;
  for (std::size_t i = 0; i < fixed_method_slots; ++i) {
    if (fixed_[i] != nullptr) names.push_back(fixed_method_names[i]);
  }
  for (const auto& other : others_) names.push_back(other.first);
  if (!added_method.empty()) names.push_back(added_method);
  const auto has_name = [&](std::string_view name) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  if (has_name("GET") && !has_name("HEAD")) names.push_back("HEAD");
  std::sort(names.begin(), names.end());
  std::string allow;
  for (const auto name : names) {
    if (!allow.empty()) allow += ", ";
    allow += name;
  }
  return allow;
}

void endpoint::add(std::string_view method, const detail::route_entry& entry) {
  // Build everything that may throw first, so a failure leaves the endpoint unchanged.
  auto allow = allow_list_with(method);
  const auto slot = method.empty() ? method_slot::other : classify_method(method);
  if (method.empty()) {
    any_ = &entry;
  } else if (slot != method_slot::other) {
    fixed_[slot_index(slot)] = &entry;
  } else {
    others_.emplace_back(std::string(method), &entry);
  }
  allow_ = std::move(allow);
  chain_ = chain_ == nullptr ? entry.chain : detail::common_chain(chain_, entry.chain);
}

// --- trie ---

namespace {

// A literal segment reduced to one integer, its length and first byte: a lookup binary-searches
// these and compares the bytes of the one or few children with an equal key.
using literal_key = std::uint64_t;

literal_key key_of(std::string_view text) noexcept {
  const auto first = text.empty() ? 0U : static_cast<unsigned char>(text.front());
  return (literal_key{text.size()} << 8) | first;
}

}  // namespace

struct route_trie::node {
  // Literal children, sorted by key; children with the same key sit side by side. The keys have
  // their own array so that a lookup searches contiguous integers.
  std::vector<literal_key> literal_keys;
  std::vector<std::pair<std::string, std::unique_ptr<node>>> literals;  // same order as the keys
  std::unique_ptr<node> param;
  std::unique_ptr<endpoint> wildcard;  // a wildcard ends its pattern: it leads to routes at once
  std::unique_ptr<endpoint> routes;    // routes of patterns ending at this node
  const detail::middleware_chain* not_found_chain = nullptr;

  // The index of the child for `text`, or literals.size(); `insert_at` gets where it would go.
  std::size_t literal_index(std::string_view text,
                            std::size_t* insert_at = nullptr) const noexcept {
    const auto key = key_of(text);
    auto i = static_cast<std::size_t>(
        std::lower_bound(literal_keys.begin(), literal_keys.end(), key) - literal_keys.begin());
    for (; i < literal_keys.size() && literal_keys[i] == key; ++i) {
      if (literals[i].first == text) return i;
    }
    if (insert_at != nullptr) *insert_at = i;
    return literals.size();
  }

  const node* literal(std::string_view text) const noexcept {
    const auto i = literal_index(text);
    return i < literals.size() ? literals[i].second.get() : nullptr;
  }

  node& make_literal(std::string_view text) {
    std::size_t insert_at = 0;
    const auto i = literal_index(text, &insert_at);
    if (i < literals.size()) return *literals[i].second;
    const auto offset = static_cast<std::ptrdiff_t>(insert_at);
    literal_keys.reserve(literal_keys.size() + 1);  // so that the second insert cannot throw
    auto& child =
        literals.emplace(literals.begin() + offset, std::string(text), std::make_unique<node>())
            ->second;
    literal_keys.insert(literal_keys.begin() + offset, key_of(text));
    return *child;
  }
};

route_trie::route_trie() : root_(std::make_unique<node>()) {}
route_trie::~route_trie() = default;

const route_trie::node* route_trie::find_node(
    std::span<const pattern_segment> segments) const noexcept {
  const node* current = root_.get();
  for (const auto& segment : segments) {
    if (segment.kind == segment_kind::literal) {
      current = current->literal(segment.text);
    } else if (segment.kind == segment_kind::param) {
      current = current->param.get();
    } else {
      return nullptr;  // a wildcard leads to an endpoint, not a node
    }
    if (current == nullptr) return nullptr;
  }
  return current;
}

route_trie::node& route_trie::make_node(std::span<const pattern_segment> segments) {
  node* current = root_.get();
  for (const auto& segment : segments) {
    if (segment.kind == segment_kind::literal) {
      current = &current->make_literal(segment.text);
    } else {
      if (!current->param) current->param = std::make_unique<node>();
      current = current->param.get();
    }
  }
  return *current;
}

const endpoint* route_trie::find_endpoint(
    std::span<const pattern_segment> segments) const noexcept {
  const bool wildcard = !segments.empty() && segments.back().kind == segment_kind::wildcard;
  const node* parent = find_node(wildcard ? segments.first(segments.size() - 1) : segments);
  if (parent == nullptr) return nullptr;
  return wildcard ? parent->wildcard.get() : parent->routes.get();
}

endpoint& route_trie::make_endpoint(std::span<const pattern_segment> segments) {
  const bool wildcard = !segments.empty() && segments.back().kind == segment_kind::wildcard;
  node& parent = make_node(wildcard ? segments.first(segments.size() - 1) : segments);
  auto& slot = wildcard ? parent.wildcard : parent.routes;
  if (!slot) slot = std::make_unique<endpoint>();
  return *slot;
}

void route_trie::check_free(std::span<const pattern_segment> segments,
                            std::string_view method) const {
  const auto* existing = find_endpoint(segments);
  if (existing == nullptr || !existing->has(method)) return;
  std::string message = "duplicate route: ";
  message.append(method.empty() ? std::string_view("any method") : method)
      .append(" ")
      .append(format_pattern(segments))
      .append(" is already registered (parameter names do not make patterns differ)");
  throw std::invalid_argument(message);
}

void route_trie::insert(std::span<const pattern_segment> segments, std::string_view method,
                        const detail::route_entry& entry) {
  make_endpoint(segments).add(method, entry);
}

void route_trie::check_not_found_free(std::span<const pattern_segment> prefix) const {
  const auto* existing = find_node(prefix);
  if (existing == nullptr || existing->not_found_chain == nullptr) return;
  throw std::invalid_argument("two nested routers with a fallback share the prefix " +
                              format_pattern(prefix));
}

void route_trie::set_not_found_chain(std::span<const pattern_segment> prefix,
                                     const detail::middleware_chain& chain) {
  make_node(prefix).not_found_chain = &chain;
}

// One walk over a path. Every node sits at a fixed segment depth, so the walk visits each node
// at most once however much it backs up.
struct route_trie::search {
  method_slot slot;
  std::string_view method;
  path_captures& captures;
  trie_match result;
  std::size_t not_found_depth = 0;

  const detail::route_entry* serve(const endpoint* routes) noexcept {
    if (routes == nullptr) return nullptr;
    const auto* entry = routes->serve(slot, method);
    if (entry == nullptr && result.path_endpoint == nullptr) result.path_endpoint = routes;
    return entry;
  }

  void enter(const node& child, std::size_t depth) noexcept {
    if (child.not_found_chain != nullptr && depth > not_found_depth) {
      result.not_found_chain = child.not_found_chain;
      not_found_depth = depth;
    }
  }

  // `rest` is the path after the '/' that starts the next segment; `has_segment` is false once
  // the whole path is consumed ("/a" ends after "a", "/a/" has one more, empty, segment).
  const detail::route_entry* walk(const node& at, std::string_view rest, bool has_segment,
                                  std::size_t depth, std::size_t params) noexcept {
    if (!has_segment) return serve(at.routes.get());
    const auto slash = rest.find('/');
    const bool more = slash != std::string_view::npos;
    const auto segment = rest.substr(0, slash);
    const auto tail = more ? rest.substr(slash + 1) : std::string_view{};

    if (const auto* child = at.literal(segment)) {
      enter(*child, depth + 1);
      if (const auto* found = walk(*child, tail, more, depth + 1, params)) return found;
    }
    // Registration caps parameters per pattern, so a param node or wildcard exists at this
    // depth only when `params` < max_path_params.
    if (at.param && !segment.empty()) {
      enter(*at.param, depth + 1);
      captures[params] = segment;
      if (const auto* found = walk(*at.param, tail, more, depth + 1, params + 1)) return found;
    }
    if (at.wildcard) {
      captures[params] = rest;
      return serve(at.wildcard.get());
    }
    return nullptr;
  }
};

trie_match route_trie::find(std::string_view method, std::string_view path,
                            path_captures& captures) const noexcept {
  search walk{classify_method(method), method, captures, {}};
  walk.result.not_found_chain = root_->not_found_chain;
  if (path.empty() || path.front() != '/') return walk.result;
  walk.result.route = walk.walk(*root_, path.substr(1), true, 0, 0);
  return walk.result;
}

}  // namespace containerflare::routing
