// ably-js publish -> delivery latency through the emulator (bench/realtime_bench.py):
// a subscriber and a publisher connection (key auth, JSON), one message at a time,
// published over REST (ably-js Rest) and over realtime; prints the milliseconds of
// each as {"REST publish -> realtime delivery": [...], "realtime publish -> ...": [...]}.
import * as Ably from 'ably';

const input = JSON.parse(process.argv[2]);
const options = (extra) => ({
  endpoint: '127.0.0.1',
  port: input.port,
  tls: false,
  fallbackHosts: [],
  useBinaryProtocol: false,
  logLevel: 0,
  key: input.key,
  ...extra,
});

const subscriber = new Ably.Realtime(options({ clientId: 'sub' }));
const publisher = new Ably.Realtime(options({ clientId: 'pub' }));
// ably-js refuses Basic auth over plain HTTP for REST: a token from the key instead.
const tokenDetails = await new Ably.Rest(options({ useTokenAuth: true })).auth.requestToken({ clientId: 'rest' });
const rest = new Ably.Rest(options({ key: undefined, token: tokenDetails.token }));
const waiting = new Map();
const channel = subscriber.channels.get('bench-js');
await channel.subscribe((message) => {
  const resolve = waiting.get(message.name);
  if (resolve) resolve(performance.now());
});
const arrival = (name) => new Promise((resolve) => waiting.set(name, resolve));

const timings = { 'REST publish -> realtime delivery': [], 'realtime publish -> realtime delivery': [] };
const restChannel = rest.channels.get('bench-js');
const realtimeChannel = publisher.channels.get('bench-js');
await realtimeChannel.attach();
for (let i = 0; i < input.count; i += 1) {
  const arrived = arrival(`rest-${i}`);
  const started = performance.now();
  await restChannel.publish(`rest-${i}`, 'hello');
  timings['REST publish -> realtime delivery'].push((await arrived) - started);
}
for (let i = 0; i < input.count; i += 1) {
  const arrived = arrival(`rt-${i}`);
  const started = performance.now();
  realtimeChannel.publish(`rt-${i}`, 'hello');
  timings['realtime publish -> realtime delivery'].push((await arrived) - started);
}
subscriber.close();
publisher.close();
process.stdout.write(JSON.stringify(timings));
process.exit(0);
