// The metadata a handler sees: the trusted header or the plain-header fallback, then the platform
// defaults the Rust crate applies, then raw_url rebuilt from scheme + host + path.

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

#include "containerflare/log.hpp"
#include "containerflare/metadata.hpp"
#include "containerflare/platform.hpp"
#include "containerflare/request.hpp"
#include "metadata_detail.hpp"

namespace containerflare {

namespace {

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

std::optional<std::string> header_string(const request& req, std::string_view name) {
  if (auto value = req.header(name)) return std::string(*value);
  return std::nullopt;
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) noexcept {
  return text.size() >= prefix.size() && iequals(text.substr(0, prefix.size()), prefix);
}

std::optional<client_hints_info> client_hints_from_headers(const request& req) {
  client_hints_info hints;
  hints.ua = header_string(req, "sec-ch-ua");
  hints.ua_mobile = header_string(req, "sec-ch-ua-mobile");
  hints.ua_platform = header_string(req, "sec-ch-ua-platform");
  hints.ua_arch = header_string(req, "sec-ch-ua-arch");
  hints.ua_platform_version = header_string(req, "sec-ch-ua-platform-version");
  hints.ua_model = header_string(req, "sec-ch-ua-model");
  hints.ua_bitness = header_string(req, "sec-ch-ua-bitness");
  hints.ua_wow64 = header_string(req, "sec-ch-ua-wow64");
  hints.ua_full_version_list = header_string(req, "sec-ch-ua-full-version-list");
  if (hints == client_hints_info{}) return std::nullopt;
  return hints;
}

// "203.0.113.7, 10.0.0.1" → ["203.0.113.7", "10.0.0.1"] (entries trimmed, empty ones dropped).
std::vector<std::string> split_forwarded_for(std::string_view header) {
  std::vector<std::string> out;
  while (!header.empty()) {
    const auto comma = header.find(',');
    const auto entry = trim(header.substr(0, comma));
    if (!entry.empty()) out.emplace_back(entry);
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  return out;
}

// "host:port" → "host" (bracketed IPv6 literals are left alone: they are no Cloud Run host).
std::string_view host_without_port(std::string_view host) noexcept {
  if (const auto colon = host.rfind(':');
      colon != std::string_view::npos && host.find(']') == std::string_view::npos) {
    return host.substr(0, colon);
  }
  return host;
}

// Cloud Run hosts: `<service>-<project number>.<region>.run.app`, or the older
// `<service>-<hash>-<region code>.a.run.app`. Other hosts give nothing (the Rust crate guesses
// from any host's labels, which turns "app.example.com" into region "app").
std::vector<std::string_view> cloud_run_host_labels(std::string_view host) {
  host = host_without_port(host);
  constexpr std::string_view suffix = ".run.app";
  std::vector<std::string_view> labels;
  if (host.size() <= suffix.size() || !iequals(host.substr(host.size() - suffix.size()), suffix)) {
    return labels;
  }
  host.remove_suffix(suffix.size());
  while (true) {
    const auto dot = host.find('.');
    labels.push_back(host.substr(0, dot));
    if (dot == std::string_view::npos) break;
    host.remove_prefix(dot + 1);
  }
  return labels;  // the labels before ".run.app"
}

std::optional<std::string> region_from_cloud_run_host(std::string_view host) {
  const auto labels = cloud_run_host_labels(host);
  if (labels.size() != 2 || labels[1].empty()) return std::nullopt;
  if (labels[1] != "a") return std::string(labels[1]);
  // Older form: the region code is the last dash-separated part of the first label.
  const auto dash = labels[0].rfind('-');
  if (dash == std::string_view::npos) return std::nullopt;
  const auto code = labels[0].substr(dash + 1);
  // The codes the Rust crate knows.
  if (code == "uc") return "us-central1";
  if (code == "ue") return "us-east1";
  if (code == "uw" || code == "uw1") return "us-west1";
  return std::nullopt;
}

std::optional<std::string> project_from_cloud_run_host(std::string_view host) {
  const auto labels = cloud_run_host_labels(host);
  if (labels.size() != 2 || labels[1] == "a") return std::nullopt;
  const auto dash = labels[0].rfind('-');
  if (dash == std::string_view::npos) return std::nullopt;
  const auto number = labels[0].substr(dash + 1);
  if (number.empty() || number.find_first_not_of("0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  return std::string(number);
}

template <class T>
void fill(std::optional<T>& target, const std::optional<T>& source) {
  if (!target && source) target = source;
}

void apply_cloudflare_defaults(request_metadata& m, const runtime_environment& env) {
  fill(m.worker_name, env.worker_name());
  if (auto* cf = m.platform ? std::get_if<cloudflare_platform>(&*m.platform) : nullptr) {
    fill(cf->worker_name, m.worker_name);
  } else {
    // As in the Rust crate, the platform reported is the one we run on.
    m.platform = cloudflare_platform{m.worker_name};
  }
}

void apply_cloud_run_defaults(request_metadata& m, const request& req,
                              const runtime_environment& env) {
  fill(m.cloud_run_service, env.cloud_run_service());
  fill(m.cloud_run_revision, env.cloud_run_revision());
  fill(m.cloud_run_configuration, env.cloud_run_configuration());
  fill(m.project_id, env.cloud_run_project());
  fill(m.cloud_run_region, env.cloud_run_region());
  if (!m.cloud_run_region && m.host) m.cloud_run_region = region_from_cloud_run_host(*m.host);
  if (!m.project_id && m.host) m.project_id = project_from_cloud_run_host(*m.host);
  fill(m.region, m.cloud_run_region);
  fill(m.worker_name, m.cloud_run_service);

  if (auto header = req.header("x-cloud-trace-context")) {
    std::optional<std::string_view> project;
    if (m.project_id) {
      project = *m.project_id;
    } else if (auto* run = m.platform ? std::get_if<cloud_run_platform>(&*m.platform) : nullptr;
               run && run->project_id) {
      project = *run->project_id;
    } else if (env.cloud_run_project()) {
      project = *env.cloud_run_project();
    }
    auto trace = parse_cloud_trace_context(*header, project);
    fill(m.request_id, trace.trace_id);
    m.trace_context = std::move(trace);
  }

  if (auto* run = m.platform ? std::get_if<cloud_run_platform>(&*m.platform) : nullptr) {
    fill(run->service, m.cloud_run_service);
    fill(run->revision, m.cloud_run_revision);
    fill(run->configuration, m.cloud_run_configuration);
    fill(run->project_id, m.project_id);
    fill(run->region, m.cloud_run_region);
  } else {
    m.platform = cloud_run_platform{m.cloud_run_service, m.cloud_run_revision,
                                    m.cloud_run_configuration, m.project_id, m.cloud_run_region};
  }
}

// raw_url ← scheme://host+path when it is missing or relative and both parts are known.
void rebuild_raw_url(request_metadata& m) {
  const bool relative =
      !m.raw_url || m.raw_url->starts_with('/') || m.raw_url->find("://") == std::string::npos;
  if (!relative || !m.host || !m.scheme) return;
  std::string url;
  url.reserve(m.scheme->size() + 3 + m.host->size() + m.path.size());
  url.append(*m.scheme).append("://").append(*m.host).append(m.path);
  m.raw_url = std::move(url);
}

}  // namespace

bool is_public_ip_address(std::string_view text) noexcept {
  char buffer[INET6_ADDRSTRLEN + 1];
  if (text.empty() || text.size() >= sizeof(buffer)) return false;
  std::memcpy(buffer, text.data(), text.size());
  buffer[text.size()] = '\0';

  std::array<std::uint8_t, 16> bytes{};
  if (inet_pton(AF_INET, buffer, bytes.data()) == 1) {
    const auto a = bytes[0];
    const auto b = bytes[1];
    const auto c = bytes[2];
    const bool is_private = a == 10 || (a == 172 && (b & 0xf0) == 16) || (a == 192 && b == 168);
    const bool loopback = a == 127;
    const bool link_local = a == 169 && b == 254;
    const bool broadcast = a == 255 && b == 255 && c == 255 && bytes[3] == 255;
    const bool documentation = (a == 192 && b == 0 && c == 2) ||
                               (a == 198 && b == 51 && c == 100) ||
                               (a == 203 && b == 0 && c == 113);
    const bool unspecified = a == 0 && b == 0 && c == 0 && bytes[3] == 0;
    const bool multicast = (a & 0xf0) == 224;
    return !(is_private || loopback || link_local || broadcast || documentation || unspecified ||
             multicast);
  }
  if (inet_pton(AF_INET6, buffer, bytes.data()) == 1) {
    bool all_zero_but_last = true;
    for (std::size_t i = 0; i < 15; ++i) all_zero_but_last = all_zero_but_last && bytes[i] == 0;
    const bool loopback = all_zero_but_last && bytes[15] == 1;
    const bool unspecified = all_zero_but_last && bytes[15] == 0;
    const bool multicast = bytes[0] == 0xff;
    const bool unique_local = (bytes[0] & 0xfe) == 0xfc;
    const bool link_local = bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0x80;
    return !(loopback || unspecified || multicast || unique_local || link_local);
  }
  return false;
}

trace_context_info parse_cloud_trace_context(std::string_view header,
                                             std::optional<std::string_view> project_id) {
  trace_context_info trace;
  const auto slash = header.find('/');
  if (const auto id = header.substr(0, slash); !id.empty()) trace.trace_id.emplace(id);
  if (slash != std::string_view::npos) {
    auto rest = header.substr(slash + 1);
    rest = rest.substr(0, rest.find('/'));  // anything after a second '/' is ignored
    const auto semicolon = rest.find(';');
    if (const auto span = rest.substr(0, semicolon); !span.empty()) trace.span_id.emplace(span);
    auto options =
        semicolon == std::string_view::npos ? std::string_view{} : rest.substr(semicolon + 1);
    while (true) {
      const auto next = options.find(';');
      const auto section = options.substr(0, next);
      if (section.starts_with("o=")) {
        const auto flag = trim(section.substr(2));
        trace.sampled = flag == "1"   ? std::optional<bool>(true)
                        : flag == "0" ? std::optional<bool>(false)
                                      : std::nullopt;
      }
      if (next == std::string_view::npos) break;
      options.remove_prefix(next + 1);
    }
  }
  if (project_id) trace.project_id.emplace(*project_id);
  trace.raw.emplace(header);
  return trace;
}

request_metadata metadata_from_headers(const request& req) {
  request_metadata m;
  m.request_id = header_string(req, "cf-ray");
  m.colo = header_string(req, "cf-colo");
  m.country = header_string(req, "cf-ipcountry");
  m.region = header_string(req, "cf-region");

  if (auto forwarded_for = req.header("x-forwarded-for")) {
    m.forwarded_for = split_forwarded_for(*forwarded_for);
  }
  m.client_ip = header_string(req, "cf-connecting-ip");
  if (!m.client_ip && !m.forwarded_for.empty()) {
    const auto& entries = m.forwarded_for;
    const auto public_entry =
        std::find_if(entries.begin(), entries.end(),
                     [](const std::string& e) { return is_public_ip_address(e); });
    m.client_ip = public_entry != entries.end() ? *public_entry : entries.front();
  }
  m.host = header_string(req, "x-forwarded-host");
  if (!m.host) m.host = header_string(req, "host");

  if (!req.method().empty()) m.method.assign(req.method());
  std::string_view target = req.target();
  std::optional<std::string> target_scheme;
  // An absolute-form target ("https://example.com/a?b") carries the scheme; its path is the rest.
  constexpr std::string_view absolute_prefixes[] = {"http://", "https://"};
  for (const std::string_view prefix : absolute_prefixes) {
    if (starts_with_ignoring_case(target, prefix)) {
      target_scheme.emplace(prefix.substr(0, prefix.size() - 3));
      const auto after_authority = target.find('/', prefix.size());
      m.path = after_authority == std::string_view::npos
                   ? std::string("/")
                   : std::string(target.substr(after_authority));
      break;
    }
  }
  if (!target_scheme && !target.empty()) m.path.assign(target);
  if (!target.empty()) m.raw_url.emplace(target);

  m.forwarded_proto = header_string(req, "x-forwarded-proto");
  m.scheme = m.forwarded_proto ? m.forwarded_proto : target_scheme;
  m.forwarded = header_string(req, "forwarded");
  m.user_agent = header_string(req, "user-agent");
  m.accept = header_string(req, "accept");
  m.accept_language = header_string(req, "accept-language");
  m.accept_encoding = header_string(req, "accept-encoding");
  m.sec_gpc = header_string(req, "sec-gpc");
  m.client_hints = client_hints_from_headers(req);
  return m;
}

namespace detail {

void resolve_request_metadata_into(const request& req, const runtime_environment& env,
                                   request_metadata& m) {
  bool from_header = false;
  if (const auto header = req.header(metadata_header_name)) {
    const auto auth = req.header(metadata_auth_header_name);
    if (env.metadata_trusted(auth)) {
      from_header = parse_metadata_header_into(*header, m);
      if (!from_header) log::debug("x-containerflare-metadata is not valid; using plain headers");
    } else if (env.forgery_warning_limiter().allow()) {
      log::warn(
          "ignoring x-containerflare-metadata: x-containerflare-auth does not match "
          "CONTAINERFLARE_SHARED_SECRET (at most one such warning per minute)",
          {{"auth_header_present", auth.has_value()}});
    }
  }
  if (!from_header) m = metadata_from_headers(req);

  switch (env.platform()) {
    case platform_kind::cloudflare:
      apply_cloudflare_defaults(m, env);
      break;
    case platform_kind::cloud_run:
      apply_cloud_run_defaults(m, req, env);
      break;
    case platform_kind::generic:
      break;
  }
  rebuild_raw_url(m);
}

}  // namespace detail

request_metadata resolve_request_metadata(const request& req, const runtime_environment& env) {
  request_metadata m;
  detail::resolve_request_metadata_into(req, env, m);
  return m;
}

}  // namespace containerflare
