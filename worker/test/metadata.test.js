// The x-containerflare-metadata header: built from the request and request.cf, plain ASCII,
// client-supplied x-containerflare-* headers replaced, and the shared secret attached.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ConfigError } from '../src/config.js';
import { AUTH_HEADER, METADATA_HEADER, buildMetadata, containerHeaders, encodeMetadata, traceContext } from '../src/metadata.js';
import { DEFAULT_CF, startWorker } from './support/miniflare.js';

// RequestMetadata v0.2 field order (PROTOCOL.md §1), then the fields this Worker adds.
const V02_FIELDS = [
  'request_id', 'colo', 'region', 'country', 'client_ip', 'host', 'scheme', 'platform', 'worker_name', 'project_id',
  'cloud_run_service', 'cloud_run_revision', 'cloud_run_configuration', 'cloud_run_region', 'trace_context',
  'forwarded_for', 'forwarded_proto', 'forwarded', 'user_agent', 'accept', 'accept_language', 'accept_encoding',
  'sec_gpc', 'client_hints', 'method', 'path', 'raw_url',
];
const EXTENSION_FIELDS = [
  'region_code', 'city', 'continent', 'timezone', 'asn', 'as_organization', 'latitude', 'longitude', 'postal_code',
  'http_protocol', 'tls_version',
];

const WUERTTEMBERG_CF = { ...DEFAULT_CF, region: 'Baden-Württemberg', regionCode: 'BW', city: 'Schwäbisch Gmünd', asOrganization: 'Netz 🌍 GmbH' };
const fixedId = () => 'generated-id';

function request(url, headers = {}, method = 'GET') {
  return new Request(url, { method, headers });
}

