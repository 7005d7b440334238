/** Live room view (#/live/<room>): a room's messages as they are published, with what
 * moderation did to them; delete a message, ban or time out its sender, or open the
 * sender's user view — from the message, in at most two clicks; see and change the room's
 * slow mode (./SlowMode). Loaded lazily: it is the
 * only view that needs the Ably SDKs. */
import { type FormEvent, useCallback, useEffect, useRef, useState } from "react";
import { ApiError, describe, type ModeratorApi } from "../api";
import { userHref } from "../components/ClientLink";
import { DURATIONS } from "../components/durations";
import type { AblyEndpoint } from "../config";
import { formatClock, formatTime } from "../format";
import { ChatMessageAction, type ConnectionState, connect, type Message, watch } from "./chat";
import SlowMode from "./SlowMode";

/** The most messages kept on screen (the oldest go first). */
const KEEP = 200;
/** How often the count of new messages is announced to screen readers, at most. */
const ANNOUNCE_MS = 4000;
const WATCHED_KEY = "chatmod.console.watchedRooms";
const DEFAULT_REASON = "Breaks the room rules";
const REASONS = ["Breaks the room rules", "Spam", "Harassment", "Hate speech", "Sexual content"];

/** A message as the view shows it: the latest version, and the text it had before a delete
 * blanked it (when this view saw it). */
interface Shown {
  message: Message;
  earlierText: string | null;
  live: boolean;
}

export default function LiveRoom(props: {
  api: ModeratorApi;
  ably: AblyEndpoint | undefined;
  room: string;
}) {
  const { api, ably, room } = props;
  const [connection, setConnection] = useState<ConnectionState>({
    state: "initialized",
    reason: null,
  });
  const [chat, setChat] = useState<ReturnType<typeof connect>["chat"] | null>(null);
  // Rooms with recent moderation (the audit log): also the moderator check, so that a
  // signed-in chat user gets the refusal and no connection, as in every other view.
  const [recent, setRecent] = useState<string[] | null>(null);
  const [denied, setDenied] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    api.recentRooms().then(
      (rooms) => live && setRecent(rooms.slice(0, 8)),
      (caught: unknown) => {
        if (!live) return;
        if (caught instanceof ApiError && (caught.status === 401 || caught.status === 403)) {
          setDenied(describe(caught));
        } else {
          setRecent([]); // the list is a convenience: typing a room still works
        }
      },
    );
    return () => {
      live = false;
    };
  }, [api]);

  const allowed = recent !== null;
  useEffect(() => {
    if (!allowed) return;
    const session = connect(api, ably, setConnection);
    setChat(session.chat);
    return () => {
      setChat(null);
      session.close();
    };
  }, [api, ably, allowed]);

  if (denied) {
    return (
      <section aria-labelledby="live-title">
        <h1 id="live-title">Live room</h1>
        <p role="alert" className="error">
          {denied}
        </p>
      </section>
    );
  }
  return (
    <section aria-labelledby="live-title">
      <h1 id="live-title">{room ? `Live: ${room}` : "Live room"}</h1>
      <ConnectionBanner connection={connection} />
      <PickRoom current={room} recent={recent ?? []} />
      {/* Its own key: RoomMessages, a sibling, is keyed by the room's name already. */}
      {room && allowed ? <SlowMode key={`slow-mode:${room}`} api={api} room={room} /> : null}
      {room && chat ? (
        <RoomMessages key={room} api={api} chat={chat} room={room} />
      ) : (
        !room && <p>Type a room's name, or pick a recently active one, to watch it live.</p>
      )}
    </section>
  );
}

const STATE_TEXT: Record<string, string> = {
  initialized: "Connecting…",
  connecting: "Connecting…",
  connected: "Connected",
  disconnected: "Disconnected — reconnecting…",
  suspended: "Connection lost — retrying…",
  closing: "Closing…",
  closed: "Closed",
  failed: "Connection failed",
};

