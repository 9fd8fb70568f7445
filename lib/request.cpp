#include "containerflare/request.hpp"

namespace containerflare {

namespace {
int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Calls fn(name, value) for each '&'-separated pair of a raw query string.
template <class Fn>
void for_each_query_pair(std::string_view query, Fn&& fn) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    const auto name = pair.substr(0, eq);
    const auto value = eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1);
    if (!fn(name, value)) return;
  }
}
}  // namespace

std::string percent_decode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%' && i + 2 < in.size()) {
      const int hi = hex_value(in[i + 1]);
      const int lo = hex_value(in[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && c == '+' ? ' ' : c);
  }
  return out;
}

std::optional<std::string> request::query(std::string_view name) const {
  std::optional<std::string> found;
  for_each_query_pair(query_, [&](std::string_view n, std::string_view v) {
    if (percent_decode(n, true) != name) return true;
    found = percent_decode(v, true);
    return false;
  });
  return found;
}

std::vector<std::pair<std::string, std::string>> request::query_params() const {
  std::vector<std::pair<std::string, std::string>> out;
  for_each_query_pair(query_, [&](std::string_view n, std::string_view v) {
    out.emplace_back(percent_decode(n, true), percent_decode(v, true));
    return true;
  });
  return out;
}

std::string_view request::param(std::string_view name) const noexcept {
  return find_param(name).value_or(std::string_view{});
}

std::optional<std::string_view> request::find_param(std::string_view name) const noexcept {
  for (const auto& p : params_) {
    if (p.name == name) return p.value;
  }
  return std::nullopt;
}

void request::set_target(std::string_view t) noexcept {
  target_ = t;
  const auto q = t.find('?');
  if (q == std::string_view::npos) {
    path_ = t;
    query_ = {};
  } else {
    path_ = t.substr(0, q);
    query_ = t.substr(q + 1);
  }
  // Strip a fragment should a client send one.
  if (const auto h = query_.find('#'); h != std::string_view::npos) query_ = query_.substr(0, h);
  if (const auto h = path_.find('#'); h != std::string_view::npos) path_ = path_.substr(0, h);
}

void request::add_param(std::string_view name, std::string_view raw_value) {
  if (raw_value.find('%') == std::string_view::npos) {
    params_.push_back({name, raw_value});
  } else {
    params_.push_back({name, own(percent_decode(raw_value))});
  }
}

std::string_view request::own(std::string s) {
  return owned_.emplace_back(std::move(s));
}

void request::reset() noexcept {
  method_ = target_ = path_ = query_ = body_ = {};
  version_major_ = 1;
  version_minor_ = 1;
  headers_.clear();
  stream_ = nullptr;
  params_.clear();
  owned_.clear();
}

}  // namespace containerflare
