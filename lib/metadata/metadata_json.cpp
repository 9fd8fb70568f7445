// The JSON form of request_metadata. One field list (write_metadata) drives two sinks: a text
// writer that serialises straight into the caller's buffer, and a Boost.JSON value_stack that
// builds a boost::json::value without re-checking keys one by one.
//
// Strings that need escaping go through Boost.JSON's serializer, whose escaping is serde_json's:
// short escapes for \b \f \n \r \t, lowercase \u00XX for other control characters, everything
// else (DEL, '/', U+2028, non-ASCII) raw.

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <utility>

#include <boost/json/serializer.hpp>
#include <boost/json/value_stack.hpp>

#include "containerflare/metadata.hpp"

namespace containerflare {

namespace {

// Compact JSON text appended to a std::string. Writes go through a cursor into the string's
// buffer, which grows geometrically, instead of one std::string call per token.
class text_sink {
 public:
  explicit text_sink(std::string& out) : out_(out), size_(out.size()) { out_.resize(size_ + 1536); }
  ~text_sink() { out_.resize(size_); }
  text_sink(const text_sink&) = delete;
  text_sink& operator=(const text_sink&) = delete;

  void begin_object() { open('{'); }
  void end_object() { close('}'); }
  void begin_array() { open('['); }
  void end_array() { close(']'); }

  // Keys are literals of this file that need no escaping.
  void key(std::string_view name) {
    char* p = room(name.size() + 4);
    if (need_comma_) *p++ = ',';
    *p++ = '"';
    p = copy(p, name);
    *p++ = '"';
    *p++ = ':';
    commit(p);
    need_comma_ = false;
    after_key_ = true;
  }

  void string(std::string_view text) {
    if (!needs_escaping(text)) {
      char* p = value_room(text.size() + 2);
      *p++ = '"';
      p = copy(p, text);
      *p++ = '"';
      commit(p);
      return;
    }
    commit(value_room(0));
    escaper_.reset(boost::json::string_view(text.data(), text.size()));
    while (!escaper_.done()) {
      char* p = room(text.size() + 64);
      const auto written = escaper_.read(p, out_.size() - size_);
      commit(p + written.size());
    }
  }
  void null() { literal("null"); }
  void boolean(bool b) { literal(b ? "true" : "false"); }
  void number(std::uint64_t n) {
    char* p = value_room(20);
    commit(std::to_chars(p, p + 20, n).ptr);
  }

 private:
  // True when the text holds a character JSON requires escaping: '"', '\\' or a control
  // character. Eight bytes per step (SWAR), since almost no header value needs escaping.
  static bool needs_escaping(std::string_view text) noexcept {
    constexpr std::uint64_t ones = 0x0101010101010101ULL;
    constexpr std::uint64_t highs = 0x8080808080808080ULL;
    // Non-zero when some byte of v is below n (n <= 128).
    const auto has_byte_below = [](std::uint64_t v, std::uint64_t n) {
      return (v - ones * n) & ~v & highs;
    };
    std::size_t i = 0;
    for (; i + 8 <= text.size(); i += 8) {
      std::uint64_t word;
      std::memcpy(&word, text.data() + i, 8);
      if (has_byte_below(word, 0x20) | has_byte_below(word ^ (ones * '"'), 1) |
          has_byte_below(word ^ (ones * '\\'), 1)) {
        return true;
      }
    }
    for (; i < text.size(); ++i) {
      const auto c = static_cast<unsigned char>(text[i]);
      if (c < 0x20 || c == '"' || c == '\\') return true;
    }
    return false;
  }
  static char* copy(char* p, std::string_view s) noexcept {
    std::memcpy(p, s.data(), s.size());
    return p + s.size();
  }

  // At least n writable bytes at the cursor.
  char* room(std::size_t n) {
    if (out_.size() - size_ < n) out_.resize(std::max(out_.size() * 2, size_ + n));
    return out_.data() + size_;
  }
  // Room for a value of at most n bytes, after the comma that separates it from the previous
  // array element.
  char* value_room(std::size_t n) {
    char* p = room(n + 1);
    if (need_comma_ && !after_key_) *p++ = ',';
    need_comma_ = true;
    after_key_ = false;
    return p;
  }
  void commit(char* end) noexcept { size_ = static_cast<std::size_t>(end - out_.data()); }
  void literal(std::string_view text) { commit(copy(value_room(text.size()), text)); }
  void open(char bracket) {
    char* p = value_room(1);
    *p++ = bracket;
    commit(p);
    need_comma_ = false;
  }
  void close(char bracket) {
    char* p = room(1);
    *p++ = bracket;
    commit(p);
    need_comma_ = true;
    after_key_ = false;
  }

  std::string& out_;
  std::size_t size_;  // bytes of out_ written so far; the rest is spare room
  bool need_comma_ = false;
  bool after_key_ = false;
  boost::json::serializer escaper_;
};

// A boost::json::value built through a value_stack.
class value_sink {
 public:
  explicit value_sink(boost::json::storage_ptr sp) { stack_.reset(std::move(sp)); }

  void begin_object() { open(); }
  void end_object() { stack_.push_object(close()); }
  void begin_array() { open(); }
  void end_array() { stack_.push_array(close()); }
  void key(std::string_view name) { stack_.push_key(name); }
  void string(std::string_view text) {
    stack_.push_string(text);
    ++counts_[depth_];
  }
  void null() {
    stack_.push_null();
    ++counts_[depth_];
  }
  void boolean(bool b) {
    stack_.push_bool(b);
    ++counts_[depth_];
  }
  void number(std::uint64_t n) {
    stack_.push_uint64(n);
    ++counts_[depth_];
  }

  boost::json::value release() { return stack_.release(); }

