#pragma once
// Request metadata forwarded by the Worker in the `x-containerflare-metadata` header: the fields
// of the Rust crate's `RequestMetadata` (v0.2 schema, same names, same JSON order) plus the
// extension fields our Worker adds from Cloudflare's `request.cf`.
//
// Parsing (parse_metadata_header) follows serde_json's outcome for every input except two
// deliberate differences: a field whose value has the wrong type is dropped on its own instead of
// rejecting the whole header, and non-ASCII bytes are accepted. Precisely:
//  - Unknown fields are ignored; escapes in keys are decoded ("c\u006flo" is `colo`); key names
//    are case-sensitive.
//  - A duplicate v0.2 field, at any level (including the `platform` tag and the fields of the
//    selected platform variant), rejects the header, as serde does. Duplicate unknown keys are
//    fine. A repeated extension field keeps its last well-typed value.
//  - Wrong-typed values are dropped on their own: `null` or a non-string for `method` / `path`
//    keeps "GET" / "/"; `forwarded_for` that is not an array of strings (e.g. null, a string, or
//    an array holding a non-string) keeps `[]`; a `platform` that is not an object with a
//    `platform` tag of "cloudflare" or "cloud_run" (unknown or missing tag, non-string tag, a
//    string or an array) is dropped; a `trace_context` or `client_hints` that is not an object
//    (an array included) is dropped; a wrong-typed field inside `platform`, `trace_context` or
//    `client_hints` is dropped while the rest of that object is kept (`"sampled":"true"` leaves
//    `sampled` null). Extension fields: see their comments below.
//  - A top-level array is read positionally over the 27 v0.2 fields (serde accepts it that way);
//    more than 27 elements rejects the header.
//  - Anything that is not valid JSON (trailing characters, trailing commas, raw control
//    characters in strings, lone surrogates, invalid UTF-8, a byte-order mark), or whose root is
//    neither an object nor an array, rejects the header. So do values nested more than 1024
//    levels deep (a bound on the work per header; serde has none inside ignored fields).
//
// Serialisation (serialize_metadata / to_json) writes the 27 v0.2 fields exactly as serde_json
// does (same order, `null` for absent values, `[]` for an empty `forwarded_for`, `platform`
// internally tagged with the tag first), then the extension fields that are present, in the
// order declared below. Absent extension fields are omitted, so metadata that carries none
// serialises to the very bytes the Rust crate produces.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>

namespace containerflare {

class request;
class runtime_environment;

// The `platform` value for Cloudflare: `{"platform":"cloudflare","worker_name":…}`.
struct cloudflare_platform {
  std::optional<std::string> worker_name;
  bool operator==(const cloudflare_platform&) const = default;
};

// The `platform` value for Google Cloud Run: `{"platform":"cloud_run","service",…}`.
struct cloud_run_platform {
  std::optional<std::string> service;
  std::optional<std::string> revision;
  std::optional<std::string> configuration;
  std::optional<std::string> project_id;
  std::optional<std::string> region;
  bool operator==(const cloud_run_platform&) const = default;
};

using metadata_platform = std::variant<cloudflare_platform, cloud_run_platform>;

// Google Cloud Trace context (`x-cloud-trace-context: TRACE/SPAN;o=1`).
struct trace_context_info {
  std::optional<std::string> trace_id;
  std::optional<std::string> span_id;
  std::optional<bool> sampled;
  std::optional<std::string> project_id;
  std::optional<std::string> raw;
  bool operator==(const trace_context_info&) const = default;
};

// User-agent client hints (the `sec-ch-ua*` headers).
struct client_hints_info {
  std::optional<std::string> ua;
  std::optional<std::string> ua_mobile;
  std::optional<std::string> ua_platform;
  std::optional<std::string> ua_arch;
  std::optional<std::string> ua_platform_version;
  std::optional<std::string> ua_model;
  std::optional<std::string> ua_bitness;
  std::optional<std::string> ua_wow64;
  std::optional<std::string> ua_full_version_list;
  bool operator==(const client_hints_info&) const = default;
};

struct request_metadata {
  // Defined out of line: with the constructor visible, GCC 12 reports a false
  // -Wmaybe-uninitialized on plain assignments such as `m.city = "Berlin";`.
  request_metadata();

