#include "containerflare/headers.hpp"

#include <algorithm>

namespace containerflare {

namespace {
constexpr char lower(char c) noexcept {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}
}  // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

std::optional<std::string_view> header_list::get(std::string_view name) const noexcept {
  for (const auto& f : fields_) {
    if (iequals(f.name, name)) return f.value;
  }
  return std::nullopt;
}

void response_headers::set(std::string_view name, std::string_view value) {
  remove(name);
  fields_.emplace_back(std::string(name), std::string(value));
}

void response_headers::add(std::string_view name, std::string_view value) {
  fields_.emplace_back(std::string(name), std::string(value));
}

void response_headers::remove(std::string_view name) {
  std::erase_if(fields_, [&](const field& f) { return iequals(f.first, name); });
}

std::optional<std::string_view> response_headers::get(std::string_view name) const noexcept {
  for (const auto& f : fields_) {
    if (iequals(f.first, name)) return std::string_view(f.second);
  }
  return std::nullopt;
}

}  // namespace containerflare