 private:
  void open() {
    ++depth_;
    counts_[depth_] = 0;
  }
  // The number of values of the container being closed, which is itself one value of its parent.
  std::size_t close() {
    const std::size_t count = counts_[depth_];
    --depth_;
    ++counts_[depth_];
    return count;
  }

  boost::json::value_stack stack_;
  std::array<std::size_t, 4> counts_{};  // values per open container; [0] is the root
  std::size_t depth_ = 0;
};

template <class Sink>
void write_field(Sink& s, std::string_view name, const std::optional<std::string>& value) {
  s.key(name);
  if (value) {
    s.string(*value);
  } else {
    s.null();
  }
}

// Extension fields are written only when present.
template <class Sink>
void write_present(Sink& s, std::string_view name, const std::optional<std::string>& value) {
  if (value) write_field(s, name, value);
}

template <class Sink>
void write_platform(Sink& s, const metadata_platform& platform) {
  s.begin_object();
  s.key("platform");
  if (const auto* cf = std::get_if<cloudflare_platform>(&platform)) {
    s.string("cloudflare");
    write_field(s, "worker_name", cf->worker_name);
  } else {
    const auto& run = std::get<cloud_run_platform>(platform);
    s.string("cloud_run");
    write_field(s, "service", run.service);
    write_field(s, "revision", run.revision);
    write_field(s, "configuration", run.configuration);
    write_field(s, "project_id", run.project_id);
    write_field(s, "region", run.region);
  }
  s.end_object();
}

template <class Sink>
void write_trace_context(Sink& s, const trace_context_info& trace) {
  s.begin_object();
  write_field(s, "trace_id", trace.trace_id);
  write_field(s, "span_id", trace.span_id);
  s.key("sampled");
  if (trace.sampled) {
    s.boolean(*trace.sampled);
  } else {
    s.null();
  }
  write_field(s, "project_id", trace.project_id);
  write_field(s, "raw", trace.raw);
  s.end_object();
}

template <class Sink>
void write_client_hints(Sink& s, const client_hints_info& hints) {
  s.begin_object();
  write_field(s, "ua", hints.ua);
  write_field(s, "ua_mobile", hints.ua_mobile);
  write_field(s, "ua_platform", hints.ua_platform);
  write_field(s, "ua_arch", hints.ua_arch);
  write_field(s, "ua_platform_version", hints.ua_platform_version);
  write_field(s, "ua_model", hints.ua_model);
  write_field(s, "ua_bitness", hints.ua_bitness);
  write_field(s, "ua_wow64", hints.ua_wow64);
  write_field(s, "ua_full_version_list", hints.ua_full_version_list);
  s.end_object();
}

template <class Sink, class T, class Write>
void write_nested(Sink& s, std::string_view name, const std::optional<T>& value, Write&& write) {
  s.key(name);
  if (value) {
    write(s, *value);
  } else {
    s.null();
  }
}

// serde_json's field order for the v0.2 fields, then the extension fields that are present.
template <class Sink>
void write_metadata(Sink& s, const request_metadata& m) {
  s.begin_object();
  write_field(s, "request_id", m.request_id);
  write_field(s, "colo", m.colo);
  write_field(s, "region", m.region);
  write_field(s, "country", m.country);
  write_field(s, "client_ip", m.client_ip);
  write_field(s, "host", m.host);
  write_field(s, "scheme", m.scheme);
  write_nested(s, "platform", m.platform, write_platform<Sink>);
  write_field(s, "worker_name", m.worker_name);
  write_field(s, "project_id", m.project_id);
  write_field(s, "cloud_run_service", m.cloud_run_service);
  write_field(s, "cloud_run_revision", m.cloud_run_revision);
  write_field(s, "cloud_run_configuration", m.cloud_run_configuration);
  write_field(s, "cloud_run_region", m.cloud_run_region);
  write_nested(s, "trace_context", m.trace_context, write_trace_context<Sink>);
  s.key("forwarded_for");
  s.begin_array();
  for (const auto& address : m.forwarded_for) s.string(address);
  s.end_array();
  write_field(s, "forwarded_proto", m.forwarded_proto);
  write_field(s, "forwarded", m.forwarded);
  write_field(s, "user_agent", m.user_agent);
  write_field(s, "accept", m.accept);
  write_field(s, "accept_language", m.accept_language);
  write_field(s, "accept_encoding", m.accept_encoding);
  write_field(s, "sec_gpc", m.sec_gpc);
  write_nested(s, "client_hints", m.client_hints, write_client_hints<Sink>);
  s.key("method");
  s.string(m.method);
  s.key("path");
  s.string(m.path);
  write_field(s, "raw_url", m.raw_url);

  write_present(s, "region_code", m.region_code);
  write_present(s, "city", m.city);
  write_present(s, "continent", m.continent);
  write_present(s, "timezone", m.timezone);
  if (m.asn) {
    s.key("asn");
    s.number(*m.asn);
  }
  write_present(s, "as_organization", m.as_organization);
  write_present(s, "latitude", m.latitude);
  write_present(s, "longitude", m.longitude);
  write_present(s, "postal_code", m.postal_code);
  write_present(s, "http_protocol", m.http_protocol);
  write_present(s, "tls_version", m.tls_version);
  s.end_object();
}

}  // namespace

request_metadata::request_metadata() = default;

void serialize_metadata(const request_metadata& metadata, std::string& out) {
  text_sink sink(out);
  write_metadata(sink, metadata);
}

std::string serialize_metadata(const request_metadata& metadata) {
  std::string out;
  serialize_metadata(metadata, out);
  return out;
}

boost::json::value to_json(const request_metadata& metadata, boost::json::storage_ptr sp) {
  value_sink sink(std::move(sp));
  write_metadata(sink, metadata);
  return sink.release();
}

}  // namespace containerflare
