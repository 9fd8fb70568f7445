#pragma once
// R2 object storage over the command channel (r2.get / r2.head / r2.put / r2.delete / r2.list).
// Bodies are bytes in a std::string; they travel base64-encoded (`body_base64`).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "containerflare/command/client.hpp"
#include "containerflare/task.hpp"

namespace containerflare {

struct r2_object {
  std::string key;
  std::uint64_t size = 0;
  std::string etag;
  boost::json::object http_metadata;  // contentType, cacheControl, ...
  boost::json::object custom_metadata;
  std::optional<std::string> body;  // r2.get only: the decoded bytes
};

struct r2_put_options {
  boost::json::object http_metadata;
  boost::json::object custom_metadata;
};

struct r2_list_options {
  std::string prefix;
  std::optional<std::uint32_t> limit;
  std::string cursor;
};

struct r2_list_result {
  std::vector<r2_object> objects;
  bool truncated = false;
  std::optional<std::string> cursor;
};

class r2 {
 public:
  explicit r2(command_client& client, std::string binding = {});

  task<std::optional<r2_object>> get(std::string key);   // nullopt when missing
  task<std::optional<r2_object>> head(std::string key);  // metadata only
  task<r2_object> put(std::string key, std::string body, r2_put_options options = {});
  task<void> remove(std::string key);  // r2.delete
  task<r2_list_result> list(r2_list_options options = {});

 private:
  command_client* client_;
  std::string binding_;
};

}  // namespace containerflare
