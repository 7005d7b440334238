/** The overview: decisions per hour for a room or the stage, as a chart and as a table, with
 * the categories that matched most and the senders who offended most.
 *
 * The chart is a few SVG rectangles drawn here rather than a charting library: a stacked bar
 * per hour needs no axes library, and it keeps the first load small. The same numbers are in
 * the table below it, which is what a screen reader reads (the chart is aria-hidden). */
import { type FormEvent, useCallback, useEffect, useRef, useState } from "react";
import { type Counts, describe, type HourCounts, type ModeratorApi } from "../api";
import ClientLink from "../components/ClientLink";

type Outcome = "accepted" | "masked" | "held" | "rejected" | "failed";
/** The outcomes in stacking order, with their words and colours (legend and bars). */
const OUTCOMES: { key: Outcome; label: string; colour: string }[] = [
  { key: "accepted", label: "Accepted", colour: "#8fb8de" },
  { key: "masked", label: "Masked", colour: "#e0b04a" },
  { key: "held", label: "Held for review", colour: "#8e6cc0" },
  { key: "rejected", label: "Rejected", colour: "#c8423b" },
  { key: "failed", label: "Failed (no decision)", colour: "#6b6b6b" },
];
const RANGES = [
  { hours: 6, label: "Last 6 hours" },
  { hours: 24, label: "Last 24 hours" },
  { hours: 72, label: "Last 3 days" },
  { hours: 168, label: "Last 7 days" },
];
/** How often the open overview reads the counts again (they arrive within about a minute). */
const REFRESH_MS = 30_000;

function hourLabel(iso: string, withDay: boolean): string {
  const at = new Date(iso);
  const time = at.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
  return withDay ? `${at.toLocaleDateString(undefined, { weekday: "short" })} ${time}` : time;
}

function total(hour: HourCounts): number {
  return OUTCOMES.reduce((sum, o) => sum + hour[o.key], 0);
}

function Chart(props: { hours: HourCounts[] }) {
  const { hours } = props;
  const width = 720;
  const height = 180;
  const highest = Math.max(1, ...hours.map(total));
  const slot = width / Math.max(1, hours.length);
  const bar = Math.max(1, slot * 0.8);
  return (
    <svg
      className="chart"
      viewBox={`0 0 ${width} ${height + 2}`}
      preserveAspectRatio="none"
      aria-hidden="true"
      focusable="false"
    >
      <line x1="0" y1={height + 1} x2={width} y2={height + 1} stroke="#c9ced6" />
      {hours.map((hour, index) => {
        let top = height;
        return OUTCOMES.map((outcome) => {
          const value = hour[outcome.key];
          if (!value) return null;
          const h = (value / highest) * height;
          top -= h;
          return (
            <rect
              key={`${hour.hour}-${outcome.key}`}
              x={index * slot + (slot - bar) / 2}
              y={top}
              width={bar}
              height={h}
              fill={outcome.colour}
            >
              <title>{`${hourLabel(hour.hour, true)}: ${value} ${outcome.label.toLowerCase()}`}</title>
            </rect>
          );
        });
      })}
    </svg>
  );
}