function ConnectionBanner(props: { connection: ConnectionState }) {
  const { state, reason } = props.connection;
  const bad = state === "failed" || state === "suspended";
  return (
    <p className={`connection connection-${state}`} role="status">
      <span className="dot" aria-hidden="true" />
      Ably: <strong>{STATE_TEXT[state] ?? state}</strong>
      {reason && (bad || state === "disconnected") ? (
        <span className={`connection-reason ${bad ? "error" : "muted"}`}>{reason}</span>
      ) : null}
    </p>
  );
}

function loadWatched(): string[] {
  try {
    const value = JSON.parse(localStorage.getItem(WATCHED_KEY) ?? "[]") as unknown;
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === "string") : [];
  } catch {
    return [];
  }
}

function rememberWatched(room: string): void {
  const rooms = [room, ...loadWatched().filter((r) => r !== room)].slice(0, 8);
  localStorage.setItem(WATCHED_KEY, JSON.stringify(rooms));
}

function roomHref(room: string): string {
  return `#/live/${encodeURIComponent(room)}`;
}

/** Type a room, or pick one this browser watched lately or one with recent moderation. */
function PickRoom(props: { current: string; recent: string[] }) {
  const { current, recent } = props;
  const [value, setValue] = useState(current);
  const [watched, setWatched] = useState<string[]>(loadWatched);
  useEffect(() => setValue(current), [current]);
  useEffect(() => {
    if (!current) return;
    rememberWatched(current);
    setWatched(loadWatched());
  }, [current]);
  function open(event: FormEvent) {
    event.preventDefault();
    const name = value.trim();
    if (name) window.location.hash = roomHref(name);
  }

  const suggestions = [...watched, ...recent.filter((r) => !watched.includes(r))].filter(
    (r) => r !== current,
  );
  return (
    <form className="card inline-form" aria-label="Pick a room" onSubmit={open}>
      <label className="grow">
        Room
        <input
          required
          value={value}
          onChange={(e) => setValue(e.target.value)}
          autoComplete="off"
          spellCheck={false}
        />
      </label>
      <button type="submit">Watch</button>
      {suggestions.length > 0 && (
        <nav className="rooms" aria-label="Recent rooms">
          <span className="muted">Recent:</span>
          {suggestions.map((r) => (
            <a key={r} href={roomHref(r)} className="room-chip">
              {r}
            </a>
          ))}
        </nav>
      )}
    </form>
  );
}

function RoomMessages(props: {
  api: ModeratorApi;
  chat: ReturnType<typeof connect>["chat"];
  room: string;
}) {
  const { api, chat, room } = props;
  const [shown, setShown] = useState<Shown[]>([]);
  const [status, setStatus] = useState<{ status: string; reason: string | null }>({
    status: "attaching",
    reason: null,
  });
  const [announce, setAnnounce] = useState("");
  const [notice, setNotice] = useState("");
  const [error, setError] = useState<string | null>(null);
  const unannounced = useRef(0);

  const onMessage = useCallback((message: Message, live: boolean) => {
    setShown((previous) => {
      const index = previous.findIndex((s) => s.message.serial === message.serial);
      if (index === -1) {
        if (live) unannounced.current += 1;
        const next = { message, earlierText: null, live };
        // History arrives newest first after the live ones: it goes below them.
        return (live ? [next, ...previous] : [...previous, next]).slice(0, KEEP);
      }
      const old = previous[index];
      // An older version (history racing a live update) never replaces a newer one.
      if (old.message.version.serial > message.version.serial) return previous;
      const copy = previous.slice();
      copy[index] = {
        message,
        earlierText: message.text ? null : (old.earlierText ?? (old.message.text || null)),
        live: old.live,
      };
      return copy;
    });
  }, []);

  useEffect(() => {
    let release: (() => void) | null = null;
    let stopped = false;
    watch(chat, room, {
      onMessage,
      onStatus: (next, reason) => setStatus({ status: next, reason }),
    }).then(
      (stop) => {
        if (stopped) stop();
        else release = stop;
      },
      (caught: unknown) => setStatus({ status: "failed", reason: String(caught) }),
    );
    return () => {
      stopped = true;
      release?.();
    };
  }, [chat, room, onMessage]);

  // The count of new messages, not every message: a screen reader would drown otherwise.
  useEffect(() => {
    const timer = window.setInterval(() => {
      const count = unannounced.current;
      if (!count) return;
      unannounced.current = 0;
      setAnnounce(count === 1 ? "1 new message" : `${count} new messages`);
    }, ANNOUNCE_MS);
    return () => window.clearInterval(timer);
  }, []);

  const failed = status.status === "failed";
  return (
    <>
      <p className={`room-status ${failed ? "error" : "muted"}`}>
        Room {room}: {failed ? "could not attach" : status.status}
        {status.reason && failed ? ` — ${status.reason}` : ""}
      </p>
      <p aria-live="polite" className="visually-hidden">
        {announce}
      </p>
      <p aria-live="polite" className="status">
        {notice}
      </p>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {shown.length === 0 ? (
        !failed && <p>No messages yet. New ones appear here as they are published.</p>
      ) : (
        <ol className="live-messages" aria-label={`Messages in ${room}, newest first`}>
          {shown.map((s) => (
            <LiveMessage
              key={s.message.serial}
              api={api}
              room={room}
              shown={s}
              onDone={(text) => {
                setNotice(text);
                setError(null);
              }}
              onError={setError}
            />
          ))}
        </ol>
      )}
    </>
  );
}

