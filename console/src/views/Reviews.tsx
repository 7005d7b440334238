/** The review queue: held messages, oldest first; approve or deny by mouse or by keyboard.
 *
 * The queue is read again every REFRESH_MS (polling: the API has no push for reviews), so
 * items another moderator decided disappear; one decided here leaves at once. */
import { type FormEvent, useCallback, useEffect, useRef, useState } from "react";
import { ApiError, describe, type ModeratorApi, type Review, type ReviewDecision } from "../api";
import ClientLink, { userHref } from "../components/ClientLink";
import { formatAge, formatTime } from "../format";

/** How often the queue is read again. */
export const REFRESH_MS = 5000;

const SHORTCUTS: [string, string][] = [
  ["j", "next"],
  ["k", "previous"],
  ["a", "approve"],
  ["d", "deny (type the reason, Enter)"],
  ["u", "open the sender"],
];

export default function Reviews(props: { api: ModeratorApi }) {
  const { api } = props;
  const [room, setRoom] = useState("");
  const [applied, setApplied] = useState("");
  const [items, setItems] = useState<Review[] | null>(null);
  const [more, setMore] = useState(false);
  const [selected, setSelected] = useState<string | null>(null);
  const [status, setStatus] = useState("");
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [denied, setDenied] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);
  const [now, setNow] = useState(() => Date.now());
  // Only the latest read may fill the list (a slow one must not undo a newer filter), and an
  // item decided here stays gone even if a read that started before the decision returns it.
  const latest = useRef(0);
  const decided = useRef(new Set<string>());
  const cards = useRef(new Map<string, HTMLElement>());

  // The list as last rendered, for work that happens after an await (decide, refresh).
  const shown = useRef<Review[]>([]);
  const selectedRef = useRef<string | null>(null);

  const load = useCallback(async () => {
    const request = ++latest.current;
    try {
      const page = await api.reviews({ room: applied || undefined });
      if (request !== latest.current) return;
      const fresh = page.items.filter((item) => !decided.current.has(item.reviewId));
      // The item the moderator was on was decided elsewhere: say so, not just vanish.
      const mine = shown.current.find((item) => item.reviewId === selectedRef.current);
      if (mine && !fresh.some((item) => item.reviewId === mine.reviewId)) {
        setNotice(
          `${mine.clientId ?? "A sender"}'s message, which you had selected, was decided by another moderator (or expired) and left the queue.`,
        );
      }
      setItems(fresh);
      setMore(page.nextCursor !== null);
      setNow(Date.now());
      setError(null);
    } catch (caught) {
      if (request !== latest.current) return;
      setError(describe(caught));
      setDenied(caught instanceof ApiError && (caught.status === 401 || caught.status === 403));
    }
  }, [api, applied]);

  useEffect(() => {
    if (denied) return;
    void load();
    const timer = window.setInterval(() => void load(), REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [load, denied]);

  const list = items ?? [];
  const current = list.find((item) => item.reviewId === selected) ?? list[0] ?? null;
  shown.current = list;
  selectedRef.current = selected;

  function select(item: Review | undefined) {
    if (!item) return;
    setSelected(item.reviewId);
    cards.current.get(item.reviewId)?.focus();
  }

  /** Take a decided item off the page; the moderator's place moves to the next item. */
  function remove(item: Review) {
    decided.current.add(item.reviewId);
    const before = shown.current;
    const at = before.findIndex((other) => other.reviewId === item.reviewId);
    const rest = before.filter((other) => other.reviewId !== item.reviewId);
    const next = rest[Math.min(Math.max(at, 0), rest.length - 1)];
    const hadFocus = cards.current.get(item.reviewId)?.contains(document.activeElement) ?? false;
    shown.current = rest;
    setItems(rest);
    setSelected(next ? next.reviewId : null);
    selectedRef.current = next ? next.reviewId : null;
    // Focus was in the card that left: put it on the next card, not on the page's body.
    if (hadFocus && next)
      window.requestAnimationFrame(() => cards.current.get(next.reviewId)?.focus());
  }

  async function decide(item: Review, action: "approve" | "deny", reason = "", strike = false) {
    const who = item.clientId ?? "an unknown sender";
    const where = placeOf(item);
    setBusy(item.reviewId);
    setNotice(null);
    try {
      if (action === "approve") {
        const answer = await api.approve(item.reviewId);
        const restored = answer.review.published?.restored === true;
        setStatus(
          `Approved: ${who}'s message is ${restored ? "restored" : "published"} in ${where}.`,
        );
      } else {
        const answer = await denyRecordingTheStrike(api, item, reason, strike);
        const hit = answer.strike;
        setStatus(
          `Denied: ${who}'s message stays unpublished.` +
            (hit
              ? ` Strike ${hit.count} for ${who} (${hit.step})` +
                (hit.banApplied
                  ? `: ${who} is banned ${hit.bannedUntil ? `until ${formatTime(hit.bannedUntil)}` : "permanently"}.`
                  : ".")
              : ""),
        );
      }
      remove(item);
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 409) {
        const state = String(caught.body.state ?? "decided");
        const by = caught.body.decidedBy;
        setStatus("");
        setNotice(
          `Someone else got there first: ${who}'s message was already ${state}` +
            (typeof by === "string" && by ? ` by ${by}` : "") +
            ". It is no longer in the queue.",
        );
        remove(item);
      } else if (caught instanceof ApiError && caught.status === 404) {
        setNotice(`That item is gone (it no longer exists). It is no longer in the queue.`);
        remove(item);
      } else {
        setError(describe(caught));
      }
    } finally {
      setBusy(null);
    }
  }

  // Shortcuts work anywhere on the page except while typing (inputs keep their letters).
  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
      const target = event.target as HTMLElement | null;
      if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)))
        return;
      if (!current || busy) return;
      const at = list.indexOf(current);
      switch (event.key) {
        case "j":
          select(list[at + 1]);
          break;
        case "k":
          select(list[at - 1]);
          break;
        case "a":
          void decide(current, "approve");
          break;
        case "d":
          document.getElementById(`deny-reason-${current.reviewId}`)?.focus();
          break;
        case "u":
          if (current.clientId) window.location.hash = userHref(current.clientId);
          break;
        default:
          return;
      }
      event.preventDefault();
    }
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  });

  function filter(event: FormEvent) {
    event.preventDefault();
    const next = room.trim();
    if (next === applied) {
      void load();
      return;
    }
    setItems(null);
    setSelected(null);
    setApplied(next);
  }

  return (
    <section aria-labelledby="reviews-title">
      <h1 id="reviews-title">Review queue</h1>
      {denied ? (
        <p role="alert" className="error">
          {error}
        </p>
      ) : (
        <>
          <form className="card inline-form" onSubmit={filter} aria-label="Filter the queue">
            <label>
              Room
              <input
                value={room}
                onChange={(e) => setRoom(e.target.value)}
                autoComplete="off"
                placeholder="every room"
              />
            </label>
            <button type="submit">Show</button>
            <p className="hint" id="shortcuts">
              <span className="visually-hidden">Keyboard shortcuts: </span>
              {SHORTCUTS.map(([key, what]) => (
                <span key={key} className="shortcut">
                  <kbd>{key}</kbd> {what}
                </span>
              ))}
            </p>
          </form>
          <p aria-live="polite" className="status">
            {status}
          </p>
          <div aria-live="assertive">{notice && <p className="notice">{notice}</p>}</div>
          {error && (
            <p role="alert" className="error">
              {error}
            </p>
          )}
          {items === null ? (
            !error && <p>Loading…</p>
          ) : list.length === 0 ? (
            <EmptyQueue room={applied} />
          ) : (
            <>
              <p className="muted summary">
                {list.length === 1 ? "1 message" : `${list.length} messages`} waiting
                {applied ? ` in ${applied}` : ""}, oldest first
                {more ? " (the oldest 100 are shown)" : ""}. The queue refreshes every{" "}
                {REFRESH_MS / 1000} seconds.
              </p>
              <ol className="reviews" aria-label="Held messages">
                {list.map((item) => (
                  <li key={item.reviewId}>
                    <ReviewCard
                      item={item}
                      now={now}
                      current={current?.reviewId === item.reviewId}
                      busy={busy === item.reviewId}
                      refer={(element) => {
                        if (element) cards.current.set(item.reviewId, element);
                        else cards.current.delete(item.reviewId);
                      }}
                      onFocus={() => setSelected(item.reviewId)}
                      onApprove={() => void decide(item, "approve")}
                      onDeny={(reason, strike) => void decide(item, "deny", reason, strike)}
                    />
                  </li>
                ))}
              </ol>
            </>
          )}
        </>
      )}
    </section>
  );
}

