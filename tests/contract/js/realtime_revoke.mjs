// Token revocation on a live realtime connection, as chatmod does it when it bans a
// user: the emulator drops bob's connection with DISCONNECTED 40141; ably-js asks its
// auth provider for a new token, which refuses (403, as chatmod's /token does for a
// banned user), so the connection fails. Alice, not revoked, stays connected.
import * as Ably from 'ably';
import { clientOptions, errorInfo, nextState, run, tokenRequestsCallback } from './common.mjs';

const banned = (_params, callback) => callback(new Ably.ErrorInfo('banned', 40300, 403), null);

await run(async (input) => {
  const queue = [...input.bobTokenRequests];
  let authCalls = 0;
  const bob = new Ably.Realtime(
    clientOptions(input, {
      authCallback: (params, callback) => {
        authCalls += 1;
        const next = queue.shift();
        return next ? callback(null, next) : banned(params, callback);
      },
    }),
  );
  const alice = new Ably.Realtime(
    clientOptions(input, { authCallback: tokenRequestsCallback(input.aliceTokenRequests) }),
  );
  const admin = new Ably.Rest(clientOptions(input, { key: input.key }));
  try {
    const bobChannel = bob.channels.get(input.channel);
    await Promise.all([bobChannel.attach(), alice.channels.get(input.channel).attach()]);
    const changes = [];
    bob.connection.on((change) =>
      changes.push({ current: change.current, reason: change.reason ? errorInfo(change.reason) : null }),
    );
    const failed = nextState(bob.connection, 'failed');
    const result = await admin.auth.revokeTokens([{ type: 'clientId', value: 'bob' }]);
    const failure = await failed;
    return {
      result,
      changes,
      failure: { ...errorInfo(failure.reason), cause: errorInfo(failure.reason.cause) },
      bobChannelState: bobChannel.state,
      aliceState: alice.connection.state,
      authCalls,
    };
  } finally {
    bob.close();
    alice.close();
  }
});
