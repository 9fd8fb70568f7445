// The command bridge against Miniflare's real local KV, D1, R2 and Queues, reached the way a
// container reaches it on Cloudflare: an HTTP POST to containerflare.internal that the
// ContainerProxy entrypoint of @cloudflare/containers hands to ContainerflareContainer's
// outboundByHost handler.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { bridgeSender, invoke, queuedBodies } from './support/http.js';
import { startWorker } from './support/miniflare.js';
import { loadVectors, match, runVectors } from './support/vectors.js';

function describeFailures(failures) {
  return failures
    .map((f) => `${f.case} / step ${f.step}${f.note ? ` (${f.note})` : ''}\n  request: ${f.request}\n  reply:   ${JSON.stringify(f.reply)}\n  ${f.problems.join('\n  ')}`)
    .join('\n\n');
}

describe('command vectors (test/vectors/commands.json)', () => {
  let mf;
  const logs = [];
  before(async () => {
    mf = await startWorker({ logs });
  });
  after(() => mf?.dispose());

  test('every step gives the expected reply', async () => {
    const vectors = loadVectors();
    const steps = vectors.cases.reduce((sum, testCase) => sum + testCase.steps.length, 0);
    assert.ok(steps >= 100, `expected a full vector file, found ${steps} steps`);
    const failures = await runVectors(vectors, bridgeSender(mf));
    assert.equal(failures.length, 0, `${failures.length} of ${steps} steps failed:\n\n${describeFailures(failures)}`);
  });

  test('the vectors cover every command the bridge serves', async () => {
    const { COMMANDS } = await import('../src/bridge/index.js');
    const used = new Set(loadVectors().cases.flatMap((c) => c.steps.map((s) => s.request?.command)));
    for (const command of COMMANDS.keys()) assert.ok(used.has(command), `no vector uses ${command}`);
  });

  test('failed commands are logged with their diagnostic', () => {
    const text = logs.join('');
    assert.match(text, /command failed/);
    assert.match(text, /unknown command \\?"kv\.gett\\?"/);
  });
});

describe('vector matcher', () => {
  test('catches mismatches instead of passing everything', () => {
    const captures = {};
    assert.deepEqual(match({ a: 1 }, { a: 1, b: 2 }, captures), []);
    assert.equal(match({ a: 1 }, { a: 2 }, captures).length, 1);
    assert.equal(match({ a: 1 }, {}, captures).length, 1);
    assert.equal(match([1, 2], [1, 2, 3], captures).length, 1);
    assert.equal(match([{ k: 'a' }], [{ k: 'b' }], captures).length, 1);
    assert.equal(match({ $type: 'integer' }, 1.5, captures).length, 1);
    assert.deepEqual(match({ $type: 'integer' }, 2, captures), []);
    assert.deepEqual(match({ $type: ['string', 'null'] }, null, captures), []);
    assert.equal(match({ $contains: 'abc' }, 'xabx', captures).length, 1);
    assert.equal(match({ c: { $absent: true } }, { c: 'x' }, captures).length, 1);
    assert.deepEqual(match({ c: { $absent: true } }, { c: null }, captures), []);
    assert.deepEqual(match({ c: { $absent: true } }, {}, captures), []);
    assert.equal(match({ c: { $type: 'string' } }, {}, captures).length, 1);
    assert.equal(match(null, undefined, captures).length, 1);
    assert.equal(match({ $all: [{ $contains: 'a' }, { $contains: 'z' }] }, 'abc', captures).length, 1);
    assert.deepEqual(match({ $type: 'string', $capture: 'saved' }, 'v', captures), []);
    assert.equal(captures.saved, 'v');
    assert.equal(match({ $bogus: 1 }, 1, captures).length, 1);
  });
});

describe('bridge transport', () => {
  let mf;
  before(async () => {
    mf = await startWorker({ vars: { CONTAINERFLARE_KV_BINDING: 'SESSIONS' } });
  });
  after(() => mf?.dispose());

  test('answers POST only', async () => {
    const response = await mf.dispatchFetch('http://containerflare.internal/', { method: 'GET' });
    assert.equal(response.status, 405);
    assert.equal(response.headers.get('allow'), 'POST');
  });

  test('replies are JSON with HTTP 200, failures included', async () => {
    const response = await mf.dispatchFetch('http://containerflare.internal/any/path', { method: 'POST', body: '{"id":3,"command":"nope"}' });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type'), /^application\/json/);
    assert.deepEqual(await response.json(), { id: 3, ok: false, payload: null, diagnostic: 'unknown command "nope"' });
  });

  test('CONTAINERFLARE_KV_BINDING changes the default KV binding', async () => {
    const reply = await invoke(mf, 'kv.get', { key: 'a' });
    assert.equal(reply.ok, false);
    assert.match(reply.diagnostic, /SESSIONS/);
    assert.equal((await invoke(mf, 'kv.put', { binding: 'KV', key: 'a', value: 'x' })).ok, true);
  });

  test('binding errors become failures (key longer than Cloudflare allows)', async () => {
    const reply = await invoke(mf, 'kv.put', { binding: 'KV', key: 'k'.repeat(513), value: 'x' });
    assert.equal(reply.ok, false);
    assert.match(reply.diagnostic, /^kv\.put: /);
  });

  test('queue.send and queue.send_batch deliver JSON bodies to a consumer', async () => {
    assert.equal((await invoke(mf, 'queue.send', { body: { job: 'resize', size: 2 } })).ok, true);
    assert.equal((await invoke(mf, 'queue.send_batch', { messages: [{ body: 'two' }, { body: [3] }] })).ok, true);
    const bodies = await queuedBodies(mf, 3);
    assert.deepEqual(
      bodies.map((body) => JSON.stringify(body)).sort(),
      [JSON.stringify({ job: 'resize', size: 2 }), JSON.stringify('two'), JSON.stringify([3])].sort(),
    );
  });

  test('r2.put stores what r2.get returns, byte for byte', async () => {
    const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const put = await invoke(mf, 'r2.put', { key: 'all-bytes', body_base64: bytes.toString('base64') });
    assert.equal(put.ok, true, put.diagnostic);
    assert.equal(put.payload.size, 256);
    const got = await invoke(mf, 'r2.get', { key: 'all-bytes' });
    assert.deepEqual(Buffer.from(got.payload.body_base64, 'base64'), bytes);
    // R2 gives single-part uploads the MD5 of the body as etag.
    const { createHash } = await import('node:crypto');
    assert.equal(got.payload.etag, createHash('md5').update(bytes).digest('hex'));
  });
});
