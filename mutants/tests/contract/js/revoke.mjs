// Token revocation as ably-js does it (src/common/lib/client/rest.ts revokeTokens):
// refused under token auth with 40162 (by the client, and by the stub when the
// request is sent anyway), accepted with the key (Basic auth).
import * as Ably from 'ably';
import { clientOptions, errorInfo, run, tokenRequestsCallback } from './common.mjs';

await run(async (input) => {
  const keyName = input.key.split(':')[0];
  const tokenRest = new Ably.Rest(
    clientOptions(input, { authCallback: tokenRequestsCallback(input.tokenRequests) }),
  );
  let clientRefusal = null;
  try {
    await tokenRest.auth.revokeTokens([{ type: 'clientId', value: input.target }]);
  } catch (error) {
    clientRefusal = errorInfo(error);
  }
  // The same call sent anyway, with the token: the service must refuse it too.
  const raw = await tokenRest.request('post', `/keys/${keyName}/revokeTokens`, 3, null, {
    targets: [`clientId:${input.target}`],
  });
  const serverRefusal = {
    success: raw.success,
    statusCode: raw.statusCode,
    errorCode: raw.errorCode,
    errorMessage: raw.errorMessage,
  };
  const keyRest = new Ably.Rest(clientOptions(input, { key: input.key }));
  const result = await keyRest.auth.revokeTokens([{ type: 'clientId', value: input.target }], {
    allowReauthMargin: false,
  });
  return { clientRefusal, serverRefusal, result };
});
