#include "http/response_serializer.hpp"

#include <array>
#include <charconv>

#include "containerflare/headers.hpp"
#include "http/date_cache.hpp"

namespace containerflare::detail {

namespace {

void append_number(std::string& out, std::size_t n) {
  std::array<char, 24> buf{};
  const auto r = std::to_chars(buf.data(), buf.data() + buf.size(), n);
  out.append(buf.data(), r.ptr);
}

void append_header(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.append(": ");
  out.append(value);
  out.append("\r\n");
}

// Framing headers are ours to write; a handler's copies would contradict the body we send.
bool is_framing_header(std::string_view name) {
  return iequals(name, "Content-Length") || iequals(name, "Transfer-Encoding") ||
         iequals(name, "Connection");
}

}  // namespace

void append_status_line(status s, std::string& out) {
  out.append("HTTP/1.1 ");
  append_number(out, static_cast<std::size_t>(s));
  out.push_back(' ');
  out.append(reason_phrase(s));
  out.append("\r\n");
}

std::string_view response_serializer::serialize_json(const boost::json::value& v) {
  json_scratch_.clear();
  json_serializer_.reset(&v);
  char buf[4096];
  while (!json_serializer_.done()) json_scratch_.append(json_serializer_.read(buf, sizeof buf));
  return json_scratch_;
}

std::string_view response_serializer::append(const response& res, const framing& f,
                                             std::string_view server_header, std::string& out) {
  chunked_ = false;
  const status s = res.status();
  append_status_line(s, out);

  bool has_server = false;
  bool has_date = false;
  for (const auto& [name, value] : res.headers()) {
    if (is_framing_header(name)) continue;
    has_server = has_server || iequals(name, "Server");
    has_date = has_date || iequals(name, "Date");
    append_header(out, name, value);
  }
  if (!has_server && !server_header.empty()) append_header(out, "Server", server_header);
  if (!has_date) append_header(out, "Date", http_date_now());

  std::string_view body;
  bool streamed = false;
  switch (res.kind()) {
    case response::body_kind::none:
      break;
    case response::body_kind::bytes:
      body = res.body();
      break;
    case response::body_kind::json:
      body = serialize_json(res.json_body());
      break;
    case response::body_kind::stream:
      streamed = true;
      break;
  }

  bool keep_alive = f.keep_alive;
  if (!status_allows_body(s)) {
    body = {};
    streamed = false;
  } else if (streamed) {
    if (f.http10) {
      keep_alive = false;  // the end of an HTTP/1.0 stream is the end of the connection
    } else {
      chunked_ = true;
      append_header(out, "Transfer-Encoding", "chunked");
    }
  } else {
    out.append("Content-Length: ");
    append_number(out, body.size());
    out.append("\r\n");
  }
  if (!keep_alive) {
    out.append("Connection: close\r\n");
  } else if (f.announce_keep_alive) {
    out.append("Connection: keep-alive\r\n");
  }
  out.append("\r\n");

  if (f.head_request || streamed) return {};
  if (body.size() > copy_limit && body.data() != json_scratch_.data()) return body;
  out.append(body);
  return {};
}

}  // namespace containerflare::detail
