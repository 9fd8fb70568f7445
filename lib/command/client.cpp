#include "containerflare/command/client.hpp"

#include <asio/co_spawn.hpp>
#include <asio/execution/context.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>

#include "transport.hpp"

namespace containerflare {
namespace {

bool same_context(const asio::any_io_executor& a, const asio::any_io_executor& b) {
  return &asio::query(a, asio::execution::context) == &asio::query(b, asio::execution::context);
}

}  // namespace

command_client::command_client(asio::any_io_executor owner, command_options options)
    : owner_(std::move(owner)),
      options_(std::move(options)),
      transport_(detail::make_transport(owner_, options_)) {}

command_client::command_client(asio::io_context& owner, command_options options)
    : command_client(owner.get_executor(), std::move(options)) {}

command_client::~command_client() {
  transport_->close();
}

void command_client::close() {
  transport_->close();
}

task<command_result> command_client::try_invoke(std::string command, boost::json::value payload,
                                                invoke_options options) {
  auto transport = transport_;
  const auto timeout = options.timeout.value_or(options_.timeout);
  const auto caller = co_await asio::this_coro::executor;
  if (same_context(caller, owner_)) {
    co_return co_await transport->call(std::move(command), std::move(payload), timeout);
  }
  // Another event loop: run the call on the owner, and resume on the caller's executor (the
  // completion of co_spawn is delivered through the awaiting coroutine's executor).
  co_return co_await asio::co_spawn(
      owner_, transport->call(std::move(command), std::move(payload), timeout),
      asio::use_awaitable);
}

task<boost::json::value> command_client::invoke(std::string command, boost::json::value payload,
                                                invoke_options options) {
  auto result = co_await try_invoke(std::move(command), std::move(payload), options);
  co_return std::move(result).value();
}

}  // namespace containerflare
