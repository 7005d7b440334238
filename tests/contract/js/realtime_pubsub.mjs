// ably-js realtime over the emulator's WebSocket (same host and port as REST): a
// subscriber attached with a token receives a message published over REST and one
// published over realtime (ACKed with its serial); a heartbeat round trip; detach;
// close. `format` picks json or msgpack frames (useBinaryProtocol).
import * as Ably from 'ably';
import { clientOptions, collector, nextState, run, tokenRequestsCallback } from './common.mjs';

await run(async (input) => {
  const binary = input.format === 'msgpack';
  const subscriber = new Ably.Realtime(
    clientOptions(input, {
      authCallback: tokenRequestsCallback(input.subscriberTokenRequests),
      useBinaryProtocol: binary,
    }),
  );
  const publisher = new Ably.Realtime(
    clientOptions(input, {
      authCallback: tokenRequestsCallback(input.publisherTokenRequests),
      useBinaryProtocol: binary,
    }),
  );
  const rest = new Ably.Rest(
    clientOptions(input, { authCallback: tokenRequestsCallback(input.restTokenRequests) }),
  );
  try {
    await Promise.all([nextState(subscriber.connection, 'connected'), nextState(publisher.connection, 'connected')]);
    const channel = subscriber.channels.get(input.channel);
    const received = collector(2, 'two messages');
    await channel.subscribe((message) =>
      received.push({
        name: message.name,
        data: message.data,
        clientId: message.clientId,
        connectionId: message.connectionId,
        id: message.id,
        serial: message.serial,
        action: message.action,
        extras: message.extras ?? null,
        timestamp: message.timestamp,
      }),
    );
    const attached = { state: channel.state, modes: channel.modes, attachSerial: channel.properties.attachSerial };

    await rest.channels.get(input.channel).publish('from-rest', { via: 'rest' });
    const published = await publisher.channels
      .get(input.channel)
      .publish({ name: 'from-realtime', data: 'hello', extras: { headers: { h: 'v' } } });
    const messages = await received.done;

    const pingMs = await subscriber.connection.ping();
    await channel.detach();
    const detachedState = channel.state;
    return {
      subscriber: {
        id: subscriber.connection.id,
        key: subscriber.connection.key,
        clientId: subscriber.auth.clientId,
        details: subscriber.connection.connectionManager.connectionDetails,
      },
      publisherConnectionId: publisher.connection.id,
      attached,
      published,
      messages,
      pingMs,
      detachedState,
    };
  } finally {
    subscriber.close();
    publisher.close();
  }
});
