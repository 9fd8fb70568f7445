// A stand-in for the container engine (ctx.container), so the real ContainerflareContainer class
// runs in Miniflare without Docker. Its "app" answers a few paths the tests use:
//   any request to the health-check hosts   200 (the readiness probe)
//   GET  /env             the start() configuration the class passed (env vars, ...)
//   GET  /ports           the ports the class has connected to
//   GET  /events          a server-sent event stream that stays open until /events/close
//   POST /command         sends the body to the command bridge the way the C++ HTTP transport
//                         does: a POST to http://containerflare.internal/ through the outbound
//                         interception the class registered
//   GET  /exit?code=N     the process exits with code N
class FakeContainer {
  running = false;
  startConfig = null;
  ports = [];
  interceptedHosts = new Map();
  interceptAll = null;
  closeEvents = null;

  start(config) {
    this.running = true;
    this.startConfig = config;
    this.exit = new Promise((resolve, reject) => {
      this.exitWith = (code) => {
        this.running = false;
        // workerd resolves the monitor on a clean exit and rejects it with this message otherwise.
        if (code === 0) resolve();
        else reject(new Error(`container exited with unexpected exit code: ${code}`));
      };
    });
    this.exit.catch(() => {});
  }

  monitor() {
    return this.exit;
  }

  signal(number) {
    // The C++ runtime drains and exits 0 on SIGTERM/SIGINT.
    if (this.running) this.exitWith(number === 15 || number === 2 ? 0 : 128 + number);
  }

  async destroy() {
    if (this.running) this.exitWith(137);
  }

  async interceptOutboundHttp(host, fetcher) {
    this.interceptedHosts.set(host, fetcher);
  }

  async interceptAllOutboundHttp(fetcher) {
    this.interceptAll = fetcher;
  }

  async interceptOutboundHttps() {}

  getTcpPort(port) {
    return {
      fetch: async (url, init) => {
        this.ports.push(port);
        if (!this.running) throw new Error('the container is not listening');
        return this.app(new Request(url, init));
      },
    };
  }

  async app(request) {
    const url = new URL(request.url);
    if (url.pathname === '/env') return Response.json(this.startConfig);
    if (url.pathname === '/ports') return Response.json([...new Set(this.ports)]);
    if (url.pathname === '/events') return this.events();
    if (url.pathname === '/events/close') {
      this.closeEvents?.();
      return new Response('closed');
    }
    if (url.pathname === '/command') {
      const bridge = this.interceptedHosts.get('containerflare.internal') ?? this.interceptAll;
      if (!bridge) return new Response('no outbound interception for containerflare.internal', { status: 599 });
      return bridge.fetch('http://containerflare.internal/', { method: 'POST', body: await request.text() });
    }
    if (url.pathname === '/exit') {
      this.exitWith(Number(url.searchParams.get('code')));
      return new Response('exiting');
    }
    return new Response('ok');
  }

  events() {
    const { readable, writable } = new TransformStream();
    const writer = writable.getWriter();
    writer.write(new TextEncoder().encode('data: open\n\n'));
    this.closeEvents = () => writer.close();
    return new Response(readable, { headers: { 'content-type': 'text/event-stream' } });
  }
}

// The runtime checks that ctx is a real DurableObjectState, so the fake is attached to it as an
// own property that shadows the runtime's (empty) ctx.container.
function withFakeContainer(ctx) {
  Object.defineProperty(ctx, 'container', { value: new FakeContainer(), configurable: true });
  return ctx;
}

// The class itself (same name, same static outboundByHost registration), constructed with the
// fake engine in ctx.container.
export function withFakeEngine(ContainerClass) {
  return new Proxy(ContainerClass, {
    construct(target, [ctx, env], newTarget) {
      return Reflect.construct(target, [withFakeContainer(ctx), env], newTarget);
    },
  });
}
