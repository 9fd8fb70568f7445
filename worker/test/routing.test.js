// Routing: which Durable Object (and so which container instance) serves a request.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ConfigError } from '../src/config.js';
import { SINGLE_INSTANCE_NAME, cookieValue, instanceName, routingConfig } from '../src/routing.js';
import { startWorker } from './support/miniflare.js';

const REQUESTS = 100;

function request(url, headers = {}) {
  return new Request(url, { headers });
}

function configError(variable) {
  return (error) => error instanceof ConfigError && error.variable === variable && error.message.includes(variable);
}

describe('routingConfig', () => {
  test('defaults to one instance', () => {
    assert.deepEqual(routingConfig({}), { mode: 'single' });
  });

  test('parses key sources and instance counts', () => {
    assert.deepEqual(routingConfig({ CONTAINERFLARE_ROUTING: 'key', CONTAINERFLARE_ROUTING_KEY: 'header:X-Tenant' }),
      { mode: 'key', key: { kind: 'header', name: 'x-tenant' } });
    assert.deepEqual(routingConfig({ CONTAINERFLARE_ROUTING: 'key', CONTAINERFLARE_ROUTING_KEY: 'cookie:session' }),
      { mode: 'key', key: { kind: 'cookie', name: 'session' } });
    assert.deepEqual(routingConfig({ CONTAINERFLARE_ROUTING: 'key', CONTAINERFLARE_ROUTING_KEY: 'path:1' }),
      { mode: 'key', key: { kind: 'path', index: 1 } });
    assert.deepEqual(routingConfig({ CONTAINERFLARE_ROUTING: 'Spread', CONTAINERFLARE_INSTANCES: '4' }), { mode: 'spread', instances: 4 });
  });

  test('invalid values are errors naming the variable', () => {
    assert.throws(() => routingConfig({ CONTAINERFLARE_ROUTING: 'sticky' }), configError('CONTAINERFLARE_ROUTING'));
    assert.throws(() => routingConfig({ CONTAINERFLARE_ROUTING: 'key' }), configError('CONTAINERFLARE_ROUTING_KEY'));
    assert.throws(() => routingConfig({ CONTAINERFLARE_ROUTING: 'key', CONTAINERFLARE_ROUTING_KEY: 'query:x' }), configError('CONTAINERFLARE_ROUTING_KEY'));
    assert.throws(() => routingConfig({ CONTAINERFLARE_ROUTING: 'key', CONTAINERFLARE_ROUTING_KEY: 'path:first' }), configError('CONTAINERFLARE_ROUTING_KEY'));
    assert.throws(() => routingConfig({ CONTAINERFLARE_ROUTING: 'spread' }), configError('CONTAINERFLARE_INSTANCES'));
    assert.throws(() => routingConfig({ CONTAINERFLARE_ROUTING: 'spread', CONTAINERFLARE_INSTANCES: '0' }), configError('CONTAINERFLARE_INSTANCES'));
    assert.throws(() => routingConfig({ CONTAINERFLARE_ROUTING: 'spread', CONTAINERFLARE_INSTANCES: '2.5' }), configError('CONTAINERFLARE_INSTANCES'));
  });
});

describe('instanceName', () => {
  test('key from a header, a cookie or a path segment', () => {
    const byHeader = { mode: 'key', key: { kind: 'header', name: 'x-tenant' } };
    assert.equal(instanceName(request('https://a.example/', { 'X-Tenant': ' acme ' }), byHeader), 'key:acme');
    const byCookie = { mode: 'key', key: { kind: 'cookie', name: 'session' } };
    assert.equal(instanceName(request('https://a.example/', { cookie: 'theme=dark; session=s%20123; x=1' }), byCookie), 'key:s 123');
    const byPath = { mode: 'key', key: { kind: 'path', index: 1 } };
    assert.equal(instanceName(request('https://a.example/rooms/lobby/messages'), byPath), 'key:lobby');
  });

  test('a request without its key goes to the default instance', () => {
    const byHeader = { mode: 'key', key: { kind: 'header', name: 'x-tenant' } };
    assert.equal(instanceName(request('https://a.example/'), byHeader), SINGLE_INSTANCE_NAME);
    assert.equal(instanceName(request('https://a.example/', { 'x-tenant': '  ' }), byHeader), SINGLE_INSTANCE_NAME);
    const byPath = { mode: 'key', key: { kind: 'path', index: 3 } };
    assert.equal(instanceName(request('https://a.example/a/b'), byPath), SINGLE_INSTANCE_NAME);
  });

  test('spread maps the whole random range onto N names', () => {
    const spread = { mode: 'spread', instances: 3 };
    const names = [0, 0.34, 0.67, 0.999999].map((value) => instanceName(request('https://a.example/'), spread, () => value));
    assert.deepEqual(names, ['spread:0', 'spread:1', 'spread:2', 'spread:2']);
  });

  test('cookieValue finds the exact name', () => {
    assert.equal(cookieValue('xsession=1; session=2', 'session'), '2');
    assert.equal(cookieValue('session="quoted"', 'session'), 'quoted');
    assert.equal(cookieValue('other=1', 'session'), undefined);
    assert.equal(cookieValue(null, 'session'), undefined);
  });
});

