// Builds the x-containerflare-metadata header (PROTOCOL.md §1) from the incoming request and
// request.cf, and prepares the request that goes on to the container.
import { sharedSecret, workerName } from './config.js';

export const METADATA_HEADER = 'x-containerflare-metadata';
export const AUTH_HEADER = 'x-containerflare-auth';
// Every header with this prefix is ours: whatever a client sends under it is dropped.
const RESERVED_PREFIX = 'x-containerflare-';

const CLIENT_HINT_HEADERS = [
  ['ua', 'sec-ch-ua'],
  ['ua_mobile', 'sec-ch-ua-mobile'],
  ['ua_platform', 'sec-ch-ua-platform'],
  ['ua_arch', 'sec-ch-ua-arch'],
  ['ua_platform_version', 'sec-ch-ua-platform-version'],
  ['ua_model', 'sec-ch-ua-model'],
  ['ua_bitness', 'sec-ch-ua-bitness'],
  ['ua_wow64', 'sec-ch-ua-wow64'],
  ['ua_full_version_list', 'sec-ch-ua-full-version-list'],
];

function header(headers, name) {
  return headers.get(name) ?? null;
}

function cfString(cf, field) {
  const value = cf[field];
  if (value === undefined || value === null || value === '') return null;
  return String(value);
}

function cfNumber(cf, field) {
  const value = cf[field];
  if (value === undefined || value === null || value === '') return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
}

function clientHints(headers) {
  const hints = {};
  let any = false;
  for (const [field, name] of CLIENT_HINT_HEADERS) {
    hints[field] = header(headers, name);
    any ||= hints[field] !== null;
  }
  return any ? hints : null;
}

// W3C trace context: "00-<32 hex trace id>-<16 hex span id>-<2 hex flags>".
export function traceContext(traceparent) {
  if (!traceparent) return null;
  const match = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/.exec(traceparent.trim());
  if (!match || match[1] === 'ff' || /^0+$/.test(match[2]) || /^0+$/.test(match[3])) return null;
  return {
    trace_id: match[2],
    span_id: match[3],
    sampled: (parseInt(match[4], 16) & 1) === 1,
    project_id: null,
    raw: traceparent,
  };
}

function forwardedFor(headers) {
  const value = headers.get('x-forwarded-for');
  if (!value) return [];
  return value.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '');
}

// `cf` is request.cf (absent in some local setups); `newRequestId` makes the fallback id testable.
export function buildMetadata(request, env, { cf = request.cf ?? {}, newRequestId = () => crypto.randomUUID() } = {}) {
  const url = new URL(request.url);
  const headers = request.headers;
  const scheme = url.protocol.replace(/:$/, '');
  const worker = workerName(env);
  // Field order is the v0.2 RequestMetadata order; extension fields follow.
  return {
    request_id: header(headers, 'cf-ray') ?? newRequestId(),
    colo: cfString(cf, 'colo'),
    region: cfString(cf, 'region'),
    country: cfString(cf, 'country') ?? header(headers, 'cf-ipcountry'),
    client_ip: header(headers, 'cf-connecting-ip'),
    host: url.host || null,
    scheme,
    platform: { platform: 'cloudflare', worker_name: worker },
    worker_name: worker,
    project_id: null,
    cloud_run_service: null,
    cloud_run_revision: null,
    cloud_run_configuration: null,
    cloud_run_region: null,
    trace_context: traceContext(headers.get('traceparent')),
    forwarded_for: forwardedFor(headers),
    forwarded_proto: header(headers, 'x-forwarded-proto') ?? scheme,
    forwarded: header(headers, 'forwarded'),
    user_agent: header(headers, 'user-agent'),
    accept: header(headers, 'accept'),
    accept_language: header(headers, 'accept-language'),
    accept_encoding: header(headers, 'accept-encoding'),
    sec_gpc: header(headers, 'sec-gpc'),
    client_hints: clientHints(headers),
    method: request.method,
    path: url.pathname + url.search,
    raw_url: request.url,
    region_code: cfString(cf, 'regionCode'),
    city: cfString(cf, 'city'),
    continent: cfString(cf, 'continent'),
    timezone: cfString(cf, 'timezone'),
    asn: cfNumber(cf, 'asn'),
    as_organization: cfString(cf, 'asOrganization'),
    latitude: cfString(cf, 'latitude'),
    longitude: cfString(cf, 'longitude'),
    postal_code: cfString(cf, 'postalCode'),
    http_protocol: cfString(cf, 'httpProtocol'),
    tls_version: cfString(cf, 'tlsVersion'),
  };
}

// JSON with every character outside printable ASCII escaped as \uXXXX, so the header value is
// plain ASCII (HTTP field values cannot carry raw UTF-8 reliably, and DEL is not allowed).
// JSON.stringify already escapes control characters and lone surrogates; characters beyond the
// BMP are two UTF-16 units here and come out as a surrogate-pair escape.
export function encodeMetadata(metadata) {
  return JSON.stringify(metadata).replace(/[\u007f-\uffff]/g, (character) =>
    `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

// Headers for the container: the client's own, minus anything under x-containerflare-, plus our
// metadata and (with a shared secret) the auth header.
export function containerHeaders(request, env, metadata) {
  const headers = new Headers(request.headers);
  for (const name of [...headers.keys()]) {
    if (name.toLowerCase().startsWith(RESERVED_PREFIX)) headers.delete(name);
  }
  headers.set(METADATA_HEADER, encodeMetadata(metadata));
  const secret = sharedSecret(env);
  if (secret !== undefined) headers.set(AUTH_HEADER, secret);
  return headers;
}

export function containerRequest(request, env, options) {
  const metadata = buildMetadata(request, env, options);
  return new Request(request, { headers: containerHeaders(request, env, metadata) });
}