/** What moderation did to a message, from its latest version: chatmod's deletes and
 * updates carry `{moderator, verdict, reason, categories?}` as the operation's metadata. */
function outcome(message: Message): { kind: string; text: string } | null {
  const version = message.version;
  const meta = version.metadata ?? {};
  const by = meta.moderator || version.clientId || "someone";
  const reason = meta.reason || version.description || "";
  // "masked" after "Masked by chatmod" says nothing: the categories say more.
  const why = [/^(masked|rejected|held)$/i.test(reason) ? "" : reason, meta.categories]
    .filter(Boolean)
    .join(" — ");
  const said = (what: string) => `${what} by ${by}${why ? `: ${why}` : ""}`;
  if (message.action === ChatMessageAction.MessageDelete) {
    if (meta.verdict === "hold") return { kind: "held", text: said("Held for review") };
    return { kind: "removed", text: said("Removed") };
  }
  if (message.action === ChatMessageAction.MessageUpdate) {
    if (meta.verdict === "mask") return { kind: "masked", text: said("Masked") };
    if (version.clientId && version.clientId !== message.clientId)
      return { kind: "edited", text: said("Edited") };
    return { kind: "edited", text: "Edited by its sender" };
  }
  return null;
}

function LiveMessage(props: {
  api: ModeratorApi;
  room: string;
  shown: Shown;
  onDone: (text: string) => void;
  onError: (text: string) => void;
}) {
  const { api, room, shown, onDone, onError } = props;
  const { message, earlierText } = shown;
  const [acting, setActing] = useState<"delete" | "ban" | null>(null);
  const opener = useRef<HTMLButtonElement | null>(null);
  const deleted = message.action === ChatMessageAction.MessageDelete;
  const result = outcome(message);
  const sender = message.clientId;

  function close() {
    setActing(null);
    opener.current?.focus();
  }

  return (
    <li className={`live-message ${result ? `outcome-${result.kind}` : ""}`}>
      <div className="live-head">
        <a href={userHref(sender)} className="sender">
          {sender}
        </a>
        <time
          dateTime={message.timestamp.toISOString()}
          title={formatTime(message.timestamp.toISOString())}
          className="muted"
        >
          {formatClock(message.timestamp)}
        </time>
      </div>
      {deleted ? (
        <p className="live-text removed-text">
          {earlierText ? (
            <>
              <span className="visually-hidden">Removed text: </span>
              <del>{earlierText}</del>
            </>
          ) : (
            <em>message removed</em>
          )}
        </p>
      ) : (
        <p className="live-text">{message.text}</p>
      )}
      {result && <p className={`outcome outcome-label-${result.kind}`}>{result.text}</p>}
      <div className="live-actions">
        {!deleted && (
          <button
            type="button"
            className="quiet"
            aria-expanded={acting === "delete"}
            onClick={(e) => {
              opener.current = e.currentTarget;
              setActing(acting === "delete" ? null : "delete");
            }}
          >
            Delete<span className="visually-hidden"> {sender}'s message</span>
          </button>
        )}
        <button
          type="button"
          className="quiet"
          aria-expanded={acting === "ban"}
          onClick={(e) => {
            opener.current = e.currentTarget;
            setActing(acting === "ban" ? null : "ban");
          }}
        >
          Ban or time out<span className="visually-hidden"> {sender}</span>
        </button>
        <a href={userHref(sender)} className="quiet-link">
          User view<span className="visually-hidden"> of {sender}</span>
        </a>
      </div>
      {acting === "delete" && (
        <DeleteForm
          api={api}
          room={room}
          message={message}
          onCancel={close}
          onDone={(text) => {
            setActing(null);
            onDone(text);
          }}
          onError={onError}
        />
      )}
      {acting === "ban" && (
        <BanForm
          api={api}
          clientId={sender}
          onCancel={close}
          onDone={(text) => {
            setActing(null);
            onDone(text);
          }}
          onError={onError}
        />
      )}
    </li>
  );
}

