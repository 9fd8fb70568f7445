#pragma once
// Small text helpers shared by the endpoint, proxy and option parsers.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace containerflare::detail {

std::string_view trim(std::string_view text) noexcept;
bool iequals(std::string_view a, std::string_view b) noexcept;
std::string to_lower(std::string_view text);
// Digits only, no sign, no spaces; nullopt on overflow or anything else.
std::optional<std::uint64_t> parse_unsigned(std::string_view text) noexcept;

struct host_port {
  std::string host;  // IPv6 without brackets
  std::optional<std::uint16_t> port;
};
// "name", "name:port", "1.2.3.4:port", "[v6]", "[v6]:port". nullopt (with `problem`) for an empty
// or malformed host, characters that cannot be in a host name, or a port outside 1..65535.
std::optional<host_port> parse_host_port(std::string_view authority, std::string& problem);
// Host as it appears in a URL: IPv6 literals get brackets back.
std::string url_host(std::string_view host);

}  // namespace containerflare::detail
