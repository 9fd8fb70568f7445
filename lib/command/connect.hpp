#pragma once
// Opening TCP and Unix stream connections, for the stream and HTTP transports.

#include <cstdint>
#include <string>
#include <system_error>

#include <asio/ip/tcp.hpp>
#include <asio/local/stream_protocol.hpp>

#include "transport.hpp"

namespace containerflare::detail {

struct tcp_connect_result {
  std::error_code error;
  asio::ip::tcp::socket socket;
};

struct unix_connect_result {
  std::error_code error;
  asio::local::stream_protocol::socket socket;
};

// Resolves `host` (a name or IP literal) and connects to the first address that answers, with
// TCP_NODELAY set. error == timed_out when the deadline passes first.
task<tcp_connect_result> connect_tcp(std::string host, std::uint16_t port,
                                     clock::time_point deadline);
task<unix_connect_result> connect_unix(std::string path, clock::time_point deadline);

}  // namespace containerflare::detail
