/** One user at a glance: ban state, strikes in the ladder's window, history of decisions and
 * moderator actions (paged); ban, time out or unban with a reason. #/users/<clientId>. */
import { type FormEvent, useCallback, useEffect, useRef, useState } from "react";
import { ApiError, type AuditEvent, describe, type ModeratorApi, type UserView } from "../api";
import { ActorLink, userHref } from "../components/ClientLink";
import { DURATIONS } from "../components/durations";
import { formatSeconds, formatTime } from "../format";

export default function User(props: { api: ModeratorApi; clientId: string }) {
  const { api, clientId } = props;
  const [view, setView] = useState<UserView | null>(null);
  const [history, setHistory] = useState<AuditEvent[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [status, setStatus] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [denied, setDenied] = useState(false);
  const latest = useRef(0);

  const load = useCallback(
    async (from?: string) => {
      if (!clientId) return;
      const request = ++latest.current;
      try {
        const answer = await api.user(clientId, from);
        if (request !== latest.current) return;
        setView(answer);
        setHistory((previous) => (from ? [...previous, ...answer.history] : answer.history));
        setCursor(answer.nextCursor ?? null);
        setError(null);
      } catch (caught) {
        if (request !== latest.current) return;
        setError(describe(caught));
        setDenied(caught instanceof ApiError && (caught.status === 401 || caught.status === 403));
      }
    },
    [api, clientId],
  );

  useEffect(() => {
    setView(null);
    setHistory([]);
    setStatus("");
    void load();
  }, [load]);

  return (
    <section aria-labelledby="user-title">
      <h1 id="user-title">{clientId ? `User ${clientId}` : "Users"}</h1>
      <FindUser current={clientId} />
      {denied ? (
        <p role="alert" className="error">
          {error}
        </p>
      ) : !clientId ? (
        <p>Type a user's client id to see their ban, strikes and history.</p>
      ) : (
        <>
          <p aria-live="polite" className="status">
            {status}
          </p>
          {error && (
            <p role="alert" className="error">
              {error}
            </p>
          )}
          {view === null ? (
            !error && <p>Loading…</p>
          ) : (
            <>
              <div className="user-grid">
                <Standing view={view} />
                <Actions
                  api={api}
                  view={view}
                  onDone={(message) => {
                    setStatus(message);
                    setError(null);
                    void load();
                  }}
                  onError={setError}
                />
              </div>
              <History events={history} />
              {cursor && (
                <button type="button" onClick={() => void load(cursor)}>
                  Load older history
                </button>
              )}
            </>
          )}
        </>
      )}
    </section>
  );
}

function FindUser(props: { current: string }) {
  const [value, setValue] = useState(props.current);
  useEffect(() => setValue(props.current), [props.current]);

  function open(event: FormEvent) {
    event.preventDefault();
    const id = value.trim();
    if (id) window.location.hash = userHref(id);
  }

  return (
    <form className="card inline-form" role="search" aria-label="Find a user" onSubmit={open}>
      <label className="grow">
        Client id
        <input
          required
          value={value}
          onChange={(e) => setValue(e.target.value)}
          autoComplete="off"
          spellCheck={false}
        />
      </label>
      <button type="submit">Open</button>
    </form>
  );
}

function Standing(props: { view: UserView }) {
  const { ban, strikes } = props.view;
  const ladder = strikes.ladder;
  const next = ladder.length ? ladder[Math.min(strikes.count, ladder.length - 1)] : null;
  return (
    <div className="card standing" aria-labelledby="standing-title">
      <h2 id="standing-title">Standing</h2>
      <dl className="facts">
        <div>
          <dt>Ban</dt>
          <dd>
            {ban === null ? (
              <span className="ok">Not banned</span>
            ) : (
              <>
                <strong className="error">
                  {ban.permanent
                    ? "Banned permanently"
                    : `Banned until ${formatTime(ban.bannedUntil)}`}
                </strong>
                <br />
                {ban.reason} — by <ActorLink actor={ban.source} auto="the strike ladder" />,{" "}
                {formatTime(ban.createdAt)}
              </>
            )}
          </dd>
        </div>
        {props.view.warning && (
          <div>
            <dt>Warning</dt>
            <dd>
              <strong className="error">Not acknowledged yet</strong>
              <br />
              {props.view.warning.reason} — {formatTime(props.view.warning.at)}
              {props.view.warning.room ? ` in ${props.view.warning.room}` : ""}. Their messages are
              refused until they acknowledge it.
            </dd>
          </div>
        )}
        <div>
          <dt>Strikes</dt>
          <dd>
            <strong>{strikes.count === 1 ? "1 strike" : `${strikes.count} strikes`}</strong> in the
            last {formatSeconds(strikes.windowSeconds)}
          </dd>
        </div>
        {ladder.length > 0 && (
          <div>
            <dt>Ladder</dt>
            <dd>
              <ol className="ladder" aria-label="Strike ladder">
                {ladder.map((rung, index) => (
                  <li
                    key={index}
                    className={index < strikes.count ? "reached" : undefined}
                    aria-current={index === strikes.count - 1 ? "step" : undefined}
                  >
                    {rung}
                  </li>
                ))}
              </ol>
              {next && <span className="muted">Next strike: {next}</span>}
            </dd>
          </div>
        )}
      </dl>
    </div>
  );
}

function Actions(props: {
  api: ModeratorApi;
  view: UserView;
  onDone: (message: string) => void;
  onError: (message: string) => void;
}) {
  const { api, view, onDone, onError } = props;
  const [duration, setDuration] = useState(DURATIONS[1].label);
  const [reason, setReason] = useState("");
  const [unbanReason, setUnbanReason] = useState("");
  const [busy, setBusy] = useState(false);
  const seconds = DURATIONS.find((d) => d.label === duration)?.seconds ?? null;

  async function ban(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    try {
      const result = await api.ban(view.clientId, reason.trim(), seconds);
      setReason("");
      onDone(
        `${result.clientId} is banned ${result.permanent ? "permanently" : `until ${formatTime(result.bannedUntil)}`}.`,
      );
    } catch (caught) {
      onError(describe(caught));
    } finally {
      setBusy(false);
    }
  }

  async function unban(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    try {
      await api.unban(view.clientId, unbanReason.trim());
      setUnbanReason("");
      onDone(`The ban on ${view.clientId} is lifted; their strikes start over.`);
    } catch (caught) {
      onError(describe(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="card actions">
      <h2>Act</h2>
      <form className="stack-form" onSubmit={ban} aria-label={`Ban or time out ${view.clientId}`}>
        <label>
          For
          <select value={duration} onChange={(e) => setDuration(e.target.value)}>
            {DURATIONS.map((d) => (
              <option key={d.label}>{d.label}</option>
            ))}
          </select>
        </label>
        <label>
          Reason
          <input
            required
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            maxLength={256}
            autoComplete="off"
          />
        </label>
        <button type="submit" className="danger" disabled={busy}>
          {seconds === null ? "Ban permanently" : `Time out for ${duration}`}
        </button>
      </form>
      {view.ban && (
        <form
          className="stack-form"
          onSubmit={unban}
          aria-label={`Lift the ban on ${view.clientId}`}
        >
          <label>
            Why lift the ban
            <input
              required
              value={unbanReason}
              onChange={(e) => setUnbanReason(e.target.value)}
              maxLength={256}
              autoComplete="off"
            />
          </label>
          <button type="submit" disabled={busy}>
            Unban
          </button>
        </form>
      )}
    </div>
  );
}

function History(props: { events: AuditEvent[] }) {
  const { events } = props;
  if (events.length === 0) return <p>No decisions or actions recorded for this user yet.</p>;
  return (
    <div className="table-wrap">
      <table className="cards-on-phone">
        <caption>History, newest first ({events.length} shown)</caption>
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Action</th>
            <th scope="col">Where</th>
            <th scope="col">By</th>
            <th scope="col">Reason</th>
            <th scope="col">What matched</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr key={e.eventId}>
              <td data-label="When">{formatTime(e.at)}</td>
              <td data-label="Action">
                <span className={`action action-${e.action}`}>{e.action}</span>
              </td>
              <td data-label="Where">{e.room ?? e.channel ?? "—"}</td>
              <td data-label="By">
                <ActorLink actor={e.actor} />
              </td>
              <td data-label="Reason">{e.reason ?? "—"}</td>
              <td data-label="What matched">{matched(e.details)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** What a decision's details say matched: categories and (blocklist) terms. */
function matched(details: AuditEvent["details"]): string {
  if (!details) return "—";
  const parts: string[] = [];
  const categories = details.categories;
  const terms = details.terms;
  if (Array.isArray(categories) && categories.length) parts.push(categories.join(", "));
  if (Array.isArray(terms) && terms.length) parts.push(`terms: ${terms.join(", ")}`);
  if (typeof details.provider === "string" && parts.length) parts.unshift(`${details.provider}:`);
  return parts.length ? parts.join(" ") : "—";
}
