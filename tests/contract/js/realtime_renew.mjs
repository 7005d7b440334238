// Token renewal on a live connection: the first token lives shorter than the
// emulator's renewal lead, so the server sends AUTH at once; ably-js fetches a new
// token and sends it in an AUTH of its own; the server swaps it in place (CONNECTED,
// same connection id) and the attached channel keeps receiving.
import * as Ably from 'ably';
import { clientOptions, collector, nextState, run, tokenRequestsCallback } from './common.mjs';

await run(async (input) => {
  const client = new Ably.Realtime(
    clientOptions(input, { authCallback: tokenRequestsCallback(input.tokenRequests) }),
  );
  const rest = new Ably.Rest(clientOptions(input, { key: input.key }));
  try {
    await nextState(client.connection, 'connected');
    const firstId = client.connection.id;
    const firstToken = client.auth.tokenDetails.token;
    // The server's AUTH makes ably-js re-authorize; the CONNECTED that follows is an update.
    await nextState(client.connection, 'update');
    const channel = client.channels.get(input.channel);
    const received = collector(1, 'a message after renewal');
    await channel.subscribe((message) => received.push(message.data));
    await rest.channels.get(input.channel).publish('after', 'renewed');
    return {
      sameConnection: client.connection.id === firstId,
      tokenChanged: client.auth.tokenDetails.token !== firstToken,
      state: client.connection.state,
      received: await received.done,
    };
  } finally {
    client.close();
  }
});
