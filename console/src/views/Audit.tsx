/** The audit log: every decision and moderator action, newest first, filtered and paged. */
import { type FormEvent, useCallback, useEffect, useRef, useState } from "react";
import {
  ApiError,
  type AuditAction,
  type AuditEvent,
  type AuditFilters,
  type ModeratorApi,
} from "../api";
import ClientLink, { ActorLink } from "../components/ClientLink";
import { formatTime, toCsv } from "../format";

/** The actions a moderator filters by, in their words. */
const ACTIONS: [AuditAction, string][] = [
  ["reject", "rejected"],
  ["mask", "masked"],
  ["hold", "held"],
  ["approve", "approved"],
  ["deny", "denied"],
  ["expire", "expired"],
  ["delete", "deleted"],
  ["strike", "strike"],
  ["warn", "warning"],
  ["acknowledge", "warning acknowledged"],
  ["ban", "ban"],
  ["unban", "unban"],
  ["revoke", "tokens revoked"],
  ["observe", "observed (not enforced)"],
  ["slow_mode", "slow mode changed"],
  ["terms", "custom terms changed"],
];

/** A datetime-local value (the browser's time zone) as ISO-8601 with a zone, or undefined. */
function isoOrUndefined(local: string): string | undefined {
  if (!local) return undefined;
  const at = new Date(local);
  return Number.isNaN(at.getTime()) ? undefined : at.toISOString();
}

function describe(filters: AuditFilters): string {
  const parts = [
    filters.clientId && `for ${filters.clientId}`,
    filters.room && `in ${filters.room}`,
    filters.action && ACTIONS.find(([a]) => a === filters.action)?.[1],
    filters.moderator && `by ${filters.moderator}`,
    filters.since && `since ${formatTime(filters.since)}`,
    filters.until && `until ${formatTime(filters.until)}`,
  ].filter(Boolean);
  return parts.length ? ` ${parts.join(", ")}` : "";
}

export default function Audit(props: { api: ModeratorApi }) {
  const { api } = props;
  const [clientId, setClientId] = useState("");
  const [room, setRoom] = useState("");
  const [action, setAction] = useState<AuditAction | "">("");
  const [moderator, setModerator] = useState("");
  const [since, setSince] = useState("");
  const [until, setUntil] = useState("");
  const [applied, setApplied] = useState<AuditFilters>({});
  const [events, setEvents] = useState<AuditEvent[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Only the latest request may fill the table: an earlier, slower one (say, the
  // unfiltered first load) must not overwrite the answer to a newer filter.
  const latest = useRef(0);

  const load = useCallback(
    async (filters: AuditFilters, from?: string) => {
      const request = ++latest.current;
      try {
        const page = await api.audit(filters, from);
        if (request !== latest.current) return;
        setEvents((previous) => (from && previous ? [...previous, ...page.items] : page.items));
        setCursor(page.nextCursor);
        setError(null);
      } catch (caught) {
        if (request !== latest.current) return;
        setError(caught instanceof ApiError ? caught.message : String(caught));
      }
    },
    [api],
  );

  useEffect(() => {
    void load(applied);
  }, [load, applied]);

  function filter(event: FormEvent) {
    event.preventDefault();
    setEvents(null);
    setApplied({
      clientId: clientId.trim() || undefined,
      room: room.trim() || undefined,
      action: action || undefined,
      moderator: moderator.trim() || undefined,
      since: isoOrUndefined(since),
      until: isoOrUndefined(until),
    });
  }

  function exportCsv() {
    const header = ["at", "action", "actor", "clientId", "room", "channel", "reason", "messageId"];
    const rows = (events ?? []).map((e) => [
      e.at,
      e.action,
      e.actor,
      e.clientId,
      e.room,
      e.channel,
      e.reason,
      e.messageId,
    ]);
    const blob = new Blob([toCsv([header, ...rows])], { type: "text/csv" });
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = "chatmod-audit.csv";
    link.click();
    URL.revokeObjectURL(link.href);
  }

  return (
    <section aria-labelledby="audit-title">
      <h1 id="audit-title">Audit log</h1>
      <form className="card inline-form" onSubmit={filter} aria-label="Filter the audit log">
        <label>
          User (client id)
          <input
            value={clientId}
            onChange={(e) => setClientId(e.target.value)}
            autoComplete="off"
          />
        </label>
        <label>
          Room
          <input value={room} onChange={(e) => setRoom(e.target.value)} autoComplete="off" />
        </label>
        <label>
          Action
          <select value={action} onChange={(e) => setAction(e.target.value as AuditAction | "")}>
            <option value="">any</option>
            {ACTIONS.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Moderator
          <input
            value={moderator}
            onChange={(e) => setModerator(e.target.value)}
            autoComplete="off"
          />
        </label>
        <label>
          From
          <input type="datetime-local" value={since} onChange={(e) => setSince(e.target.value)} />
        </label>
        <label>
          Until
          <input type="datetime-local" value={until} onChange={(e) => setUntil(e.target.value)} />
        </label>
        <button type="submit">Filter</button>
        <button type="button" onClick={exportCsv} disabled={!events?.length}>
          Export CSV
        </button>
      </form>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
      {events === null ? (
        !error && <p>Loading…</p>
      ) : events.length === 0 ? (
        <p>No events{describe(applied)}.</p>
      ) : (
        <div className="table-wrap">
          <table className="cards-on-phone">
            <caption>
              {events.length} event{events.length === 1 ? "" : "s"}
              {describe(applied)}, newest first
            </caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Action</th>
                <th scope="col">User</th>
                <th scope="col">Where</th>
                <th scope="col">By</th>
                <th scope="col">Reason</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <tr key={e.eventId}>
                  <td data-label="When">{formatTime(e.at)}</td>
                  <td data-label="Action">
                    <span className={`action action-${e.action}`}>{e.action}</span>
                  </td>
                  <td data-label="User">
                    <ClientLink clientId={e.clientId} />
                  </td>
                  <td data-label="Where">{e.room ?? e.channel ?? "—"}</td>
                  <td data-label="By">
                    <ActorLink actor={e.actor} />
                  </td>
                  <td data-label="Reason">{e.reason ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor && (
        <button type="button" onClick={() => void load(applied, cursor)}>
          Load older events
        </button>
      )}
    </section>
  );
}
