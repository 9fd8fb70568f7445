#include "http/request_parser.hpp"

namespace containerflare::detail {

namespace {
request_parser& self(llhttp_t* p) {
  return *static_cast<request_parser*>(p->data);
}

std::uint32_t offset_of(const char* base, const char* at) {
  return static_cast<std::uint32_t>(at - base);
}

// Grows `span` by a piece that continues it (pieces of one token are contiguous in the buffer).
void extend(text_span& span, const char* base, const char* at, std::size_t len) {
  if (span.length == 0) span.offset = offset_of(base, at);
  span.length += static_cast<std::uint32_t>(len);
}
}  // namespace

const llhttp_settings_t& request_parser::settings() noexcept {
  static const llhttp_settings_t s = [] {
    llhttp_settings_t st;
    llhttp_settings_init(&st);
    st.on_message_begin = &request_parser::on_message_begin;
    st.on_url = &request_parser::on_url;
    st.on_header_field = &request_parser::on_header_field;
    st.on_header_field_complete = &request_parser::on_header_field_complete;
    st.on_header_value = &request_parser::on_header_value;
    st.on_headers_complete = &request_parser::on_headers_complete;
    st.on_body = &request_parser::on_body;
    st.on_message_complete = &request_parser::on_message_complete;
    return st;
  }();
  return s;
}

request_parser::request_parser(std::size_t max_request_line_bytes)
    : max_request_line_bytes_(max_request_line_bytes) {
  llhttp_init(&parser_, HTTP_REQUEST, &settings());
  parser_.data = this;
  headers_.reserve(32);
}

void request_parser::begin_message() noexcept {
  if (llhttp_get_errno(&parser_) == HPE_PAUSED) llhttp_resume(&parser_);
  state_ = state::headers;
  field_complete_ = false;
  url_ = {};
  headers_.clear();
  body_pieces_.clear();
  declared_length_ = 0;
  body_bytes_seen_ = 0;
}

void request_parser::fail(status s, const char* reason) noexcept {
  state_ = state::failed;
  error_status_ = s;
  error_reason_ = reason;
}

std::size_t request_parser::feed(const char* message_base, const char* data,
                                 std::size_t size) noexcept {
  if (state_ == state::failed || state_ == state::complete) return 0;
  // A zero-length feed is meaningful after the header block: it lets llhttp finish a message
  // that has no body.
  if (size == 0 && state_ == state::headers) return 0;
  message_base_ = message_base;
  if (llhttp_get_errno(&parser_) == HPE_PAUSED) llhttp_resume(&parser_);
  auto err = llhttp_execute(&parser_, data, size);
  if (err == HPE_PAUSED_UPGRADE) {
    // We do not switch protocols (yet): RFC 9110 lets a server ignore Upgrade, so the bytes
    // after that message are parsed as the next HTTP request.
    const auto upgrade_at = llhttp_get_error_pos(&parser_);
    llhttp_resume_after_upgrade(&parser_);
    const auto used = static_cast<std::size_t>(upgrade_at - data);
    return used + feed(message_base, upgrade_at, size - used);
  }
  if (err == HPE_OK) return size;
  const auto consumed = static_cast<std::size_t>(llhttp_get_error_pos(&parser_) - data);
  if (err == HPE_PAUSED) return consumed;
  if (state_ != state::failed) {
    if (err == HPE_INVALID_VERSION) {
      fail(status::http_version_not_supported, llhttp_get_error_reason(&parser_));
    } else {
      fail(status::bad_request, llhttp_get_error_reason(&parser_));
    }
  }
  return consumed;
}

std::string_view request_parser::method() const noexcept {
  return llhttp_method_name(static_cast<llhttp_method_t>(parser_.method));
}

int request_parser::on_message_begin(llhttp_t* p) {
  auto& s = self(p);
  s.state_ = state::headers;
  return 0;
}

int request_parser::on_url(llhttp_t* p, const char* at, std::size_t len) {
  auto& s = self(p);
  extend(s.url_, s.message_base_, at, len);
  if (s.url_.length > s.max_request_line_bytes_) {
    s.fail(status::uri_too_long, "request target too long");
    return HPE_USER;
  }
  return 0;
}

int request_parser::on_header_field(llhttp_t* p, const char* at, std::size_t len) {
  auto& s = self(p);
  if (s.field_complete_ || s.headers_.empty()) {
    s.headers_.push_back({});
    s.field_complete_ = false;
  }
  extend(s.headers_.back().name, s.message_base_, at, len);
  return 0;
}

int request_parser::on_header_field_complete(llhttp_t* p) {
  // Values may be empty (no on_header_value call), so a finished name is what ends a field.
  self(p).field_complete_ = true;
  return 0;
}

int request_parser::on_header_value(llhttp_t* p, const char* at, std::size_t len) {
  auto& s = self(p);
  extend(s.headers_.back().value, s.message_base_, at, len);
  return 0;
}

int request_parser::on_headers_complete(llhttp_t* p) {
  auto& s = self(p);
  s.declared_length_ = (p->flags & F_CONTENT_LENGTH) ? p->content_length : 0;
  s.state_ = state::body;
  return HPE_PAUSED;
}

int request_parser::on_body(llhttp_t* p, const char* at, std::size_t len) {
  auto& s = self(p);
  // llhttp flushes an open body span at the end of every execute, even an empty one; an empty
  // piece would read as the end of the body.
  if (len == 0) return 0;
  s.body_pieces_.emplace_back(at, len);
  s.body_bytes_seen_ += len;
  return 0;
}

int request_parser::on_message_complete(llhttp_t* p) {
  auto& s = self(p);
  s.state_ = state::complete;
  return HPE_PAUSED;
}

}  // namespace containerflare::detail
