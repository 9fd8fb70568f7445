#pragma once
// Helpers shared by the metadata tests.

#include <fstream>
#include <initializer_list>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

#include "containerflare/metadata.hpp"
#include "containerflare/request.hpp"

namespace metadata_test {

inline std::string read_fixture(std::string_view name) {
  const std::string path =
      std::string(CONTAINERFLARE_RUST_SERDE_FIXTURES) + "/" + std::string(name);
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open fixture " + path);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A request with the given method, target and headers. The strings are copied into the request's
// own storage, so the arguments may be temporaries.
inline void build_request(
    containerflare::request& req, std::string_view method, std::string_view target,
    std::initializer_list<std::pair<std::string_view, std::string_view>> headers) {
  req.set_method(req.own(std::string(method)));
  req.set_target(req.own(std::string(target)));
  for (const auto& [name, value] : headers) {
    req.mutable_headers().add(req.own(std::string(name)), req.own(std::string(value)));
  }
}

// The compact serde serialisation of a default RequestMetadata with `replacement` spliced in for
// the field `key` (given as `"key":value`), for asserting a whole document in one comparison.
inline std::string default_json_with(std::string_view key_and_value) {
  std::string json = read_fixture("metadata-default.json");
  const auto colon = key_and_value.find("\":");
  const std::string key_prefix = std::string(key_and_value.substr(0, colon + 2));
  const auto start = json.find(key_prefix);
  if (start == std::string::npos) throw std::runtime_error("no such field: " + key_prefix);
  // The default document holds only null, [], "GET" and "/" as values: none contains a comma.
  const auto end = json.find_first_of(",}", start + key_prefix.size());
  json.replace(start, end - start, key_and_value);
  return json;
}

}  // namespace metadata_test
