#pragma once
// The command channel client.
//
//   auto reply = co_await client.invoke("kv.get", {{"key", "visits"}});   // throws command_error
//   auto result = co_await client.try_invoke("kv.get", {{"key", "visits"}});  // never throws
//
// Many invokes may be in flight at once on one connection; replies are matched by id (or, from
// a host that sends none, in order). The client lives on one io_context, its owner, which must
// be run by a single thread. A coroutine on another io_context may await invoke() too: the call
// hops to the owner and the coroutine resumes on its own executor. The owner keeps work counted
// on the caller's context until its side of the call has ended, so let a caller's run() return
// by itself (or stop the owner first) before destroying the caller's io_context.
//
// Nothing connects until the first invoke, so creating a client never blocks or fails startup.
// Destroy (or close()) the client on the owner's thread, or after the owner has stopped. The
// stream transports ignore SIGPIPE (unless the application set a handler): a vanished host is
// a write error, not a dead process.
//
// g++ 12 rejects a braced JSON payload inside the co_await expression itself ("array used as
// initializer"); start the call first, then await it:
//
//   auto call = client.invoke("kv.get", {{"key", "visits"}});
//   auto reply = co_await std::move(call);
//
// The payload is moved into the call when it is created, so nothing dangles.

#include <memory>
#include <string>

#include <asio/any_io_executor.hpp>
#include <asio/io_context.hpp>
#include <boost/json/value.hpp>

#include "containerflare/command/endpoint.hpp"
#include "containerflare/command/error.hpp"
#include "containerflare/command/options.hpp"
#include "containerflare/command/result.hpp"
#include "containerflare/task.hpp"

namespace containerflare {

namespace detail {
class command_transport;
}

class command_client {
 public:
  command_client(asio::any_io_executor owner, command_options options);
  command_client(asio::io_context& owner, command_options options);
  ~command_client();
  command_client(const command_client&) = delete;
  command_client& operator=(const command_client&) = delete;

  // The successful reply's payload; throws command_error for any failure.
  task<boost::json::value> invoke(std::string command, boost::json::value payload = nullptr,
                                  invoke_options options = {});
  // Never throws for a command failure: the error is in the result.
  task<command_result> try_invoke(std::string command, boost::json::value payload = nullptr,
                                  invoke_options options = {});

  // Fails every outstanding call with transport_closed and refuses further ones. Owner thread.
  void close();

  const command_endpoint& endpoint() const noexcept { return options_.endpoint; }
  const command_options& options() const noexcept { return options_; }
  // False for disabled/unavailable endpoints (every invoke fails with `unavailable`).
  bool available() const noexcept { return options_.endpoint.available(); }
  asio::any_io_executor executor() const noexcept { return owner_; }

 private:
  asio::any_io_executor owner_;
  command_options options_;
  std::shared_ptr<detail::command_transport> transport_;
};

}  // namespace containerflare
