// Who a token lets ably-js publish as (https://ably.com/docs/auth/identified-clients):
// a token for one clientId publishes as that client only (ably-js 2.x does not check
// a message's clientId itself: Ably refuses another with 40012); a token for the
// wildcard `*` publishes as anyone; a token without a clientId as nobody.
import * as Ably from 'ably';
import { clientOptions, refusal, run, tokenRequestsCallback } from './common.mjs';

const restWith = (input, tokenRequests) =>
  new Ably.Rest(clientOptions(input, { authCallback: tokenRequestsCallback(tokenRequests) }));

await run(async (input) => {
  const alice = restWith(input, input.aliceTokenRequests).channels.get(input.channel);
  await alice.publish('implicit', 'x');
  await alice.publish({ name: 'explicit', data: 'x', clientId: 'alice' });
  const aliceAsMallory = await refusal(() =>
    alice.publish({ name: 'spoof', data: 'x', clientId: 'mallory' }),
  );

  const wildcard = restWith(input, input.wildcardTokenRequests).channels.get(input.channel);
  await wildcard.publish({ name: 'as-bob', data: 'x', clientId: 'bob' });
  await wildcard.publish({ name: 'as-carol', data: 'x', clientId: 'carol' });

  const anonymous = restWith(input, input.anonymousTokenRequests).channels.get(input.channel);
  await anonymous.publish('anonymous', 'x');
  const anonymousAsBob = await refusal(() =>
    anonymous.publish({ name: 'spoof', data: 'x', clientId: 'bob' }),
  );
  return { aliceAsMallory, anonymousAsBob };
});
