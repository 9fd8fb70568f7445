#pragma once
// Outbound HTTP proxy for the http:// command transport, from `http_proxy` / `no_proxy` (the
// lowercase names win over HTTP_PROXY / NO_PROXY, as in curl).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "containerflare/env.hpp"

namespace containerflare {

struct http_proxy {
  std::string host;
  std::uint16_t port = 80;
  std::string authorization;  // "Basic ..." when the URL carries user:password, else empty

  // Accepts "http://[user:password@]host[:port][/]" or "host[:port]". nullopt (with the problem
  // in `*problem`) for anything else, e.g. an https:// proxy.
  static std::optional<http_proxy> try_parse(std::string_view text, std::string* problem = nullptr);

  friend bool operator==(const http_proxy&, const http_proxy&) = default;
};

struct proxy_settings {
  std::optional<http_proxy> proxy;  // nullopt: connect directly
  std::string no_proxy;             // comma-separated hosts/domains that bypass the proxy

  // Reads http_proxy / HTTP_PROXY and no_proxy / NO_PROXY. Throws config_error naming the
  // variable when the proxy URL is invalid.
  static proxy_settings from_environment(const env_lookup& env = process_env());

  // The proxy to use for `host:port`, or nullopt when none is set or no_proxy matches.
  std::optional<http_proxy> proxy_for(std::string_view host, std::uint16_t port) const;
};

// no_proxy matching: "*" matches everything; an entry matches the host itself and, for names,
// every subdomain (a leading dot is optional); "host:port" entries match that port only.
// Names compare case-insensitively; IPv6 entries may be bracketed.
bool no_proxy_matches(std::string_view no_proxy, std::string_view host, std::uint16_t port);

}  // namespace containerflare
