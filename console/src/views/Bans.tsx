/** Active bans: who, why, until when, by whom; ban a user and lift a ban, with a reason. */
import { type FormEvent, useCallback, useEffect, useState } from "react";
import { ApiError, type Ban, type ModeratorApi } from "../api";
import ClientLink, { ActorLink } from "../components/ClientLink";
import { DURATIONS } from "../components/durations";
import { formatTime } from "../format";

export default function Bans(props: { api: ModeratorApi }) {
  const { api } = props;
  const [bans, setBans] = useState<Ban[] | null>(null);
  const [status, setStatus] = useState<string>("");
  const [error, setError] = useState<string | null>(null);
  const [clientId, setClientId] = useState("");
  const [reason, setReason] = useState("");
  const [duration, setDuration] = useState(DURATIONS[1].label);
  // Refused (not a moderator, or signed out): show why, and nothing to act on.
  const [denied, setDenied] = useState(false);

  const refresh = useCallback(async () => {
    try {
      const items: Ban[] = [];
      let cursor: string | undefined;
      do {
        const page = await api.bans(cursor);
        items.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor && items.length < 1000);
      setBans(items);
      setError(null);
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : String(caught));
      setDenied(caught instanceof ApiError && (caught.status === 401 || caught.status === 403));
    }
  }, [api]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  async function ban(event: FormEvent) {
    event.preventDefault();
    const seconds = DURATIONS.find((d) => d.label === duration)?.seconds ?? null;
    try {
      const result = await api.ban(clientId.trim(), reason.trim(), seconds);
      setStatus(
        `${result.clientId} is banned ${result.permanent ? "permanently" : `until ${formatTime(result.bannedUntil)}`}.`,
      );
      setClientId("");
      setReason("");
      await refresh();
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : String(caught));
    }
  }

  async function unban(target: Ban) {
    const why = window.prompt(
      `Why lift the ban on ${target.clientId}? (recorded in the audit log)`,
    );
    if (!why || !why.trim()) return;
    try {
      await api.unban(target.clientId, why.trim());
      setStatus(`The ban on ${target.clientId} is lifted.`);
      await refresh();
    } catch (caught) {
      setError(caught instanceof ApiError ? caught.message : String(caught));
    }
  }

  return (
    <section aria-labelledby="bans-title">
      <h1 id="bans-title">Bans</h1>
      {denied ? (
        <p role="alert" className="error">
          {error}
        </p>
      ) : (
        <>
          <form className="card inline-form" onSubmit={ban} aria-label="Ban a user">
            <label>
              User (client id)
              <input
                required
                value={clientId}
                onChange={(e) => setClientId(e.target.value)}
                autoComplete="off"
              />
            </label>
            <label>
              For
              <select value={duration} onChange={(e) => setDuration(e.target.value)}>
                {DURATIONS.map((d) => (
                  <option key={d.label}>{d.label}</option>
                ))}
              </select>
            </label>
            <label className="grow">
              Reason
              <input
                required
                value={reason}
                onChange={(e) => setReason(e.target.value)}
                maxLength={256}
              />
            </label>
            <button type="submit" className="danger">
              Ban
            </button>
          </form>
          <p aria-live="polite" className="status">
            {status}
          </p>
          {error && (
            <p role="alert" className="error">
              {error}
            </p>
          )}
          {bans === null ? (
            !error && <p>Loading…</p>
          ) : bans.length === 0 ? (
            <p>Nobody is banned.</p>
          ) : (
            <div className="table-wrap">
              <table className="cards-on-phone">
                <caption>
                  {bans.length === 1 ? "1 active ban" : `${bans.length} active bans`}
                </caption>
                <thead>
                  <tr>
                    <th scope="col">User</th>
                    <th scope="col">Reason</th>
                    <th scope="col">Until</th>
                    <th scope="col">By</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {bans.map((b) => (
                    <tr key={b.clientId}>
                      <td data-label="User">
                        <ClientLink clientId={b.clientId} />
                      </td>
                      <td data-label="Reason">{b.reason}</td>
                      <td data-label="Until">
                        {b.permanent ? "Permanent" : formatTime(b.bannedUntil)}
                      </td>
                      <td data-label="By">
                        <ActorLink actor={b.source} auto="strike ladder" />
                      </td>
                      <td>
                        <button type="button" onClick={() => void unban(b)}>
                          Unban <span className="visually-hidden">{b.clientId}</span>
                        </button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}
