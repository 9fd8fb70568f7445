#pragma once
// Splits a byte stream into newline-terminated lines, with a limit on line length. A line over
// the limit is reported once (with its first bytes, so the caller can find its id) and skipped up
// to the next newline, so the stream resynchronises. The buffer keeps simdjson's padding after
// its data, so lines can be parsed in place.

#include <cstddef>
#include <string_view>
#include <vector>

#include <asio/buffer.hpp>

namespace containerflare::detail {

class line_reader {
 public:
  struct event {
    enum class kind { none, line, oversize };
    kind what = kind::none;
    std::string_view text;     // the line without '\n'; for oversize, its first bytes
    std::size_t readable = 0;  // bytes readable from text.data() (for in-place parsing)
  };

  static constexpr std::size_t oversize_prefix_bytes = 256;

  explicit line_reader(std::size_t max_line, std::size_t read_chunk = 64 * 1024,
                       std::size_t padding = 64);

  // Space for the next read; invalidates the text of earlier events.
  asio::mutable_buffer prepare();
  void commit(std::size_t bytes);
  // The next complete line or oversize report; kind::none when more bytes are needed.
  event next();

  std::size_t buffered() const noexcept { return end_ - begin_; }

 private:
  std::vector<char> buffer_;
  std::size_t begin_ = 0;  // first unconsumed byte
  std::size_t scan_ = 0;   // bytes before this hold no '\n' of the current line
  std::size_t end_ = 0;    // end of data
  std::size_t max_line_;
  std::size_t read_chunk_;
  std::size_t padding_;
  bool discarding_ = false;  // inside an oversize line, dropping bytes up to the next '\n'
};

}  // namespace containerflare::detail
