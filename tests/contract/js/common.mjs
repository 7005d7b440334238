// Shared plumbing of the contract scripts: client options pointed at the stub, and
// one JSON object in (argv[2]) and one out (stdout), so pytest can drive and check them.
//
// REST only, over plain HTTP to 127.0.0.1: `endpoint` + `port` with `tls: false`
// and no fallback hosts (ably-js src/common/lib/util/defaults.ts, normaliseOptions).
// The stub speaks JSON, so `useBinaryProtocol: false` (ably-js defaults to msgpack
// on node).

export function clientOptions(input, extra = {}) {
  return {
    endpoint: '127.0.0.1',
    port: input.port,
    tls: false,
    fallbackHosts: [],
    useBinaryProtocol: false,
    logLevel: 0,
    ...extra,
  };
}

// authCallback handing out TokenRequests made by chatmod (the Python side), one
// per token the client asks for: each is single-use (nonce), as Ably enforces.
export function tokenRequestsCallback(tokenRequests) {
  const queue = [...tokenRequests];
  return (_params, callback) => {
    const next = queue.shift();
    if (next) callback(null, next);
    else callback(new Error('no TokenRequest left'), null);
  };
}

export function errorInfo(error) {
  return {
    message: String(error?.message),
    code: error?.code,
    statusCode: error?.statusCode,
    detail: error?.detail ?? null,
  };
}

// The ErrorInfo a call fails with, or null when it succeeds.
export async function refusal(call) {
  try {
    await call();
    return null;
  } catch (error) {
    return errorInfo(error);
  }
}

export async function run(main) {
  try {
    const output = await main(JSON.parse(process.argv[2]));
    process.stdout.write(JSON.stringify(output));
    process.exit(0);
  } catch (error) {
    process.stderr.write(String(error?.stack ?? error));
    process.stdout.write(JSON.stringify({ error: errorInfo(error) }));
    process.exit(1);
  }
}

// Resolves with the first `count` values pushed to the returned `push`, or rejects
// after `timeoutMs` naming what was still awaited: the scripts wait for what a user
// waits for (messages, state changes), never for a fixed time.
export function collector(count, what, timeoutMs = 10000) {
  const items = [];
  let resolve;
  let reject;
  const done = new Promise((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const timer = setTimeout(
    () => reject(new Error(`timed out waiting for ${what}: got ${items.length} of ${count}`)),
    timeoutMs,
  );
  const push = (item) => {
    items.push(item);
    if (items.length === count) {
      clearTimeout(timer);
      resolve(items);
    }
  };
  return { push, done, items };
}

// The next `event` a connection or channel emits (a state name), or a timeout.
export function nextState(emitter, event, timeoutMs = 10000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${event}`)), timeoutMs);
    emitter.once(event, (change) => {
      clearTimeout(timer);
      resolve(change);
    });
  });
}
