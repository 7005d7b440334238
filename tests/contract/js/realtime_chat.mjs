// @ably/chat realtime against the emulator: a reader attached to a room receives,
// through room.messages.subscribe, a message another client sent (Chat REST), then
// its update and its delete, with the action, serial and version fields @ably/chat
// reads (src/core/message-parser.ts); historyBeforeSubscribe returns only what was
// sent before the reader attached (fromSerial = the channel's attach serial).
import * as Ably from 'ably';
import { ChatClient, LogLevel } from '@ably/chat';
import { clientOptions, collector, run, tokenRequestsCallback } from './common.mjs';

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

await run(async (input) => {
  const readerRealtime = new Ably.Realtime(
    clientOptions(input, { authCallback: tokenRequestsCallback(input.readerTokenRequests) }),
  );
  const writerRealtime = new Ably.Realtime(
    clientOptions(input, {
      authCallback: tokenRequestsCallback(input.writerTokenRequests),
      autoConnect: false,
    }),
  );
  const reader = new ChatClient(readerRealtime, { logLevel: LogLevel.Silent });
  const writer = new ChatClient(writerRealtime, { logLevel: LogLevel.Silent });
  try {
    const writerRoom = await writer.rooms.get(input.room);
    const earlier = await writerRoom.messages.send({ text: 'before the reader came' });

    const room = await reader.rooms.get(input.room);
    const events = collector(3, 'created, updated and deleted events');
    const subscription = room.messages.subscribe((event) =>
      events.push({ type: event.type, message: simplify(event.message) }),
    );
    await room.attach();
    const status = room.status;

    const sent = await writerRoom.messages.send({ text: 'hello', metadata: { a: 1 }, headers: { h: 'v' } });
    const updated = await writerRoom.messages.update(
      sent.serial,
      { text: 'hello, edited', metadata: { b: 2 } },
      { description: 'typo' },
    );
    const deleted = await writerRoom.messages.delete(sent.serial, { description: 'oops' });
    const received = await events.done;
    const before = await subscription.historyBeforeSubscribe({ limit: 10 });
    return {
      status,
      earlier: simplify(earlier),
      sent: simplify(sent),
      updated: simplify(updated),
      deleted: simplify(deleted),
      received,
      before: before.items.map(simplify),
    };
  } finally {
    await reader.rooms.release(input.room).catch(() => undefined);
    readerRealtime.close();
    writerRealtime.close();
  }
});
