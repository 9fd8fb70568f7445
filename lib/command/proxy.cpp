#include "containerflare/command/proxy.hpp"

#include "containerflare/command/base64.hpp"
#include "text.hpp"

namespace containerflare {
namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// user:password in a URL is percent-encoded.
std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int hi = hex_value(text[i + 1]);
    const int lo = hex_value(text[i + 2]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<char>(hi * 16 + lo));
    i += 2;
  }
  return out;
}

std::optional<std::string> first_set(const env_lookup& env, std::string_view lower,
                                     std::string_view upper, std::string& name) {
  for (auto candidate : {lower, upper}) {
    if (auto value = env(candidate); value && !detail::trim(*value).empty()) {
      name = std::string(candidate);
      return value;
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<http_proxy> http_proxy::try_parse(std::string_view text, std::string* problem) {
  auto fail = [problem](std::string why) -> std::optional<http_proxy> {
    if (problem != nullptr) *problem = std::move(why);
    return std::nullopt;
  };
  auto rest = detail::trim(text);
  if (rest.empty()) return fail("empty value");
  if (const auto separator = rest.find("://"); separator != std::string_view::npos) {
    if (!detail::iequals(rest.substr(0, separator), "http")) {
      return fail("only http:// proxies are supported");
    }
    rest = rest.substr(separator + 3);
  }
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find('/') != std::string_view::npos) return fail("a proxy URL has no path");
  http_proxy out;
  if (const auto at = rest.rfind('@'); at != std::string_view::npos) {
    auto credentials = percent_decode(rest.substr(0, at));
    if (!credentials) return fail("invalid percent-encoding in the credentials");
    out.authorization = "Basic " + base64_encode(*credentials);
    rest = rest.substr(at + 1);
  }
  std::string why;
  auto hp = detail::parse_host_port(rest, why);
  if (!hp) return fail(why);
  out.host = std::move(hp->host);
  out.port = hp->port.value_or(80);
  return out;
}

proxy_settings proxy_settings::from_environment(const env_lookup& env) {
  proxy_settings settings;
  std::string name;
  if (auto value = first_set(env, "http_proxy", "HTTP_PROXY", name)) {
    std::string problem;
    settings.proxy = http_proxy::try_parse(*value, &problem);
    if (!settings.proxy) {
      throw config_error(name, "invalid proxy URL \"" + *value + "\": " + problem);
    }
  }
  if (auto value = first_set(env, "no_proxy", "NO_PROXY", name)) settings.no_proxy = *value;
  return settings;
}

std::optional<http_proxy> proxy_settings::proxy_for(std::string_view host,
                                                    std::uint16_t port) const {
  if (!proxy || no_proxy_matches(no_proxy, host, port)) return std::nullopt;
  return proxy;
}

bool no_proxy_matches(std::string_view no_proxy, std::string_view host, std::uint16_t port) {
  const auto wanted = detail::to_lower(host);
  while (!no_proxy.empty()) {
    const auto comma = no_proxy.find(',');
    auto entry = detail::trim(no_proxy.substr(0, comma));
    no_proxy = comma == std::string_view::npos ? std::string_view{} : no_proxy.substr(comma + 1);
    if (entry == "*") return true;
    if (entry.starts_with("*.")) entry.remove_prefix(1);
    if (entry.starts_with(".")) entry.remove_prefix(1);
    if (entry.empty()) continue;
    std::string entry_host;
    std::optional<std::uint16_t> entry_port;
    // A bare IPv6 literal has several colons and no port.
    if (entry.front() != '[' && entry.find(':') != entry.rfind(':')) {
      entry_host = detail::to_lower(entry);
    } else {
      std::string why;
      auto hp = detail::parse_host_port(entry, why);
      if (!hp) continue;
      entry_host = detail::to_lower(hp->host);
      entry_port = hp->port;
    }
    if (entry_port && *entry_port != port) continue;
    if (wanted == entry_host) return true;
    if (wanted.size() > entry_host.size() && wanted.ends_with(entry_host) &&
        wanted[wanted.size() - entry_host.size() - 1] == '.') {
      return true;
    }
  }
  return false;
}

}  // namespace containerflare
