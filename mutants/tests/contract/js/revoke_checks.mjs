// revokeTokens with the key (Basic auth) as ably-js sends it, once per `issuedBefore`
// asked for (null: none): each answer is the TokenRevocationResult or the ErrorInfo
// Ably refused it with (https://ably.com/docs/auth/revocation).
import * as Ably from 'ably';
import { clientOptions, refusal, run } from './common.mjs';

await run(async (input) => {
  const keyRest = new Ably.Rest(clientOptions(input, { key: input.key }));
  const target = [{ type: 'clientId', value: input.target }];
  const answers = [];
  for (const issuedBefore of input.issuedBefore) {
    const options = issuedBefore === null ? {} : { issuedBefore };
    let result = null;
    const error = await refusal(async () => {
      result = await keyRest.auth.revokeTokens(target, options);
    });
    answers.push({ result, error });
  }
  return { answers };
});