describe('buildMetadata', () => {
  test('emits every v0.2 field in order, then the extension fields', () => {
    const metadata = buildMetadata(request('https://app.example.com/'), {}, { cf: {}, newRequestId: fixedId });
    assert.deepEqual(Object.keys(metadata), [...V02_FIELDS, ...EXTENSION_FIELDS]);
  });

  test('fills the fields from the request, its headers and request.cf', () => {
    const metadata = buildMetadata(
      request('https://app.example.com/items/7?sort=asc', {
        'cf-ray': '8f1e2d3c4b5a6978-FRA',
        'cf-connecting-ip': '203.0.113.9',
        'x-forwarded-for': '203.0.113.9, 198.51.100.2 ,,',
        'x-forwarded-proto': 'https',
        forwarded: 'for=203.0.113.9;proto=https',
        'user-agent': 'curl/8.5.0',
        accept: 'application/json',
        'accept-language': 'de-DE,de;q=0.9',
        'accept-encoding': 'gzip, br',
        'sec-gpc': '1',
        'sec-ch-ua': '"Chromium";v="124"',
        'sec-ch-ua-mobile': '?0',
        'sec-ch-ua-platform': '"Linux"',
        traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      }, 'POST'),
      { CONTAINERFLARE_WORKER: 'shop' },
      { cf: WUERTTEMBERG_CF, newRequestId: fixedId },
    );
    assert.deepEqual(metadata, {
      request_id: '8f1e2d3c4b5a6978-FRA',
      colo: 'FRA',
      region: 'Baden-Württemberg',
      country: 'DE',
      client_ip: '203.0.113.9',
      host: 'app.example.com',
      scheme: 'https',
      platform: { platform: 'cloudflare', worker_name: 'shop' },
      worker_name: 'shop',
      project_id: null,
      cloud_run_service: null,
      cloud_run_revision: null,
      cloud_run_configuration: null,
      cloud_run_region: null,
      trace_context: {
        trace_id: '4bf92f3577b34da6a3ce929d0e0e4736',
        span_id: '00f067aa0ba902b7',
        sampled: true,
        project_id: null,
        raw: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01',
      },
      forwarded_for: ['203.0.113.9', '198.51.100.2'],
      forwarded_proto: 'https',
      forwarded: 'for=203.0.113.9;proto=https',
      user_agent: 'curl/8.5.0',
      accept: 'application/json',
      accept_language: 'de-DE,de;q=0.9',
      accept_encoding: 'gzip, br',
      sec_gpc: '1',
      client_hints: {
        ua: '"Chromium";v="124"',
        ua_mobile: '?0',
        ua_platform: '"Linux"',
        ua_arch: null,
        ua_platform_version: null,
        ua_model: null,
        ua_bitness: null,
        ua_wow64: null,
        ua_full_version_list: null,
      },
      method: 'POST',
      path: '/items/7?sort=asc',
      raw_url: 'https://app.example.com/items/7?sort=asc',
      region_code: 'BW',
      city: 'Schwäbisch Gmünd',
      continent: 'EU',
      timezone: 'Europe/Berlin',
      asn: 64496,
      as_organization: 'Netz 🌍 GmbH',
      latitude: '50.11090',
      longitude: '8.68213',
      postal_code: '60311',
      http_protocol: 'HTTP/2',
      tls_version: 'TLSv1.3',
    });
  });

  test('uses defaults when the request carries little', () => {
    const metadata = buildMetadata(request('http://localhost:8787/'), {}, { cf: {}, newRequestId: fixedId });
    assert.equal(metadata.request_id, 'generated-id');
    assert.equal(metadata.host, 'localhost:8787');
    assert.equal(metadata.scheme, 'http');
    assert.equal(metadata.forwarded_proto, 'http');
    assert.deepEqual(metadata.forwarded_for, []);
    assert.deepEqual(metadata.platform, { platform: 'cloudflare', worker_name: null });
    assert.equal(metadata.client_hints, null);
    assert.equal(metadata.trace_context, null);
    assert.equal(metadata.country, null);
    assert.equal(metadata.asn, null);
    assert.equal(metadata.path, '/');
  });

  test('takes country from cf-ipcountry when request.cf has none', () => {
    const metadata = buildMetadata(request('https://a.example/', { 'cf-ipcountry': 'CH' }), {}, { cf: {}, newRequestId: fixedId });
    assert.equal(metadata.country, 'CH');
  });

  test('reads W3C traceparent and rejects malformed ones', () => {
    assert.equal(traceContext('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00').sampled, false);
    assert.equal(traceContext('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7'), null);
    assert.equal(traceContext('00-00000000000000000000000000000000-00f067aa0ba902b7-01'), null);
    assert.equal(traceContext('ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'), null);
    assert.equal(traceContext('00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01'), null);
  });
});

describe('encodeMetadata', () => {
  const metadata = { region: 'Baden-Württemberg', city: 'Zürich 🌍', note: 'tab\there', del: 'a\u007fb', quote: '"\\' };

  test('is plain printable ASCII', () => {
    assert.match(encodeMetadata(metadata), /^[\x20-\x7e]+$/);
  });

  test('escapes non-ASCII as \\uXXXX, astral characters as surrogate pairs', () => {
    const encoded = encodeMetadata(metadata);
    assert.ok(encoded.includes('Baden-W\\u00fcrttemberg'), encoded);
    assert.ok(encoded.includes('Z\\u00fcrich \\ud83c\\udf0d'), encoded);
    assert.ok(encoded.includes('a\\u007fb'), encoded);
  });

  test('decodes back to the same values', () => {
    assert.deepEqual(JSON.parse(encodeMetadata(metadata)), metadata);
  });
});