// Through the real Worker: every request reports the id of the Durable Object that served it.
async function instanceIds(vars, requests) {
  const mf = await startWorker({ vars });
  try {
    const ids = [];
    for (const [url, init] of requests) {
      const response = await mf.dispatchFetch(url, init);
      assert.equal(response.status, 200, await response.clone().text());
      ids.push((await response.json()).id);
    }
    return ids;
  } finally {
    await mf.dispose();
  }
}

const repeat = (count, make) => Array.from({ length: count }, (_, i) => make(i));

describe('routing through the Worker', () => {
  test(`single: ${REQUESTS} requests reach one Durable Object`, async () => {
    const ids = await instanceIds({}, repeat(REQUESTS, (i) => [`https://a.example/page/${i}`]));
    assert.equal(new Set(ids).size, 1);
  });

  test(`key: one key reaches the same Durable Object over ${REQUESTS} requests; ${REQUESTS} keys reach more than one`, async () => {
    const vars = { CONTAINERFLARE_ROUTING: 'key', CONTAINERFLARE_ROUTING_KEY: 'header:x-tenant' };
    const sameKey = repeat(REQUESTS, (i) => [`https://a.example/${i}`, { headers: { 'x-tenant': 'acme' } }]);
    const manyKeys = repeat(REQUESTS, (i) => [`https://a.example/`, { headers: { 'x-tenant': `tenant-${i}` } }]);
    const ids = await instanceIds(vars, [...sameKey, ...manyKeys]);
    assert.equal(new Set(ids.slice(0, REQUESTS)).size, 1);
    const distinct = new Set(ids.slice(REQUESTS)).size;
    assert.ok(distinct > 1, `${REQUESTS} keys reached ${distinct} Durable Object(s)`);
    assert.equal(distinct, REQUESTS, 'distinct keys get distinct instances');
  });

  test('key: cookie and path segment sources', async () => {
    const byCookie = await instanceIds({ CONTAINERFLARE_ROUTING: 'key', CONTAINERFLARE_ROUTING_KEY: 'cookie:room' }, [
      ['https://a.example/x', { headers: { cookie: 'room=blue' } }],
      ['https://a.example/y', { headers: { cookie: 'a=1; room=blue' } }],
      ['https://a.example/z', { headers: { cookie: 'room=red' } }],
    ]);
    assert.equal(byCookie[0], byCookie[1]);
    assert.notEqual(byCookie[0], byCookie[2]);
    const byPath = await instanceIds({ CONTAINERFLARE_ROUTING: 'key', CONTAINERFLARE_ROUTING_KEY: 'path:0' }, [
      ['https://a.example/blue/1'],
      ['https://a.example/blue/2?q'],
      ['https://a.example/red/1'],
    ]);
    assert.equal(byPath[0], byPath[1]);
    assert.notEqual(byPath[0], byPath[2]);
  });

  test(`spread over N: at most N Durable Objects, all N seen over ${REQUESTS} requests`, async () => {
    const instances = 4;
    const ids = await instanceIds({ CONTAINERFLARE_ROUTING: 'spread', CONTAINERFLARE_INSTANCES: String(instances) },
      repeat(REQUESTS, (i) => [`https://a.example/${i}`]));
    // Each request picks one of N at random: missing one of 4 in 100 tries has probability
    // 4 * (3/4)^100, about 1e-12.
    assert.equal(new Set(ids).size, instances);
  });
});
