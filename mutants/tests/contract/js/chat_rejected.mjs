// A chat send that the room's before-publish rule rejects: @ably/chat raises an
// ErrorInfo carrying Ably's code (42213, or 42211 when the rule failed) and the
// rule's rejectionDetail as `detail` (src/core/chat-api.ts, _doRequest). Then a
// send the rule accepts, to show the room still works, and an edit of it to the
// rejected text.
import * as Ably from 'ably';
import { ChatClient, LogLevel } from '@ably/chat';
import { clientOptions, errorInfo, refusal, run, tokenRequestsCallback } from './common.mjs';

await run(async (input) => {
  const realtime = new Ably.Realtime(
    clientOptions(input, {
      authCallback: tokenRequestsCallback(input.tokenRequests),
      autoConnect: false,
    }),
  );
  const chat = new ChatClient(realtime, { logLevel: LogLevel.Silent });
  try {
    const room = await chat.rooms.get(input.room);
    let rejected = null;
    try {
      await room.messages.send({ text: input.rejectedText });
    } catch (error) {
      rejected = { ...errorInfo(error), isErrorInfo: error instanceof Ably.ErrorInfo };
    }
    const accepted = await room.messages.send({ text: input.acceptedText });
    // An edit to the rejected text: refused the same way when the rule runs on updates.
    const rejectedEdit = await refusal(() =>
      room.messages.update(accepted.serial, { text: input.rejectedText }),
    );
    return { rejected, rejectedEdit, accepted: { text: accepted.text, serial: accepted.serial } };
  } finally {
    await chat.rooms.release(input.room).catch(() => undefined);
    realtime.close();
  }
});
