// ably-js realtime over the emulator's WebSocket (same host and port as REST): a
// subscriber attached with a token receives a message published over REST and two
// published over realtime (text, and binary data; ACKed with their serials); a
// heartbeat round trip; detach; close. `format` picks json or msgpack frames
// (useBinaryProtocol on the realtime clients; REST stays JSON).
import * as Ably from 'ably';
import { clientOptions, collector, nextState, run, tokenRequestsCallback } from './common.mjs';

await run(async (input) => {
  const useBinaryProtocol = input.format === 'msgpack';
  const subscriber = new Ably.Realtime(
    clientOptions(input, {
      authCallback: tokenRequestsCallback(input.subscriberTokenRequests),
      useBinaryProtocol,
    }),
  );
  const publisher = new Ably.Realtime(
    clientOptions(input, {
      authCallback: tokenRequestsCallback(input.publisherTokenRequests),
      useBinaryProtocol,
    }),
  );
  const rest = new Ably.Rest(
    clientOptions(input, { authCallback: tokenRequestsCallback(input.restTokenRequests) }),
  );
  try {
    await Promise.all([nextState(subscriber.connection, 'connected'), nextState(publisher.connection, 'connected')]);
    const channel = subscriber.channels.get(input.channel);
    const received = collector(3, 'three messages');
    await channel.subscribe((message) =>
      received.push({
        name: message.name,
        data: Buffer.isBuffer(message.data) ? { base64: message.data.toString('base64') } : message.data,
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
    const binaryPublished = await publisher.channels.get(input.channel).publish('binary', Buffer.from([0, 1, 255]));
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
      binaryPublished,
      messages,
      pingMs,
      detachedState,
    };
  } finally {
    subscriber.close();
    publisher.close();
  }
});
