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