export default function Overview(props: { api: ModeratorApi }) {
  const { api } = props;
  const [room, setRoom] = useState("");
  const [rangeHours, setRangeHours] = useState(24);
  const [applied, setApplied] = useState<{ room: string; hours: number }>({ room: "", hours: 24 });
  const [counts, setCounts] = useState<Counts | null>(null);
  const [error, setError] = useState<string | null>(null);
  const latest = useRef(0);

  const load = useCallback(async () => {
    const request = ++latest.current;
    const since = new Date(Date.now() - (applied.hours - 1) * 3600_000).toISOString();
    try {
      const answer = await api.counts({ room: applied.room || undefined, since });
      if (request !== latest.current) return;
      setCounts(answer);
      setError(null);
    } catch (caught) {
      if (request !== latest.current) return;
      setCounts(null);
      setError(describe(caught));
    }
  }, [api, applied]);

  useEffect(() => {
    void load();
    const timer = window.setInterval(() => void load(), REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [load]);

  function show(event: FormEvent) {
    event.preventDefault();
    setCounts(null);
    setApplied({ room: room.trim(), hours: rangeHours });
  }

  const where = applied.room ? `room ${applied.room}` : "the whole stage";
  const hours = counts?.hours ?? [];
  const days = hours.length > 12; // (an hour of yesterday reads like one of today)
  const sum = counts ? OUTCOMES.reduce((n, o) => n + counts.totals[o.key], 0) : 0;
  return (
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      <form className="card inline-form" onSubmit={show} aria-label="Choose what to count">
        <label className="grow">
          Room (empty: the whole stage)
          <input value={room} onChange={(e) => setRoom(e.target.value)} autoComplete="off" />
        </label>
        <label>
          Period
          <select value={rangeHours} onChange={(e) => setRangeHours(Number(e.target.value))}>
            {RANGES.map((r) => (
              <option key={r.hours} value={r.hours}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Show</button>
      </form>
      <p role="status" aria-live="polite" className={error ? "error" : "muted"}>
        {error
          ? error
          : counts
            ? `${sum} messages in ${where}, ${RANGES.find((r) => r.hours === applied.hours)?.label.toLowerCase() ?? ""}. Counts arrive within about a minute.`
            : "Loading…"}
      </p>
      {counts && (
        <>
          <ul className="totals" aria-label="Totals">
            {OUTCOMES.map((o) => (
              <li key={o.key} className="card">
                <span className="swatch" style={{ background: o.colour }} aria-hidden="true" />
                <span className="total-label">{o.label}</span>
                <strong className="total-value">{counts.totals[o.key]}</strong>
              </li>
            ))}
          </ul>
          <figure className="card chart-card">
            <figcaption>Messages per hour, by outcome ({where})</figcaption>
            <Chart hours={hours} />
            <div className="chart-axis" aria-hidden="true">
              <span>{hours[0] ? hourLabel(hours[0].hour, days) : ""}</span>
              <span>{hours.length ? hourLabel(hours[hours.length - 1].hour, days) : ""}</span>
            </div>
          </figure>
          <div className="overview-lists">
            <div className="card">
              <h2>Top categories</h2>
              {counts.topCategories.length ? (
                <ol>
                  {counts.topCategories.map((c) => (
                    <li key={c.category}>
                      {c.category} <span className="muted">({c.count})</span>
                    </li>
                  ))}
                </ol>
              ) : (
                <p className="muted">No category matched in this period.</p>
              )}
            </div>
            <div className="card">
              <h2>Top offenders</h2>
              {counts.topOffenders.length ? (
                <ol>
                  {counts.topOffenders.map((o) => (
                    <li key={o.clientId}>
                      <ClientLink clientId={o.clientId} />{" "}
                      <span className="muted">({o.count} masked, held or rejected)</span>
                    </li>
                  ))}
                </ol>
              ) : (
                <p className="muted">Nobody's message was masked, held or rejected.</p>
              )}
            </div>
          </div>
          <div className="table-wrap">
            <table>
              <caption>Per hour, newest first ({where}; hours without messages left out)</caption>
              <thead>
                <tr>
                  <th scope="col">Hour</th>
                  {OUTCOMES.map((o) => (
                    <th key={o.key} scope="col">
                      {o.label}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {[...hours]
                  .reverse()
                  .filter((hour) => total(hour) > 0)
                  .map((hour) => (
                    <tr key={hour.hour}>
                      <th scope="row">{hourLabel(hour.hour, days)}</th>
                      {OUTCOMES.map((o) => (
                        <td key={o.key}>{hour[o.key]}</td>
                      ))}
                    </tr>
                  ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