describe('containerHeaders', () => {
  const spoofed = {
    'X-Containerflare-Metadata': '{"country":"XX","worker_name":"forged"}',
    'x-containerflare-auth': 'guessed-secret',
    'x-containerflare-anything': 'x',
    'user-agent': 'test',
  };

  test('replaces client-supplied metadata and drops every x-containerflare- header', () => {
    const metadata = { country: 'DE' };
    const headers = containerHeaders(request('https://a.example/', spoofed), {}, metadata);
    assert.equal(headers.get(METADATA_HEADER), '{"country":"DE"}');
    assert.equal(headers.get(AUTH_HEADER), null);
    assert.equal(headers.get('x-containerflare-anything'), null);
    assert.equal(headers.get('user-agent'), 'test');
  });

  test('adds the shared secret as x-containerflare-auth', () => {
    const headers = containerHeaders(request('https://a.example/', spoofed), { CONTAINERFLARE_SHARED_SECRET: 's3cret-value' }, {});
    assert.equal(headers.get(AUTH_HEADER), 's3cret-value');
  });

  test('refuses a secret that cannot travel in a header', () => {
    assert.throws(
      () => containerHeaders(request('https://a.example/'), { CONTAINERFLARE_SHARED_SECRET: 'has space' }, {}),
      (error) => error instanceof ConfigError && error.variable === 'CONTAINERFLARE_SHARED_SECRET',
    );
  });
});

// The same, end to end: the real Worker fetch handler in workerd hands the request to a Durable
// Object that reports what it received.
describe('metadata through the Worker', () => {
  let mf;
  before(async () => {
    mf = await startWorker({ cf: WUERTTEMBERG_CF, vars: { CONTAINERFLARE_WORKER: 'shop', CONTAINERFLARE_SHARED_SECRET: 'worker-secret' } });
  });
  after(() => mf?.dispose());

  async function probe(url, init) {
    const response = await mf.dispatchFetch(url, init);
    assert.equal(response.status, 200);
    return response.json();
  }

  test('the container receives ASCII metadata built from request.cf, not the client\'s', async () => {
    const seen = await probe('https://shop.example.com/cart?x=1', {
      method: 'POST',
      body: 'payload',
      headers: {
        'cf-ray': '7a6b5c4d3e2f1a0b-ZRH',
        'cf-connecting-ip': '198.51.100.7',
        'x-containerflare-metadata': '{"country":"XX","worker_name":"forged"}',
        'x-containerflare-auth': 'guessed',
      },
    });
    const header = seen.headers[METADATA_HEADER];
    assert.match(header, /^[\x20-\x7e]+$/);
    const metadata = JSON.parse(header);
    assert.equal(metadata.request_id, '7a6b5c4d3e2f1a0b-ZRH');
    assert.equal(metadata.country, 'DE');
    assert.equal(metadata.region, 'Baden-Württemberg');
    assert.equal(metadata.city, 'Schwäbisch Gmünd');
    assert.equal(metadata.as_organization, 'Netz 🌍 GmbH');
    assert.equal(metadata.worker_name, 'shop');
    assert.equal(metadata.client_ip, '198.51.100.7');
    assert.equal(metadata.method, 'POST');
    assert.equal(metadata.path, '/cart?x=1');
    assert.equal(metadata.host, 'shop.example.com');
    assert.equal(seen.headers[AUTH_HEADER], 'worker-secret');
    assert.equal(seen.body, 'payload', 'the body reaches the container unchanged');
    assert.equal(seen.method, 'POST');
  });

  test('without cf-ray every request gets its own id', async () => {
    const ids = new Set();
    for (let i = 0; i < 5; i++) ids.add(JSON.parse((await probe('https://shop.example.com/')).headers[METADATA_HEADER]).request_id);
    assert.equal(ids.size, 5);
  });
});

describe('configuration errors', () => {
  let mf;
  before(async () => {
    mf = await startWorker({ vars: { CONTAINERFLARE_SHARED_SECRET: 'two words' } });
  });
  after(() => mf?.dispose());

  test('answer 500 naming the variable instead of forwarding', async () => {
    const response = await mf.dispatchFetch('https://shop.example.com/');
    assert.equal(response.status, 500);
    assert.match(await response.text(), /CONTAINERFLARE_SHARED_SECRET/);
  });
});
