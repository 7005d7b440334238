// The errors an ably-js realtime client meets at the emulator, as against Ably:
// - attaching to a channel its capability grants nothing on: a channel ERROR 40160
//   (the channel fails; the connection stays up);
// - a capability with publish but not subscribe on the channel: the attach succeeds
//   without the subscribe mode (Ably drops the modes the capability does not grant),
//   so a strictMode subscribe fails with ably-js's 90009;
// - a wrong key secret: the connection fails with 40101;
// - a token the service does not know (unrenewable): the connection fails.
import * as Ably from 'ably';
import { clientOptions, errorInfo, nextState, refusal, run, tokenRequestsCallback } from './common.mjs';

await run(async (input) => {
  const clients = [];
  const realtime = (extra) => {
    const client = new Ably.Realtime(clientOptions(input, extra));
    clients.push(client);
    return client;
  };
  try {
    const narrow = realtime({ authCallback: tokenRequestsCallback(input.otherRoomTokenRequests) });
    const denied = narrow.channels.get(input.channel);
    const attachRefusal = await refusal(() => denied.attach());
    const deniedState = denied.state;
    const connectionAfterDenial = narrow.connection.state;

    const publishOnly = realtime({
      authCallback: tokenRequestsCallback(input.publishOnlyTokenRequests),
      strictMode: true,
    });
    const publishChannel = publishOnly.channels.get(input.channel);
    const subscribeRefusal = await refusal(() => publishChannel.subscribe(() => undefined));
    const publishOnlyModes = publishChannel.modes;
    const publishOnlyState = publishChannel.state;

    const badKey = realtime({ key: input.badKey });
    const badKeyChange = await nextState(badKey.connection, 'failed');

    const unknownToken = realtime({ token: 'emulator-token.never-issued' });
    const unknownTokenChange = await nextState(unknownToken.connection, 'failed');
    return {
      attachRefusal,
      deniedState,
      connectionAfterDenial,
      subscribeRefusal,
      publishOnlyModes,
      publishOnlyState,
      badKey: errorInfo(badKeyChange.reason),
      unknownToken: errorInfo(unknownTokenChange.reason),
    };
  } finally {
    for (const client of clients) client.close();
  }
});
