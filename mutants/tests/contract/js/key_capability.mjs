// A key whose own capability lacks operations (as a production key may be set up in
// Ably's dashboard): ably-js with the key itself (Basic auth) and with tokens the key
// issued meets Ably's 40160 for what the key may not do, and a token's capability
// is the intersection of what it asks for with the key's.
import * as Ably from 'ably';
import { ChatClient, LogLevel } from '@ably/chat';
import { clientOptions, refusal, run } from './common.mjs';

const privileged = { name: 'e', data: 'x', extras: { privileged: { skipRule: '*' } } };

await run(async (input) => {
  const keyRest = new Ably.Rest(clientOptions(input, { key: input.key }));
  const events = keyRest.channels.get('events');
  const plain = await events.publish('e', 'x');
  const privilegedWithKey = await refusal(() => events.publish(privileged));

  // No capability asked for: the token gets the key's.
  const wildcard = await keyRest.auth.requestToken({ clientId: '*' });
  // Everything asked for: the token still gets only the key's.
  const everything = await keyRest.auth.requestToken({ capability: { '*': ['*'] } });
  const disjoint = await refusal(() =>
    keyRest.auth.requestToken({ capability: { '*': ['privileged-headers'] } }),
  );
  const tokenRest = new Ably.Rest(clientOptions(input, { token: everything.token }));
  const privilegedWithToken = await refusal(() => tokenRest.channels.get('events').publish(privileged));

  // @ably/chat with the key, acting as a service user: send works, delete does not.
  const realtime = new Ably.Realtime(
    clientOptions(input, { key: input.key, clientId: 'svc', autoConnect: false }),
  );
  const chat = new ChatClient(realtime, { logLevel: LogLevel.Silent });
  try {
    const room = await chat.rooms.get('lobby');
    const sent = await room.messages.send({ text: 'hi' });
    const deleteWithKey = await refusal(() => room.messages.delete(sent.serial));
    return {
      plain,
      privilegedWithKey,
      wildcard: { clientId: wildcard.clientId, capability: wildcard.capability },
      everything: { capability: everything.capability },
      disjoint,
      privilegedWithToken,
      sent: { text: sent.text, clientId: sent.clientId },
      deleteWithKey,
    };
  } finally {
    await chat.rooms.release('lobby').catch(() => undefined);
    realtime.close();
  }
});