/** Deny; when the deny stood but its strike was not written (503 strike_not_recorded),
 * deny again, which records the strike once: the item leaves the queue either way, so
 * the moderator could not do it later from here. */
async function denyRecordingTheStrike(
  api: ModeratorApi,
  item: Review,
  reason: string,
  strike: boolean,
): Promise<ReviewDecision> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await api.deny(item.reviewId, reason, strike);
    } catch (caught) {
      const again = caught instanceof ApiError && caught.code === "strike_not_recorded";
      if (!again || attempt >= 3) throw caught;
      await new Promise((resolve) => window.setTimeout(resolve, 500 * attempt));
    }
  }
}

function placeOf(item: Review): string {
  return item.room ? `room ${item.room}` : item.channel ? `channel ${item.channel}` : "its room";
}

const SOURCES: Record<string, string> = {
  "before-publish": "before publishing (Ably's moderation rule)",
  publish: "sent through chatmod's API",
  async: "after publishing (taken down until decided)",
};

function ReviewCard(props: {
  item: Review;
  now: number;
  current: boolean;
  busy: boolean;
  refer: (element: HTMLElement | null) => void;
  onFocus: () => void;
  onApprove: () => void;
  onDeny: (reason: string, strike: boolean) => void;
}) {
  const { item, now, current, busy } = props;
  const [reason, setReason] = useState("");
  const [strike, setStrike] = useState(false);
  const flagged = item.flaggedBy;
  const scores = Object.entries(flagged.scores ?? {});
  const titleId = `review-${item.reviewId}`;

  function deny(event: FormEvent) {
    event.preventDefault();
    props.onDeny(reason.trim(), strike);
  }

  return (
    <article
      ref={props.refer}
      tabIndex={-1}
      className={`card review${current ? " current" : ""}`}
      aria-labelledby={titleId}
      aria-current={current ? "true" : undefined}
      onFocus={props.onFocus}
    >
      <h2 id={titleId} className="review-title">
        <span>
          <ClientLink clientId={item.clientId} />{" "}
          <span className="muted">in {item.room ?? item.channel ?? "—"}</span>
        </span>
        <span className="muted age" title={formatTime(item.heldAt)}>
          held {formatAge(item.heldAt, now)} ago
        </span>
      </h2>
      <blockquote className="held-text">
        {item.text || (item.data !== undefined ? JSON.stringify(item.data) : "")}
      </blockquote>
      {item.name && <p className="muted">Pub/sub message name: {item.name}</p>}
      <dl className="facts">
        <div>
          <dt>Flagged by</dt>
          <dd>{flagged.provider ?? "—"}</dd>
        </div>
        <div>
          <dt>Categories</dt>
          <dd>
            {flagged.categories?.length
              ? flagged.categories.map((c) => (
                  <span key={c} className="chip">
                    {c}
                  </span>
                ))
              : "—"}
          </dd>
        </div>
        {flagged.terms && flagged.terms.length > 0 && (
          <div>
            <dt>Matched terms</dt>
            <dd>{flagged.terms.join(", ")}</dd>
          </div>
        )}
        {scores.length > 0 && (
          <div>
            <dt>Scores</dt>
            <dd>{scores.map(([name, score]) => `${name} ${round(score)}`).join(", ")}</dd>
          </div>
        )}
        <div>
          <dt>Held</dt>
          <dd>
            {SOURCES[item.source] ?? item.source}; expires {formatTime(item.expiresAt)}
          </dd>
        </div>
      </dl>
      <div className="decide">
        <button type="button" className="approve" onClick={props.onApprove} disabled={busy}>
          Approve
        </button>
        <form className="deny" onSubmit={deny} aria-label={`Deny ${item.clientId ?? ""}'s message`}>
          <label className="grow">
            Reason for denying
            <input
              id={`deny-reason-${item.reviewId}`}
              required
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              maxLength={256}
              autoComplete="off"
            />
          </label>
          <label className="choice">
            <input type="checkbox" checked={strike} onChange={(e) => setStrike(e.target.checked)} />
            Strike
          </label>
          <button type="submit" className="danger" disabled={busy}>
            Deny
          </button>
        </form>
      </div>
    </article>
  );
}

function round(score: number): string {
  return Number.isInteger(score) ? String(score) : score.toFixed(2);
}

function EmptyQueue(props: { room: string }) {
  return (
    <div className="card empty">
      <p>
        <strong>Nothing is waiting for review{props.room ? ` in ${props.room}` : ""}.</strong>
      </p>
      <p>
        A message is <em>held</em> when the moderation policy flags it with the <code>hold</code>{" "}
        outcome (<code>onMatch: hold</code>, or a score in a provider's review band) instead of
        rejecting it: it is not published, and its sender is told it waits for review. It waits here
        until a moderator approves it (chatmod publishes it as its sender) or denies it (it stays
        unpublished; a strike is optional), or until it expires.
      </p>
    </div>
  );
}
