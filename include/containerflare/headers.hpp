#pragma once
// Header collections. Request headers are views into the connection's read buffer (no copies on
// the hot path); response headers own their strings.

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace containerflare {

// ASCII case-insensitive comparison, as HTTP field names require.
bool iequals(std::string_view a, std::string_view b) noexcept;

struct header_field {
  std::string_view name;
  std::string_view value;
};

// Read-only view of a request's header fields, in arrival order, duplicates kept.
class header_list {
 public:
  using const_iterator = std::vector<header_field>::const_iterator;

  // First value of `name` (case-insensitive), if present.
  std::optional<std::string_view> get(std::string_view name) const noexcept;
  bool contains(std::string_view name) const noexcept { return get(name).has_value(); }

  const_iterator begin() const noexcept { return fields_.begin(); }
  const_iterator end() const noexcept { return fields_.end(); }
  std::size_t size() const noexcept { return fields_.size(); }
  bool empty() const noexcept { return fields_.empty(); }

  // Building (the engine, tests). The views must outlive the list's use.
  void add(std::string_view name, std::string_view value) { fields_.push_back({name, value}); }
  void clear() noexcept { fields_.clear(); }

 private:
  std::vector<header_field> fields_;
};

// Owned header fields of a response.
class response_headers {
 public:
  using field = std::pair<std::string, std::string>;
  using const_iterator = std::vector<field>::const_iterator;

  // Replaces every field named `name` with one field.
  void set(std::string_view name, std::string_view value);
  // Appends a field (e.g. a second Set-Cookie).
  void add(std::string_view name, std::string_view value);
  void remove(std::string_view name);
  std::optional<std::string_view> get(std::string_view name) const noexcept;
  bool contains(std::string_view name) const noexcept { return get(name).has_value(); }

  const_iterator begin() const noexcept { return fields_.begin(); }
  const_iterator end() const noexcept { return fields_.end(); }
  std::size_t size() const noexcept { return fields_.size(); }
  bool empty() const noexcept { return fields_.empty(); }
  void clear() noexcept { fields_.clear(); }

 private:
  std::vector<field> fields_;
};

}  // namespace containerflare
