/** The live view's Ably side: one realtime connection with the moderator's token (from
 * chatmod's `/token`), and one `@ably/chat` room at a time.
 *
 * This module (with `ably` and `@ably/chat`) is only reached through the lazily loaded live
 * view, so the SDKs are not in the console's first load. */
import * as Ably from "ably";
import {
  ChatClient,
  ChatMessageAction,
  ChatMessageEventType,
  LogLevel,
  type Message,
  type Room,
} from "@ably/chat";
import { ApiError, describe, type ModeratorApi } from "../api";
import type { AblyEndpoint } from "../config";
import { formatTime } from "../format";

export { ChatMessageAction, ChatMessageEventType };
export type { Message };

/** What the connection is doing, as a moderator reads it. */
export interface ConnectionState {
  state: string;
  reason: string | null;
}

/** A realtime connection as the signed-in moderator, and the chat client on it. */
export function connect(
  api: ModeratorApi,
  where: AblyEndpoint | undefined,
  onState: (state: ConnectionState) => void,
): { chat: ChatClient; close: () => void } {
  const realtime = new Ably.Realtime({
    // ably-js asks again whenever the token is about to expire or was revoked. A refusal
    // from /token (403: a banned or demoted moderator) is passed on with its status, so
    // that ably-js fails the connection (RSA4d) instead of retrying for ever.
    authCallback: (_params, callback) => {
      api.ablyTokenRequest().then(
        (request) => callback(null, request as Ably.TokenRequest),
        (error: unknown) => {
          const status = error instanceof ApiError && error.status ? error.status : 500;
          callback(new Ably.ErrorInfo(refusal(error), status * 100, status), null);
        },
      );
    },
    // The chat REST calls and the token exchange speak JSON (the emulator's REST is JSON only).
    useBinaryProtocol: false,
    ...(where
      ? {
          endpoint: where.endpoint,
          tls: where.tls ?? true,
          ...(where.port === undefined
            ? {}
            : where.tls === false
              ? { port: where.port }
              : { tlsPort: where.port }),
          // A named endpoint or host of its own: no fallback hosts to try.
          fallbackHosts: [],
        }
      : {}),
  });
  const report = () => {
    const error = realtime.connection.errorReason;
    // ably-js wraps the authCallback's error: the cause holds /token's own words.
    const reason = error ? (error.cause?.message ?? error.message) : null;
    onState({ state: realtime.connection.state, reason });
  };
  realtime.connection.on(report);
  report();
  const chat = new ChatClient(realtime, { logLevel: LogLevel.Silent });
  return {
    chat,
    close: () => {
      void chat.dispose().catch(() => undefined);
      realtime.close();
    },
  };
}

/** Attach to `name` and pass every message event on; the latest history first. */
export async function watch(
  chat: ChatClient,
  name: string,
  handlers: {
    onMessage: (message: Message, live: boolean) => void;
    onStatus: (status: string, reason: string | null) => void;
  },
): Promise<() => void> {
  const room: Room = await chat.rooms.get(name);
  const statusSubscription = room.onStatusChange((change) =>
    handlers.onStatus(change.current, change.error ? describeAbly(change.error) : null),
  );
  const subscription = room.messages.subscribe((event) => handlers.onMessage(event.message, true));
  handlers.onStatus(room.status, room.error ? describeAbly(room.error) : null);
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    subscription.unsubscribe();
    statusSubscription.off();
    void chat.rooms.release(name).catch(() => undefined);
  };
  try {
    await room.attach();
  } catch (error) {
    handlers.onStatus(room.status, describeAbly(error));
    return release;
  }
  try {
    const earlier = await subscription.historyBeforeSubscribe({ limit: 50 });
    if (!released) for (const message of earlier.items) handlers.onMessage(message, false);
  } catch {
    // History is a convenience (it needs the history capability): live messages still come.
  }
  return release;
}

/** What /token said when it refused: "banned until …" rather than the generic words. */
function refusal(error: unknown): string {
  if (error instanceof ApiError && error.code === "banned") {
    const until = error.body.bannedUntil;
    return typeof until === "string"
      ? `/token refuses you: banned until ${formatTime(until)}`
      : "/token refuses you: banned permanently";
  }
  return describe(error);
}

function describeAbly(error: unknown): string {
  if (error instanceof Ably.ErrorInfo) return error.cause?.message ?? error.message;
  return error instanceof Error ? error.message : String(error);
}
