#pragma once
// Queues over the command channel (queue.send / queue.send_batch). Message bodies are JSON.

#include <string>
#include <vector>

#include <boost/json/value.hpp>

#include "containerflare/command/client.hpp"
#include "containerflare/task.hpp"

namespace containerflare {

class queue {
 public:
  explicit queue(command_client& client, std::string binding = {});

  task<void> send(boost::json::value body);
  task<void> send_batch(std::vector<boost::json::value> bodies);

 private:
  command_client* client_;
  std::string binding_;
};

}  // namespace containerflare
