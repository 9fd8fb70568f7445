// The Worker under test: the real fetch handler (src/worker.js) and the real command bridge,
// reached through the real ContainerProxy of @cloudflare/containers. Each test picks the class
// bound as CONTAINER:
//   InstanceProbe       answers with its own id and the request it was given (routing, metadata)
//   ForwardToApp        proxies to the C++ app the test started on 127.0.0.1:APP_PORT
//   ContainerUnderTest  the real ContainerflareContainer on a stand-in container engine
// QueueSink collects what the queue consumer receives, so tests can await delivery.
import { ContainerProxy } from '@cloudflare/containers';
import { DurableObject } from 'cloudflare:workers';
import { ContainerflareContainer } from '../../src/container.js';
import { SINGLE_INSTANCE_NAME } from '../../src/routing.js';
import { handleFetch } from '../../src/worker.js';
import { withFakeEngine } from './fake-container.js';

export { ContainerProxy };
export const ContainerUnderTest = withFakeEngine(ContainerflareContainer);

const BRIDGE_CLASS_NAME = ContainerflareContainer.name;

export class InstanceProbe extends DurableObject {
  async fetch(request) {
    return Response.json({
      id: this.ctx.id.toString(),
      url: request.url,
      method: request.method,
      headers: Object.fromEntries(request.headers),
      body: await request.text(),
    });
  }
}

// Reports the metadata header it forwarded in x-test-sent-metadata, so a test can compare what
// the Worker built with what the app saw.
export class ForwardToApp extends DurableObject {
  async fetch(request) {
    const url = new URL(request.url);
    const target = `http://127.0.0.1:${this.env.APP_PORT}${url.pathname}${url.search}`;
    const response = await fetch(new Request(target, request));
    const reported = new Response(response.body, response);
    reported.headers.set('x-test-sent-metadata', request.headers.get('x-containerflare-metadata') ?? '');
    return reported;
  }
}

export class QueueSink extends DurableObject {
  messages = [];
  waiters = [];

  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === '/record') {
      this.messages.push(...(await request.json()));
      for (const waiter of this.waiters.splice(0)) waiter();
      return new Response(null, { status: 204 });
    }
    // /wait?count=N answers once N messages have arrived.
    const count = Number(url.searchParams.get('count'));
    while (this.messages.length < count) {
      await new Promise((resolve) => this.waiters.push(resolve));
    }
    return Response.json(this.messages);
  }
}

function queueSink(env) {
  return env.QUEUE_SINK.get(env.QUEUE_SINK.idFromName('sink'));
}

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.hostname === 'containerflare.internal') {
      // What the container's outbound request meets on Cloudflare: ContainerProxy with the
      // props the Container class gives it for per-host interception.
      const proxy = ctx.exports.ContainerProxy({
        props: { className: BRIDGE_CLASS_NAME, containerId: 'test', enableInternet: false, interceptAll: false },
      });
      return proxy.fetch(request);
    }
    if (url.hostname === 'queue-sink.test') return queueSink(env).fetch(request);
    if (url.hostname === 'instance.test') {
      // RPC into the instance that serves the default route, e.g. /isActivityExpired.
      const stub = env.CONTAINER.get(env.CONTAINER.idFromName(SINGLE_INSTANCE_NAME));
      return Response.json((await stub[url.pathname.slice(1)]()) ?? null);
    }
    return handleFetch(request, env);
  },

  async queue(batch, env) {
    const bodies = batch.messages.map((message) => message.body);
    await queueSink(env).fetch('http://queue-sink.test/record', { method: 'POST', body: JSON.stringify(bodies) });
    batch.ackAll();
  },
};
