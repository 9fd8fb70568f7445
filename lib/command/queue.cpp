#include "containerflare/command/queue.hpp"

#include "reply.hpp"

namespace containerflare {

queue::queue(command_client& client, std::string binding)
    : client_(&client), binding_(std::move(binding)) {}

task<void> queue::send(boost::json::value body) {
  auto payload = detail::request_payload(binding_);
  payload["body"] = std::move(body);
  co_await client_->invoke("queue.send", std::move(payload));
}

task<void> queue::send_batch(std::vector<boost::json::value> bodies) {
  auto payload = detail::request_payload(binding_);
  boost::json::array messages;
  for (auto& body : bodies) messages.push_back(boost::json::object{{"body", std::move(body)}});
  payload["messages"] = std::move(messages);
  co_await client_->invoke("queue.send_batch", std::move(payload));
}

}  // namespace containerflare