  // --- v0.2 fields, in serialisation order ---
  std::optional<std::string> request_id;
  std::optional<std::string> colo;
  std::optional<std::string> region;
  std::optional<std::string> country;
  std::optional<std::string> client_ip;
  std::optional<std::string> host;
  std::optional<std::string> scheme;
  std::optional<metadata_platform> platform;
  std::optional<std::string> worker_name;
  std::optional<std::string> project_id;
  std::optional<std::string> cloud_run_service;
  std::optional<std::string> cloud_run_revision;
  std::optional<std::string> cloud_run_configuration;
  std::optional<std::string> cloud_run_region;
  std::optional<trace_context_info> trace_context;
  std::vector<std::string> forwarded_for;
  std::optional<std::string> forwarded_proto;
  std::optional<std::string> forwarded;
  std::optional<std::string> user_agent;
  std::optional<std::string> accept;
  std::optional<std::string> accept_language;
  std::optional<std::string> accept_encoding;
  std::optional<std::string> sec_gpc;
  std::optional<client_hints_info> client_hints;
  std::string method = "GET";
  std::string path = "/";  // path and query
  std::optional<std::string> raw_url;

  // --- extension fields from Cloudflare's request.cf (omitted from JSON when absent) ---
  std::optional<std::string> region_code;  // e.g. "CA"
  std::optional<std::string> city;
  std::optional<std::string> continent;  // e.g. "NA"
  std::optional<std::string> timezone;   // IANA name
  // Autonomous system number. Read from a JSON number or a string of digits; written as a number.
  std::optional<std::uint32_t> asn;
  std::optional<std::string> as_organization;
  // Strings as on request.cf ("37.78044"); a JSON number is accepted and kept as written.
  std::optional<std::string> latitude;
  std::optional<std::string> longitude;
  std::optional<std::string> postal_code;
  std::optional<std::string> http_protocol;  // e.g. "HTTP/2"
  std::optional<std::string> tls_version;    // e.g. "TLSv1.3"

  bool operator==(const request_metadata&) const = default;
};

// The header names the runtime reads.
inline constexpr std::string_view metadata_header_name = "x-containerflare-metadata";
inline constexpr std::string_view metadata_auth_header_name = "x-containerflare-auth";

// Parses a metadata header value (rules above). nullopt when the value is not valid JSON, its
// root is neither an object nor an array, or it repeats a v0.2 field.
std::optional<request_metadata> parse_metadata_header(std::string_view json);

// Metadata rebuilt from plain request headers (PROTOCOL.md §1), used when the metadata header is
// missing, invalid or untrusted: request_id←cf-ray, colo←cf-colo, country←cf-ipcountry,
// region←cf-region, client_ip←cf-connecting-ip else the first public address of
// x-forwarded-for else its first entry, host←x-forwarded-host else Host,
// forwarded_proto/scheme←x-forwarded-proto (scheme also from an absolute-form target),
// forwarded←Forwarded, forwarded_for←x-forwarded-for split on commas, user_agent, accept,
// accept_language, accept_encoding, sec_gpc, the nine sec-ch-ua* hints, method and path from the
// request line, raw_url←the request target.
request_metadata metadata_from_headers(const request& req);

// The metadata a handler sees: the metadata header when present, valid and trusted (see
// runtime_environment::shared_secret), otherwise metadata_from_headers; then the platform
// defaults (Cloudflare: worker_name from CONTAINERFLARE_WORKER and a cloudflare `platform`;
// Cloud Run: the cloud_run_* fields from the environment, project and region, worker_name from
// the service, trace_context from x-cloud-trace-context and request_id from its trace id), and
// finally raw_url rebuilt as scheme://host+path when it is missing or relative.
request_metadata resolve_request_metadata(const request& req, const runtime_environment& env);

// Parses `x-cloud-trace-context` ("TRACE/SPAN;o=1").
trace_context_info parse_cloud_trace_context(std::string_view header,
                                             std::optional<std::string_view> project_id);

// True for an IP address literal outside the private, loopback, link-local, documentation,
// unspecified, broadcast and multicast ranges (IPv6: outside loopback, multicast, unspecified,
// unique-local and link-local). Not an address → false.
bool is_public_ip_address(std::string_view text) noexcept;

// The JSON form described above, as a Boost.JSON value whose memory comes from `sp` (e.g. a
// monotonic_resource that lives as long as the response being built).
boost::json::value to_json(const request_metadata& metadata, boost::json::storage_ptr sp = {});
// Appends the compact JSON text of `metadata` to `out`.
void serialize_metadata(const request_metadata& metadata, std::string& out);
std::string serialize_metadata(const request_metadata& metadata);

}  // namespace containerflare
