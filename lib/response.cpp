#include "containerflare/response.hpp"

#include <boost/json/object.hpp>

namespace containerflare {

response::response(containerflare::status s, std::string body, std::string_view content_type)
    : status_(s) {
  set_body(std::move(body), content_type);
}

void response::set_body(std::string body, std::string_view content_type) {
  kind_ = body_kind::bytes;
  body_ = std::move(body);
  json_ = nullptr;
  producer_ = nullptr;
  if (!content_type.empty()) headers_.set("Content-Type", content_type);
}

void response::set_json(boost::json::value v, std::string_view content_type) {
  kind_ = body_kind::json;
  json_ = std::move(v);
  body_.clear();
  producer_ = nullptr;
  if (!content_type.empty()) headers_.set("Content-Type", content_type);
}

void response::set_stream(body_producer producer, std::string_view content_type) {
  kind_ = body_kind::stream;
  producer_ = std::move(producer);
  body_.clear();
  json_ = nullptr;
  if (!content_type.empty()) headers_.set("Content-Type", content_type);
}

response text(std::string body, status s) {
  return response(s, std::move(body), "text/plain; charset=utf-8");
}

response html(std::string body, status s) {
  return response(s, std::move(body), "text/html; charset=utf-8");
}

response json(boost::json::value v, status s) {
  response r(s);
  r.set_json(std::move(v));
  return r;
}

response bytes(std::string body, std::string_view content_type, status s) {
  return response(s, std::move(body), content_type);
}

response empty(status s) {
  return response(s);
}

response stream(body_producer producer, std::string_view content_type) {
  response r(status::ok);
  r.set_stream(std::move(producer), content_type);
  return r;
}

response json_error(status s, std::string_view message) {
  return json(boost::json::object{{"error", message}}, s);
}

}  // namespace containerflare
