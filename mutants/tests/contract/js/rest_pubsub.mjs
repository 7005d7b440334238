// ably-js Rest with token auth (chatmod's TokenRequest via authCallback): obtain a
// token at /keys/{keyName}/requestToken, publish, publish idempotently, read history.
import * as Ably from 'ably';
import { clientOptions, run, tokenRequestsCallback } from './common.mjs';

await run(async (input) => {
  const rest = new Ably.Rest(
    clientOptions(input, { authCallback: tokenRequestsCallback(input.tokenRequests) }),
  );
  const token = await rest.auth.authorize();
  const channel = rest.channels.get(input.channel);
  const first = await channel.publish('greeting', { hello: 'world' });
  // The same explicit id twice: Ably stores the message once.
  const withId = await channel.publish({ id: 'fixed-id:0', name: 'once', data: 'x' });
  const again = await channel.publish({ id: 'fixed-id:0', name: 'once', data: 'x' });
  await channel.publish('third', 'plain text');
  const page = await channel.history({ limit: 2, direction: 'forwards' });
  const next = page.hasNext() ? await page.next() : null;
  const newest = await channel.history({ limit: 1 });
  const simplify = (m) => ({
    id: m.id,
    name: m.name,
    data: m.data,
    clientId: m.clientId,
    serial: m.serial,
    action: m.action,
    timestamp: m.timestamp,
  });
  return {
    token: { clientId: token.clientId, capability: token.capability, ttl: token.expires - token.issued },
    first,
    withId,
    again,
    page: page.items.map(simplify),
    pageHasNext: page.hasNext(),
    next: next ? next.items.map(simplify) : null,
    nextIsLast: next ? next.isLast() : null,
    newest: newest.items.map(simplify),
  };
});
