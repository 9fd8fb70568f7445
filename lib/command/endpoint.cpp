#include "containerflare/command/endpoint.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "text.hpp"

namespace containerflare {
namespace {

constexpr std::string_view variable = "CF_CMD_ENDPOINT";
constexpr std::string_view expected_forms =
    "expected stdio, disabled, unavailable, tcp://host:port, unix:///path or "
    "http://host[:port][/path]";

std::optional<command_endpoint> fail(std::string* problem, std::string text) {
  if (problem != nullptr) *problem = std::move(text);
  return std::nullopt;
}

std::optional<command_endpoint> parse_tcp(std::string_view rest, std::string* problem) {
  std::string why;
  auto hp = detail::parse_host_port(rest, why);
  if (!hp) return fail(problem, "tcp: " + why);
  if (!hp->port) return fail(problem, "tcp: a port is required (tcp://host:port)");
  command_endpoint ep;
  ep.kind = endpoint_kind::tcp;
  ep.host = std::move(hp->host);
  ep.port = *hp->port;
  return ep;
}

std::optional<command_endpoint> parse_unix(std::string_view rest, std::string* problem) {
  if (rest.empty() || rest.front() != '/') {
    return fail(problem, "unix: the socket path must be absolute (unix:///path)");
  }
  if (rest.size() >= sizeof(sockaddr_un{}.sun_path)) {
    return fail(problem, "unix: the socket path is longer than " +
                             std::to_string(sizeof(sockaddr_un{}.sun_path) - 1) + " bytes");
  }
  if (rest.find('\0') != std::string_view::npos) return fail(problem, "unix: NUL in path");
  command_endpoint ep;
  ep.kind = endpoint_kind::unix_socket;
  ep.path = std::string(rest);
  return ep;
}

std::optional<command_endpoint> parse_http(std::string_view rest, std::string* problem) {
  const auto slash = rest.find_first_of("/?#");
  const auto authority = rest.substr(0, slash);
  std::string_view target =
      slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  if (authority.find('@') != std::string_view::npos) {
    return fail(problem, "http: credentials in the URL are not supported");
  }
  if (target.find('#') != std::string_view::npos) return fail(problem, "http: fragment in URL");
  for (char c : target) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
      return fail(problem, "http: space or control character in path");
    }
  }
  std::string why;
  auto hp = detail::parse_host_port(authority, why);
  if (!hp) return fail(problem, "http: " + why);
  command_endpoint ep;
  ep.kind = endpoint_kind::http;
  ep.host = std::move(hp->host);
  ep.port = hp->port.value_or(80);
  ep.path = target.empty()
                ? "/"
                : (target.front() == '?' ? std::string("/").append(target) : std::string(target));
  return ep;
}

}  // namespace

std::optional<command_endpoint> command_endpoint::try_parse(std::string_view text,
                                                            std::string* problem) {
  const auto value = detail::trim(text);
  if (value.empty()) return fail(problem, "empty value");
  command_endpoint ep;
  if (detail::iequals(value, "stdio")) {
    ep.kind = endpoint_kind::stdio;
    return ep;
  }
  if (detail::iequals(value, "disabled")) {
    ep.kind = endpoint_kind::disabled;
    ep.reason = "the command channel is disabled (CF_CMD_ENDPOINT=disabled)";
    return ep;
  }
  if (detail::iequals(value, "unavailable")) {
    ep.kind = endpoint_kind::unavailable;
    ep.reason = "the command channel is unavailable (CF_CMD_ENDPOINT=unavailable)";
    return ep;
  }
  const auto separator = value.find("://");
  if (separator == std::string_view::npos) return fail(problem, "unknown endpoint");
  const auto scheme = value.substr(0, separator);
  const auto rest = value.substr(separator + 3);
  if (detail::iequals(scheme, "tcp")) return parse_tcp(rest, problem);
  if (detail::iequals(scheme, "unix")) return parse_unix(rest, problem);
  if (detail::iequals(scheme, "http")) return parse_http(rest, problem);
  if (detail::iequals(scheme, "https")) {
    return fail(problem, "https is not supported (the Worker's outbound handler answers http://)");
  }
  return fail(problem, "unknown scheme \"" + std::string(scheme) + "\"");
}

command_endpoint command_endpoint::parse(std::string_view text) {
  std::string problem;
  auto ep = try_parse(text, &problem);
  if (!ep) {
    throw config_error(std::string(variable), "invalid value \"" + std::string(text) + "\": " +
                                                  problem + "; " + std::string(expected_forms));
  }
  return std::move(*ep);
}

command_endpoint command_endpoint::from_environment(const env_lookup& env, int stdin_fd) {
  if (auto value = env(variable); value && !detail::trim(*value).empty()) return parse(*value);
  command_endpoint ep;
  if (auto service = env("K_SERVICE"); service && !service->empty()) {
    ep.kind = endpoint_kind::disabled;
    ep.reason = "the command channel is disabled on Cloud Run (set CF_CMD_ENDPOINT to use one)";
    return ep;
  }
  if (is_pipe_or_socket(stdin_fd)) {
    ep.kind = endpoint_kind::stdio;
    return ep;
  }
  ep.kind = endpoint_kind::unavailable;
  ep.reason =
      "no command host: stdin is not a pipe or socket and CF_CMD_ENDPOINT is not set; set "
      "CF_CMD_ENDPOINT to stdio, tcp://host:port, unix:///path or http://host[:port][/path]";
  return ep;
}

std::string command_endpoint::to_string() const {
  switch (kind) {
    case endpoint_kind::stdio:
      return "stdio";
    case endpoint_kind::disabled:
      return "disabled";
    case endpoint_kind::unavailable:
      return "unavailable";
    case endpoint_kind::tcp:
      return "tcp://" + detail::url_host(host) + ":" + std::to_string(port);
    case endpoint_kind::unix_socket:
      return "unix://" + path;
    case endpoint_kind::http: {
      // Appends instead of operator+ chains: GCC 12 -O3 warns falsely (-Wrestrict) on those.
      std::string out = "http://" + detail::url_host(host);
      if (port != 80) out.append(":").append(std::to_string(port));
      return out.append(path);
    }
  }
  return "unavailable";
}

bool is_pipe_or_socket(int fd) noexcept {
  struct stat st {};
  if (::fstat(fd, &st) != 0) return false;
  return S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode);
}

}  // namespace containerflare
