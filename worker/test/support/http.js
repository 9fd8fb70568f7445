// Small helpers for talking to the Worker under test.

// The command bridge: one POST per request text, as the container's HTTP transport sends it.
export function bridgeSender(mf) {
  return async (text) => {
    const response = await mf.dispatchFetch('http://containerflare.internal/', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: text,
    });
    if (response.status !== 200) throw new Error(`bridge answered HTTP ${response.status}: ${await response.text()}`);
    return response.json();
  };
}

export async function invoke(mf, command, payload, id = 1) {
  return bridgeSender(mf)(JSON.stringify({ id, command, payload }));
}

// Waits until `count` queue messages have reached the test consumer; fails after `timeoutMs`.
export async function queuedBodies(mf, count, timeoutMs = 20000) {
  const response = await mf.dispatchFetch(`http://queue-sink.test/wait?count=${count}`, {
    signal: AbortSignal.timeout(timeoutMs),
  });
  return response.json();
}
