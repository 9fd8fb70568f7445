#include "connect.hpp"

#include <asio/connect.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/this_coro.hpp>

#include "deadline.hpp"

namespace containerflare::detail {
namespace {

constexpr auto non_throwing = asio::experimental::as_tuple(asio::use_awaitable);

task<std::error_code> resolve_and_connect(asio::ip::tcp::socket& socket, std::string host,
                                          std::uint16_t port) {
  asio::ip::tcp::resolver resolver(socket.get_executor());
  auto [resolve_error, endpoints] =
      co_await resolver.async_resolve(host, std::to_string(port), non_throwing);
  if (resolve_error) co_return resolve_error;
  auto [connect_error, endpoint] = co_await asio::async_connect(socket, endpoints, non_throwing);
  (void)endpoint;
  co_return connect_error;
}

task<std::error_code> connect_local(asio::local::stream_protocol::socket& socket,
                                    std::string path) {
  auto [error] =
      co_await socket.async_connect(asio::local::stream_protocol::endpoint(path), non_throwing);
  co_return error;
}

}  // namespace

task<tcp_connect_result> connect_tcp(std::string host, std::uint16_t port,
                                     clock::time_point deadline) {
  tcp_connect_result result{{}, asio::ip::tcp::socket(co_await asio::this_coro::executor)};
  // The socket outlives the operation: with_deadline waits for the cancelled branch to finish.
  auto error =
      co_await with_deadline(resolve_and_connect(result.socket, std::move(host), port), deadline);
  result.error = error ? *error : std::make_error_code(std::errc::timed_out);
  if (!result.error) {
    std::error_code ignored;
    result.socket.set_option(asio::ip::tcp::no_delay(true), ignored);
  } else {
    std::error_code ignored;
    result.socket.close(ignored);
  }
  co_return result;
}

task<unix_connect_result> connect_unix(std::string path, clock::time_point deadline) {
  unix_connect_result result{
      {}, asio::local::stream_protocol::socket(co_await asio::this_coro::executor)};
  auto error = co_await with_deadline(connect_local(result.socket, std::move(path)), deadline);
  result.error = error ? *error : std::make_error_code(std::errc::timed_out);
  if (result.error) {
    std::error_code ignored;
    result.socket.close(ignored);
  }
  co_return result;
}

}  // namespace containerflare::detail
