#include "http_response_parser.hpp"

namespace containerflare::detail {
namespace {

http_response_parser& self_of(llhttp_t* parser) {
  return *static_cast<http_response_parser*>(parser->data);
}

}  // namespace

http_response_parser::http_response_parser(std::size_t max_body, std::size_t max_head)
    : max_body_(max_body), max_head_(max_head) {
  llhttp_settings_init(&settings_);
  settings_.on_message_begin = &on_message_begin;
  settings_.on_status = &on_header_bytes;
  settings_.on_header_field = &on_header_bytes;
  settings_.on_header_value = &on_header_bytes;
  settings_.on_headers_complete = &on_headers_complete;
  settings_.on_body = &on_body;
  settings_.on_message_complete = &on_message_complete;
  reset();
}

void http_response_parser::reset() {
  llhttp_init(&parser_, HTTP_RESPONSE, &settings_);
  parser_.data = this;
  head_bytes_ = 0;
  status_ = 0;
  body_.clear();
  error_.clear();
  started_ = complete_ = keep_alive_ = trailing_bytes_ = body_too_large_ = false;
}

int http_response_parser::on_message_begin(llhttp_t* parser) {
  self_of(parser).started_ = true;
  return 0;
}

int http_response_parser::on_header_bytes(llhttp_t* parser, const char*, std::size_t length) {
  auto& self = self_of(parser);
  self.head_bytes_ += length;
  if (self.head_bytes_ > self.max_head_) {
    self.error_ = "response head larger than " + std::to_string(self.max_head_) + " bytes";
    return -1;
  }
  return 0;
}

int http_response_parser::on_headers_complete(llhttp_t* parser) {
  auto& self = self_of(parser);
  // A declared length over the limit fails before any of the body is read.
  if ((parser->flags & F_CONTENT_LENGTH) != 0 && parser->content_length > self.max_body_) {
    self.body_too_large_ = true;
    self.error_ = "reply body of " + std::to_string(parser->content_length) +
                  " bytes is longer than the limit of " + std::to_string(self.max_body_) +
                  " bytes (CF_CMD_MAX_REPLY_BYTES)";
    return -1;
  }
  return 0;
}

int http_response_parser::on_body(llhttp_t* parser, const char* at, std::size_t length) {
  auto& self = self_of(parser);
  if (self.body_.size() + length > self.max_body_) {
    self.body_too_large_ = true;
    self.error_ = "reply body longer than the limit of " + std::to_string(self.max_body_) +
                  " bytes (CF_CMD_MAX_REPLY_BYTES)";
    return -1;
  }
  self.body_.append(at, length);
  return 0;
}

int http_response_parser::on_message_complete(llhttp_t* parser) {
  auto& self = self_of(parser);
  self.complete_ = true;
  self.status_ = parser->status_code;
  self.keep_alive_ = llhttp_should_keep_alive(parser) != 0;
  return HPE_PAUSED;  // one response per request: anything after it is unexpected
}

http_response_parser::state http_response_parser::check(llhttp_errno_t result, const char* data,
                                                        std::size_t size) {
  if (result == HPE_OK) return complete_ ? state::complete : state::incomplete;
  if (result == HPE_PAUSED && complete_) {
    const char* stop = llhttp_get_error_pos(&parser_);
    trailing_bytes_ = data != nullptr && stop != nullptr && stop != data + size;
    return state::complete;
  }
  if (error_.empty()) {
    error_ = std::string("invalid HTTP response: ") + llhttp_errno_name(result) + " (" +
             llhttp_get_error_reason(&parser_) + ")";
  }
  return state::failed;
}

http_response_parser::state http_response_parser::feed(const char* data, std::size_t size) {
  if (complete_) {
    trailing_bytes_ = trailing_bytes_ || size > 0;
    return state::complete;
  }
  return check(llhttp_execute(&parser_, data, size), data, size);
}

http_response_parser::state http_response_parser::finish() {
  if (complete_) return state::complete;
  const auto result = check(llhttp_finish(&parser_), nullptr, 0);
  if (result == state::incomplete) {
    error_ = started_ ? "connection closed before the response was complete"
                      : "connection closed before any response";
    return state::failed;
  }
  keep_alive_ = false;
  return result;
}

}  // namespace containerflare::detail
