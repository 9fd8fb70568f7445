#pragma once
// The wire messages of the command channel (PROTOCOL.md §2): one compact JSON object per line.
//
//   request   {"id":7,"command":"kv.get","payload":{"key":"a"}}
//   response  {"id":7,"ok":true,"payload":...,"diagnostic":null}
//
// Requests are built with Boost.JSON; replies are parsed with simdjson and accepted exactly when
// the Rust crate's serde types accept them (extra fields, surrounding whitespace, the array form
// `[ok,payload,diagnostic]`), with `id` read as well. Payloads are limited to 127 nested levels
// counting the outer object, like serde_json. One deliberate difference: serde ignores `id`,
// but a reply whose `id` is not an unsigned integer (or null) is rejected here, since it cannot
// be matched to its call.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/value.hpp>

namespace containerflare {

struct command_request {
  std::optional<std::uint64_t> id;
  std::string command;
  boost::json::value payload;  // null when absent
};

struct command_response {
  std::optional<std::uint64_t> id;  // absent in replies from a Rust-era host
  bool ok = false;
  boost::json::value payload;             // null when absent
  std::optional<std::string> diagnostic;  // null when absent
};

// Append one line (compact JSON and '\n') to `out`.
void append_request_line(std::string& out, std::uint64_t id, std::string_view command,
                         const boost::json::value& payload);
void append_request_line(std::string& out, const command_request& request);
// {"id":N,"ok":..,"payload":..,"diagnostic":..}: every field, `id` only when set.
void append_response_line(std::string& out, const command_response& response);

// Parses messages; keep one per stream, it reuses its buffers.
class message_parser {
 public:
  static constexpr std::size_t max_depth = 127;

  message_parser();
  ~message_parser();
  message_parser(message_parser&&) noexcept;
  message_parser& operator=(message_parser&&) noexcept;

  // Parses `text`, one message with optional surrounding whitespace. `readable` is how many bytes
  // may be read from text.data(): when it leaves simdjson's padding after the text, the text is
  // parsed in place, otherwise it is copied first. On failure returns false and says why in
  // `problem`; `out.id` is still set when the id could be read, so the caller can fail that call.
  bool parse_response(std::string_view text, command_response& out, std::string& problem,
                      std::size_t readable = 0);
  bool parse_request(std::string_view text, command_request& out, std::string& problem,
                     std::size_t readable = 0);

  // Bytes of padding after the text that make in-place parsing possible.
  static std::size_t padding() noexcept;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace containerflare
