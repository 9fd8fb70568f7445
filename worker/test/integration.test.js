// The Worker in front of the real C++ example app: Miniflare runs the Worker, and a Durable Object
// forwards to containerflare-basic started here on 127.0.0.1 (taken from CONTAINERFLARE_BASIC_BIN,
// else ../build/app/containerflare-basic). The app's GET / answers ["it works!", {metadata}].
// A missing program fails this test; it is never skipped.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startApp, stopApp } from './support/app-process.js';
import { DEFAULT_CF, startWorker } from './support/miniflare.js';

const SECRET = 'integration-secret-7f3a';
const CF = { ...DEFAULT_CF, region: 'Baden-Württemberg', regionCode: 'BW', city: 'Schwäbisch Gmünd' };
const FORGED = JSON.stringify({ country: 'XX', worker_name: 'forged', request_id: 'forged-id' });

describe('Worker + containerflare-basic', () => {
  let app;
  let mf;
  before(async () => {
    app = await startApp({ CF_CMD_ENDPOINT: 'disabled', CONTAINERFLARE_SHARED_SECRET: SECRET });
    mf = await startWorker({
      container: 'ForwardToApp',
      cf: CF,
      vars: { APP_PORT: String(app.port), CONTAINERFLARE_WORKER: 'containerflare-it', CONTAINERFLARE_SHARED_SECRET: SECRET },
    });
  });
  after(async () => {
    await mf?.dispose();
    await stopApp(app);
  });

  async function appEcho(response) {
    assert.equal(response.status, 200, await response.clone().text());
    const body = await response.json();
    assert.ok(Array.isArray(body) && body.length === 2, JSON.stringify(body));
    assert.equal(body[0], 'it works!');
    return body[1];
  }

  test('GET / shows the metadata the Worker built', async () => {
    const response = await mf.dispatchFetch('https://shop.example.com/?from=worker', {
      headers: {
        'cf-ray': '8a7b6c5d4e3f2a1b-FRA',
        'cf-connecting-ip': '203.0.113.50',
        'x-forwarded-for': '203.0.113.50',
        'user-agent': 'integration-test/1.0',
        'accept-language': 'de-CH',
        'x-containerflare-metadata': FORGED,
      },
    });
    const sent = JSON.parse(response.headers.get('x-test-sent-metadata'));
    const shown = await appEcho(response);
    assert.deepEqual(shown, sent);
    assert.equal(shown.request_id, '8a7b6c5d4e3f2a1b-FRA');
    assert.equal(shown.country, 'DE');
    assert.equal(shown.region, 'Baden-Württemberg');
    assert.equal(shown.city, 'Schwäbisch Gmünd');
    assert.equal(shown.worker_name, 'containerflare-it');
    assert.deepEqual(shown.platform, { platform: 'cloudflare', worker_name: 'containerflare-it' });
    assert.equal(shown.client_ip, '203.0.113.50');
    assert.equal(shown.host, 'shop.example.com');
    assert.equal(shown.path, '/?from=worker');
    assert.equal(shown.user_agent, 'integration-test/1.0');
  });

  test('the app ignores metadata that comes without the shared secret', async () => {
    const shown = await appEcho(await fetch(`http://127.0.0.1:${app.port}/`, { headers: { 'x-containerflare-metadata': FORGED } }));
    assert.notEqual(shown.country, 'XX');
    assert.notEqual(shown.worker_name, 'forged');
    assert.notEqual(shown.request_id, 'forged-id');
  });

  test('the app trusts metadata that carries the shared secret', async () => {
    const shown = await appEcho(await fetch(`http://127.0.0.1:${app.port}/`, {
      headers: { 'x-containerflare-metadata': FORGED, 'x-containerflare-auth': SECRET },
    }));
    assert.equal(shown.country, 'XX');
    assert.equal(shown.request_id, 'forged-id');
  });

  test('the app wrote nothing to stdout (stdout belongs to the stdio command transport)', () => {
    assert.equal(app.stdout, '');
  });
});
