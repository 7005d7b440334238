// A minimal chat client on chatmod, with the pinned `ably` (2.28) and `@ably/chat` (1.4).
//
//   make local                                   # in one terminal
//   node examples/node_chat_client.mjs --user carol --room lobby "hello" "you bastard"
//
// What a chat app does: sign the user in (locally: a bearer token from chatmod's
// GET /_local/token; in production: your identity provider's JWT), give ably-js
// chatmod's /token as `authUrl` with that JWT (chatmod refuses banned users there),
// then talk to Ably: send chat messages (the before-publish rule moderates them; a
// rejection is Ably error 42213 with the rule's `rejectionDetail` as `error.detail`)
// and read the room back. `--via-api` sends through chatmod's POST /messages instead
// (moderated before Ably sees it; a rejection is HTTP 422).
//
// Configuration (environment):
//   CHATMOD_API_URL       chatmod's HTTP API (a deployed stage's `ApiUrl` output);
//                         default http://127.0.0.1:$CHATMOD_LOCAL_PORT (8787): `make local`
//   CHATMOD_BEARER_TOKEN  the user's JWT for a deployed stage; unset: ask the local
//                         system for one (GET /_local/token, loopback only)
//   ABLY_ENDPOINT         an Ably endpoint other than the default (unset for real Ably;
//                         locally it comes from GET /_local)
//
// To stay short the Realtime client never connects (autoConnect: false):
// @ably/chat's messages.send/history are REST calls (Chat REST v4) that work without a
// connection. To receive live, connect and `room.messages.subscribe(listener)` after
// `room.attach()`; that works against real Ably and the local emulator alike.
import * as Ably from 'ably';
import { ChatClient, LogLevel, OrderBy } from '@ably/chat';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const ARGS = {
  user: { type: 'string', default: 'carol' },
  room: { type: 'string', default: 'lobby' },
  'via-api': { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
};

async function getJson(url, init = {}) {
  const reply = await fetch(url, init);
  const body = await reply.json().catch(() => null);
  return { status: reply.status, body };
}

// Where chatmod and Ably are, and the user's bearer token.
async function configure(user) {
  const port = process.env.CHATMOD_LOCAL_PORT || '8787';
  const apiUrl = (process.env.CHATMOD_API_URL || `http://127.0.0.1:${port}`).replace(/\/$/, '');
  let jwt = process.env.CHATMOD_BEARER_TOKEN;
  let ablyUrl = process.env.ABLY_ENDPOINT || null;
  if (!jwt) {
    // Local mode: GET /_local says where the Ably emulator is; /_local/token signs anyone in.
    let local;
    try {
      local = await getJson(`${apiUrl}/_local`);
    } catch (error) {
      throw new Error(`nothing answers at ${apiUrl} (${error.cause?.code ?? error.message}): ` +
        'run `make local`, or set CHATMOD_API_URL and CHATMOD_BEARER_TOKEN for a deployed stage');
    }
    if (local.status !== 200) {
      throw new Error(`${apiUrl}/_local answered ${local.status}: set CHATMOD_BEARER_TOKEN ` +
        '(a deployed stage has no /_local)');
    }
    ablyUrl = ablyUrl || local.body.ablyUrl;
    const token = await getJson(`${apiUrl}/_local/token?clientId=${encodeURIComponent(user)}`);
    if (token.status !== 200) throw new Error(`/_local/token: ${JSON.stringify(token.body)}`);
    jwt = token.body.token;
  }
  return { apiUrl, jwt, ablyUrl };
}

// ably-js authenticated through chatmod's /token (authUrl + the user's JWT).
function realtimeClient({ apiUrl, jwt, ablyUrl }) {
  const options = {
    authUrl: `${apiUrl}/token`,
    authHeaders: { authorization: `Bearer ${jwt}` },
    autoConnect: false, // REST calls only (see the header)
    logLevel: 0,
  };
  if (ablyUrl) {
    // A local emulator: plain HTTP on loopback, no fallback hosts, JSON (not msgpack).
    const url = new URL(ablyUrl.includes('://') ? ablyUrl : `http://${ablyUrl}`);
    Object.assign(options, {
      endpoint: url.hostname,
      port: Number(url.port),
      tls: url.protocol === 'https:',
      fallbackHosts: [],
      useBinaryProtocol: false,
    });
  }
  const realtime = new Ably.Realtime(options);
  return realtime;
}

// How a chat UI tells a sender what happened to a refused send: [label, explanation].
// The rule's `rejectionDetail` arrives as `error.detail` (an object of strings).
export function describeRefusal(error) {
  const detail = error?.detail ?? {};
  if (error?.code === 42213 && detail.reason === 'held_for_review') {
    // Held for a moderator's review: not published unless a moderator approves it.
    return ['held', `waiting for a moderator (review ${detail.reviewId})`];
  }
  if (error?.code === 42213) {
    return ['rejected', `Ably error 42213 (${error.statusCode}), detail ${JSON.stringify(detail)}`];
  }
  if (error?.code === 42211) {
    return ['rejected', `Ably error 42211 (${error.statusCode}): moderation failed, the rule rejects`];
  }
  throw error; // anything else is not a moderation answer
}

// POST /messages: chatmod moderates, then publishes to Ably as the caller.
async function sendViaApi({ apiUrl, jwt }, room, text) {
  const { status, body } = await getJson(`${apiUrl}/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${jwt}`, 'content-type': 'application/json' },
    body: JSON.stringify({ room, text }),
  });
  const quoted = JSON.stringify(text);
  if (status === 201) return `sent      ${quoted}: serial ${body.serial}${body.masked ? ' (masked)' : ''}`;
  if (status === 202 && body.held) return `held      ${quoted}: waiting for a moderator (review ${body.reviewId})`;
  if (status === 422) return `rejected  ${quoted}: HTTP 422, reason ${body.reason}, code ${body.code}`;
  return `refused   ${quoted}: HTTP ${status} ${JSON.stringify(body)}`;
}

async function main() {
  const { values, positionals } = parseArgs({ options: ARGS, allowPositionals: true });
  if (values.help) {
    console.log('usage: node examples/node_chat_client.mjs [--user ID] [--room NAME] [--via-api] [TEXT…]');
    return 0;
  }
  const texts = positionals.length ? positionals : ['hello from ably-js', 'you bastard'];
  const roomName = values.room;
  const config = await configure(values.user);
  const realtime = realtimeClient(config);
  const chat = new ChatClient(realtime, { logLevel: LogLevel.Silent });
  try {
    const room = await chat.rooms.get(roomName);
    for (const text of texts) {
      if (values['via-api']) {
        console.log(await sendViaApi(config, roomName, text));
        continue;
      }
      try {
        const message = await room.messages.send({ text });
        const masked = message.text !== text ? `, Ably has ${JSON.stringify(message.text)}` : '';
        console.log(`sent      ${JSON.stringify(text)}: serial ${message.serial}${masked}`);
      } catch (error) {
        const [label, why] = describeRefusal(error);
        console.log(`${label.padEnd(9)} ${JSON.stringify(text)}: ${why}`);
      }
    }
    const page = await room.messages.history({ limit: 10, orderBy: OrderBy.NewestFirst });
    console.log(`latest in ${JSON.stringify(roomName)}:`);
    for (const message of page.items) {
      console.log(`  ${message.clientId}: ${JSON.stringify(message.text)}`);
    }
  } finally {
    await chat.rooms.release(roomName).catch(() => undefined);
    realtime.close();
  }
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => process.exit(code),
    (error) => {
      console.error(error?.message ?? error);
      process.exit(1);
    },
  );
}
