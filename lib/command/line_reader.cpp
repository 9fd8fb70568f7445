#include "line_reader.hpp"

#include <algorithm>
#include <cstring>

namespace containerflare::detail {

line_reader::line_reader(std::size_t max_line, std::size_t read_chunk, std::size_t padding)
    : max_line_(max_line), read_chunk_(read_chunk), padding_(padding) {}

asio::mutable_buffer line_reader::prepare() {
  if (begin_ == end_) begin_ = scan_ = end_ = 0;
  if (buffer_.size() < end_ + read_chunk_ + padding_ && begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    scan_ -= begin_;
    end_ -= begin_;
    begin_ = 0;
  }
  if (buffer_.size() < end_ + read_chunk_ + padding_) buffer_.resize(end_ + read_chunk_ + padding_);
  return asio::buffer(buffer_.data() + end_, read_chunk_);
}

void line_reader::commit(std::size_t bytes) {
  end_ += std::min(bytes, read_chunk_);
}

line_reader::event line_reader::next() {
  const char* data = buffer_.data();
  if (discarding_) {
    const void* newline = std::memchr(data + begin_, '\n', end_ - begin_);
    if (newline == nullptr) {
      begin_ = scan_ = end_;
      return {};
    }
    begin_ = scan_ = static_cast<std::size_t>(static_cast<const char*>(newline) - data) + 1;
    discarding_ = false;
  }
  const void* found = std::memchr(data + scan_, '\n', end_ - scan_);
  if (found != nullptr) {
    const auto newline = static_cast<std::size_t>(static_cast<const char*>(found) - data);
    const auto start = begin_;
    const auto length = newline - start;
    begin_ = scan_ = newline + 1;
    if (length > max_line_) {
      return {event::kind::oversize,
              std::string_view(data + start, std::min(length, oversize_prefix_bytes)),
              buffer_.size() - start};
    }
    return {event::kind::line, std::string_view(data + start, length), buffer_.size() - start};
  }
  scan_ = end_;
  if (end_ - begin_ > max_line_) {
    const auto start = begin_;
    discarding_ = true;
    begin_ = scan_ = end_;
    return {event::kind::oversize,
            std::string_view(data + start, std::min(end_ - start, oversize_prefix_bytes)),
            buffer_.size() - start};
  }
  return {};
}

}  // namespace containerflare::detail
