// The real ContainerflareContainer class in Miniflare, with a fake container engine standing in
// for Docker (test/support/fake-container.js): what it passes to the container, the port it
// proxies to, the command bridge it registers, streams keeping it awake, and its stop log.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startWorker } from './support/miniflare.js';

describe('ContainerflareContainer', () => {
  let mf;
  const logs = [];
  before(async () => {
    mf = await startWorker({
      container: 'ContainerUnderTest',
      logs,
      vars: {
        CONTAINERFLARE_WORKER: 'shop',
        CONTAINERFLARE_SHARED_SECRET: 'container-secret',
        // Idle means expired at once, so the only thing keeping the instance awake is an open
        // request or stream.
        CONTAINERFLARE_SLEEP_AFTER: '0s',
        CF_LOG: 'debug',
      },
    });
  });
  after(() => mf?.dispose());

  const get = (path, init) => mf.dispatchFetch(`https://shop.example.com${path}`, init);
  const instance = async (method) => (await mf.dispatchFetch(`http://instance.test/${method}`)).json();

  test('starts the container with the worker name, the secret and the command endpoint', async () => {
    const response = await get('/env');
    assert.equal(response.status, 200);
    const config = await response.json();
    assert.deepEqual(config.env, {
      CF_CMD_ENDPOINT: 'http://containerflare.internal',
      CF_LOG: 'debug',
      CONTAINERFLARE_WORKER: 'shop',
      CONTAINERFLARE_SHARED_SECRET: 'container-secret',
    });
  });

  test('proxies to port 8787', async () => {
    assert.deepEqual(await (await get('/ports')).json(), [8787]);
  });

  test('the app reaches KV through the command bridge the class registered', async () => {
    const put = await get('/command', { method: 'POST', body: JSON.stringify({ id: 1, command: 'kv.put', payload: { key: 'visits', value: '1' } }) });
    assert.deepEqual(await put.json(), { id: 1, ok: true, payload: null, diagnostic: null });
    const read = await get('/command', { method: 'POST', body: JSON.stringify({ id: 2, command: 'kv.get', payload: { key: 'visits' } }) });
    assert.deepEqual(await read.json(), { id: 2, ok: true, payload: '1', diagnostic: null });
  });

  test('an open server-sent event stream keeps the instance awake; closing it lets it sleep', async () => {
    const events = await get('/events');
    assert.equal(events.headers.get('content-type'), 'text/event-stream');
    const reader = events.body.getReader();
    const first = await reader.read();
    assert.equal(new TextDecoder().decode(first.value), 'data: open\n\n');
    assert.equal(await instance('isActivityExpired'), false, 'expired while the stream is open');

    assert.equal(await (await get('/events/close')).text(), 'closed');
    assert.equal((await reader.read()).done, true);
    assert.equal(await instance('isActivityExpired'), true, 'still awake after the stream closed');
  });

  test('a stop is logged with exit code and reason', async () => {
    logs.length = 0;
    await instance('stop');
    const text = logs.join('');
    assert.match(text, /container stopped/);
    assert.match(text, /exit_code: 0/);
    assert.match(text, /reason: 'exit'/);
  });

  test('a crash is logged with its exit code', async () => {
    assert.equal(await (await get('/ping')).text(), 'ok', 'a request starts the container again');
    logs.length = 0;
    assert.equal(await (await get('/exit?code=3')).text(), 'exiting');
    await instance('stop');
    const text = logs.join('');
    assert.match(text, /container stopped/);
    assert.match(text, /exit_code: 3/);
  });
});