function ReasonField(props: { value: string; onChange: (value: string) => void; id: string }) {
  return (
    <label className="grow">
      Reason
      <input
        required
        autoFocus
        value={props.value}
        onChange={(e) => props.onChange(e.target.value)}
        maxLength={256}
        autoComplete="off"
        list={props.id}
      />
      <datalist id={props.id}>
        {REASONS.map((r) => (
          <option key={r} value={r} />
        ))}
      </datalist>
    </label>
  );
}

function DeleteForm(props: {
  api: ModeratorApi;
  room: string;
  message: Message;
  onCancel: () => void;
  onDone: (text: string) => void;
  onError: (text: string) => void;
}) {
  const { api, room, message } = props;
  const [reason, setReason] = useState(DEFAULT_REASON);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    try {
      await api.deleteMessage(room, message.serial, reason.trim());
      props.onDone(`Deleted ${message.clientId}'s message.`);
    } catch (caught) {
      props.onError(
        caught instanceof ApiError && caught.status === 404
          ? "Ably has no such message any more."
          : describe(caught),
      );
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      className="act-form"
      aria-label={`Delete ${message.clientId}'s message`}
      onSubmit={submit}
      onKeyDown={(e) => e.key === "Escape" && props.onCancel()}
    >
      <ReasonField value={reason} onChange={setReason} id={`reasons-d-${message.serial}`} />
      <button type="submit" className="danger" disabled={busy}>
        Delete message
      </button>
      <button type="button" className="quiet" onClick={props.onCancel}>
        Cancel
      </button>
    </form>
  );
}

function BanForm(props: {
  api: ModeratorApi;
  clientId: string;
  onCancel: () => void;
  onDone: (text: string) => void;
  onError: (text: string) => void;
}) {
  const { api, clientId } = props;
  const [duration, setDuration] = useState(DURATIONS[0].label);
  const [reason, setReason] = useState(DEFAULT_REASON);
  const [busy, setBusy] = useState(false);
  const seconds = DURATIONS.find((d) => d.label === duration)?.seconds ?? null;

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    try {
      const result = await api.ban(clientId, reason.trim(), seconds);
      props.onDone(
        `${result.clientId} is banned ${result.permanent ? "permanently" : `until ${formatTime(result.bannedUntil)}`}.`,
      );
    } catch (caught) {
      props.onError(describe(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form
      className="act-form"
      aria-label={`Ban or time out ${clientId}`}
      onSubmit={submit}
      onKeyDown={(e) => e.key === "Escape" && props.onCancel()}
    >
      <label>
        For
        <select value={duration} onChange={(e) => setDuration(e.target.value)}>
          {DURATIONS.map((d) => (
            <option key={d.label}>{d.label}</option>
          ))}
        </select>
      </label>
      <ReasonField value={reason} onChange={setReason} id={`reasons-b-${clientId}`} />
      <button type="submit" className="danger" disabled={busy}>
        {seconds === null ? "Ban permanently" : `Time out for ${duration}`}
      </button>
      <button type="button" className="quiet" onClick={props.onCancel}>
        Cancel
      </button>
    </form>
  );
}
