/** A room's slow mode, in the live room view: what is in effect, and a moderator sets it
 * (presets or any number of seconds, 1–120) or turns it off, with a reason (audited).
 * Only a room that a `crossMessage` entry of the policy covers can have one: for the others
 * the panel says so and offers nothing to change. */
import { type FormEvent, useEffect, useState } from "react";
import { ApiError, describe, type ModeratorApi, type RoomSettings } from "../api";
import { formatTime } from "../format";

/** The presets offered (seconds; 0 is off); any other number up to MAX can be typed. */
const PRESETS = [0, 5, 10, 30, 60, 120];
const MAX = 120;
const REASON_ON = "Room too busy";
const REASON_OFF = "Room calm again";
const REASONS = [REASON_ON, "Spam wave", "Raid", REASON_OFF];

function said(seconds: number): string {
  return seconds === 0 ? "off" : `${seconds} s between a sender's messages`;
}

export default function SlowMode(props: { api: ModeratorApi; room: string }) {
  const { api, room } = props;
  const [settings, setSettings] = useState<RoomSettings | null>(null);
  const [refused, setRefused] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState("");
  const [seconds, setSeconds] = useState("0");
  // null: the default reason for what is chosen (on or off), until the moderator types one.
  const [reason, setReason] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    api.room(room).then(
      (loaded) => {
        if (!live) return;
        setSettings(loaded);
        setSeconds(String(loaded.slowModeSeconds));
      },
      (caught: unknown) => {
        if (!live) return;
        if (caught instanceof ApiError && (caught.status === 401 || caught.status === 403)) {
          setRefused(describe(caught));
        } else {
          setError(describe(caught));
        }
      },
    );
    return () => {
      live = false;
    };
  }, [api, room]);

  const chosen = Number(seconds);
  const valid = seconds.trim() !== "" && Number.isInteger(chosen) && chosen >= 0 && chosen <= MAX;
  const reasonShown = reason ?? (valid && chosen === 0 ? REASON_OFF : REASON_ON);

  async function apply(value: number) {
    setBusy(true);
    setError(null);
    try {
      const why = reason ?? (value === 0 ? REASON_OFF : REASON_ON);
      const updated = await api.setSlowMode(room, value, why.trim());
      setSettings(updated);
      setSeconds(String(updated.slowModeSeconds));
      setReason(null);
      setStatus(
        updated.slowModeSeconds === 0
          ? `Slow mode is off in ${room}.`
          : `Slow mode is on in ${room}: ${said(updated.slowModeSeconds)}.`,
      );
    } catch (caught) {
      setStatus("");
      setError(describe(caught));
    } finally {
      setBusy(false);
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (valid) void apply(chosen);
  }

  return (
    <section className="card slow-mode" aria-labelledby="slow-title">
      <h2 id="slow-title">Slow mode</h2>
      {refused ? (
        <p role="alert" className="error">
          {refused} Its slow mode is not shown.
        </p>
      ) : settings === null ? (
        error ? (
          <p role="alert" className="error">
            {error}
          </p>
        ) : (
          <p className="muted">Loading…</p>
        )
      ) : !settings.covered ? (
        <p className="muted">
          Slow mode cannot be set in {room}: no <code>crossMessage</code> entry of the policy covers
          this room, so chatmod keeps no per-sender timing for it. An operator adds one (
          <code>make policy</code>) to make it possible.
        </p>
      ) : (
        <>
          <p className="slow-now">
            {settings.slowModeSeconds === 0 ? (
              <>
                Now: <strong>off</strong> — senders are not paced.
              </>
            ) : (
              <>
                Now: <strong>{said(settings.slowModeSeconds)}</strong> — a sooner message is refused
                with the seconds left to wait.
              </>
            )}
            {settings.slowModeSetBy && (
              <span className="muted">
                {" "}
                Set by {settings.slowModeSetBy}
                {settings.slowModeSetAt ? `, ${formatTime(settings.slowModeSetAt)}` : ""}.
              </span>
            )}
          </p>
          <form className="slow-form" aria-label={`Slow mode of ${room}`} onSubmit={submit}>
            <fieldset className="presets">
              <legend>Seconds between a sender's messages</legend>
              {PRESETS.map((preset) => (
                <label key={preset} className="preset">
                  <input
                    type="radio"
                    name="slow-preset"
                    value={preset}
                    checked={valid && chosen === preset}
                    onChange={() => setSeconds(String(preset))}
                  />
                  {preset === 0 ? "Off" : `${preset} s`}
                </label>
              ))}
            </fieldset>
            <div className="inline-form">
              <label>
                Seconds (0 to {MAX})
                <input
                  type="number"
                  inputMode="numeric"
                  min={0}
                  max={MAX}
                  step={1}
                  required
                  value={seconds}
                  onChange={(e) => setSeconds(e.target.value)}
                  className="seconds"
                />
              </label>
              <label className="grow">
                Reason
                <input
                  required
                  value={reasonShown}
                  onChange={(e) => setReason(e.target.value)}
                  maxLength={256}
                  autoComplete="off"
                  list="slow-reasons"
                />
                <datalist id="slow-reasons">
                  {REASONS.map((r) => (
                    <option key={r} value={r} />
                  ))}
                </datalist>
              </label>
              <button
                type="submit"
                disabled={busy || !valid || chosen === settings.slowModeSeconds}
              >
                {valid && chosen === 0 ? "Turn slow mode off" : "Set slow mode"}
              </button>
              {settings.slowModeSeconds !== 0 && !(valid && chosen === 0) && (
                <button
                  type="button"
                  className="quiet"
                  disabled={busy}
                  onClick={() => void apply(0)}
                >
                  Turn off
                </button>
              )}
            </div>
          </form>
          {error && (
            <p role="alert" className="error">
              {error}
            </p>
          )}
          <p aria-live="polite" className="slow-status">
            {status}
          </p>
        </>
      )}
    </section>
  );
}
