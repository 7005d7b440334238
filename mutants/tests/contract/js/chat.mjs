// @ably/chat's Messages over REST only: a Realtime client that never connects
// (autoConnect: false) still serves ChatApi, which calls realtime.request() with
// the Chat REST v4 paths (src/core/chat-api.ts). Send, get, history (paged),
// update, delete, and errors for an unknown serial and an empty text.
import * as Ably from 'ably';
import { ChatClient, LogLevel, OrderBy } from '@ably/chat';
import { clientOptions, refusal, run, tokenRequestsCallback } from './common.mjs';

await run(async (input) => {
  const realtime = new Ably.Realtime(
    clientOptions(input, {
      authCallback: tokenRequestsCallback(input.tokenRequests),
      autoConnect: false,
    }),
  );
  const chat = new ChatClient(realtime, {
    logLevel: LogLevel.Silent,
    idempotentRestPublishing: true,
  });
  try {
    const room = await chat.rooms.get(input.room);
    const simplify = (m) => ({
      serial: m.serial,
      clientId: m.clientId,
      text: m.text,
      metadata: m.metadata,
      headers: m.headers,
      action: m.action,
      timestamp: m.timestamp.getTime(),
      version: { ...m.version, timestamp: m.version.timestamp.getTime() },
    });
    const sent = await room.messages.send({ text: 'hello', metadata: { a: 1 }, headers: { h: 'v' } });
    const second = await room.messages.send({ text: 'second', metadata: { m: 2 }, headers: { h: 'w' } });
    const got = await room.messages.get(sent.serial);
    const page = await room.messages.history({ limit: 1, orderBy: OrderBy.NewestFirst });
    const next = page.hasNext() ? await page.next() : null;
    const oldestFirst = await room.messages.history({ orderBy: OrderBy.OldestFirst });
    const updated = await room.messages.update(
      sent.serial,
      { text: 'hello, edited', metadata: { b: 2 } },
      { description: 'typo', metadata: { reason: 'typo' } },
    );
    const deleted = await room.messages.delete(second.serial, { description: 'abusive' });
    const gotDeleted = await room.messages.get(second.serial);
    const historyAfterDelete = await room.messages.history({ orderBy: OrderBy.NewestFirst });
    const unknown = await refusal(() =>
      room.messages.delete('01726000000000-000@nowhere:000', { description: 'x' }),
    );
    // @ably/chat sends an empty text as it is (messages.ts): Ably refuses it.
    const emptySend = await refusal(() => room.messages.send({ text: '' }));
    const emptyUpdate = await refusal(() => room.messages.update(sent.serial, { text: '' }));
    return {
      sent: simplify(sent),
      second: simplify(second),
      got: simplify(got),
      page: page.items.map(simplify),
      pageHasNext: page.hasNext(),
      next: next ? next.items.map(simplify) : null,
      oldestFirst: oldestFirst.items.map((m) => m.serial),
      updated: simplify(updated),
      deleted: simplify(deleted),
      gotDeleted: simplify(gotDeleted),
      historyAfterDelete: historyAfterDelete.items.map(simplify),
      unknown,
      emptySend,
      emptyUpdate,
    };
  } finally {
    await chat.rooms.release(input.room).catch(() => undefined);
    realtime.close();
  }
});
