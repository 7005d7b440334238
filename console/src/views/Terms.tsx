/** Custom terms (#/terms): words moderators block (or allow) at run time, for the whole
 * stage or for rooms matching a glob; add one or several at once, remove one, each with a
 * reason (audited). */
import { type FormEvent, useCallback, useEffect, useRef, useState } from "react";
import {
  ApiError,
  describe,
  type ModeratorApi,
  type TermCategory,
  type TermList,
  type Terms as TermsData,
} from "../api";

const STAGE = "*";
const CATEGORIES: { value: TermCategory; label: string }[] = [
  { value: "profanity", label: "Profanity" },
  { value: "sexual", label: "Sexual" },
  { value: "hate", label: "Hate" },
  { value: "harassment", label: "Harassment" },
  { value: "violence", label: "Violence" },
  { value: "self_harm", label: "Self-harm" },
];
const SEVERITIES = [
  { value: 1, label: "1 — mild" },
  { value: 2, label: "2 — moderate" },
  { value: 3, label: "3 — severe" },
];
/** The API's limits (chatmod.enforcement.custom_terms): scopes, and terms per list. */
const MAX_SCOPES = 20;
const MAX_TERMS = 500;
const MAX_TERM_LENGTH = 64;

function scopeName(scope: string): string {
  return scope === STAGE ? "Whole stage" : `Rooms ${scope}`;
}

/** Where a scope's terms apply, mid-sentence. */
function scopeWhere(scope: string): string {
  return scope === STAGE ? "for the whole stage" : `in rooms ${scope}`;
}

/** One term per line, trimmed, blank lines and repeats left out. */
function termsOf(text: string): string[] {
  const seen = new Set<string>();
  const terms: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const term = line.trim();
    const key = term.toLowerCase();
    if (term && !seen.has(key)) {
      seen.add(key);
      terms.push(term);
    }
  }
  return terms;
}

interface Removing {
  scope: string;
  list: TermList;
  term: string;
}

export default function Terms(props: { api: ModeratorApi }) {
  const { api } = props;
  const [terms, setTerms] = useState<TermsData | null>(null);
  const [denied, setDenied] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState("");
  const [removing, setRemoving] = useState<Removing | null>(null);
  // The Remove button that opened the form: Escape or Cancel returns the focus there.
  const opener = useRef<HTMLButtonElement | null>(null);

  const refresh = useCallback(async () => {
    try {
      setTerms(await api.terms());
    } catch (caught) {
      if (caught instanceof ApiError && (caught.status === 401 || caught.status === 403)) {
        setDenied(describe(caught));
      } else {
        setError(describe(caught));
      }
    }
  }, [api]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const scopes = terms ? Object.entries(terms.scopes) : [];
  // The stage first, then the room globs in the order they were first written.
  scopes.sort(([a], [b]) => (a === STAGE ? -1 : b === STAGE ? 1 : 0));

  return (
    <section aria-labelledby="terms-title">
      <h1 id="terms-title">Custom terms</h1>
      {denied ? (
        <p role="alert" className="error">
          {denied}
        </p>
      ) : (
        <>
          <div className="card explain">
            <p>
              A <strong>blocked</strong> term is added to the blocklist and matched the way its
              built-in words are: as a whole word, case and accents aside, and through obfuscation —
              look-alike letters, leetspeak, spaces, symbols or emoji between the letters, repeated
              letters (block <code>frak</code>, and <code>FRAAAK</code>, <code>fr4k</code> and{" "}
              <code>f.r.a.k</code> are caught too). A message that contains it is treated like any
              other the blocklist flags: the policy decides whether it is rejected, masked or held
              for review, by its category and severity. An <strong>allowed</strong> term is never
              flagged (for a word the lists catch wrongly).
            </p>
            <p>
              Changes apply without a deploy, <strong>within 60 seconds</strong>: chatmod's
              functions read the terms once per parameter cache age (60 s on a deployed stage, 2 s
              in local mode). Every change is recorded in the audit log.
            </p>
          </div>
          <AddTerms
            api={api}
            onAdded={(text, updated) => {
              setStatus(text);
              setError(null);
              if (updated) setTerms(updated);
            }}
            onError={(text, updated) => {
              setError(text);
              if (updated) setTerms(updated);
            }}
          />
          <p aria-live="polite" className="status">
            {status}
          </p>
          {error && (
            <p role="alert" className="error">
              {error}
            </p>
          )}
          {terms === null ? (
            !error && <p>Loading…</p>
          ) : scopes.length === 0 ? (
            <p>No custom terms yet: only the policy's blocklist applies.</p>
          ) : (
            scopes.map(([scope, lists], index) => (
              <section key={scope} className="card scope" aria-labelledby={`scope-${index}`}>
                <h2 id={`scope-${index}`}>{scopeName(scope)}</h2>
                {lists.block.length > 0 && (
                  <div className="table-wrap">
                    <table className="cards-on-phone">
                      <caption>
                        {lists.block.length === 1
                          ? "1 blocked term"
                          : `${lists.block.length} blocked terms`}
                      </caption>
                      <thead>
                        <tr>
                          <th scope="col">Term</th>
                          <th scope="col">Category</th>
                          <th scope="col">Severity</th>
                          <th scope="col">
                            <span className="visually-hidden">Actions</span>
                          </th>
                        </tr>
                      </thead>
                      <tbody>
                        {lists.block.map((b) => (
                          <tr key={b.term}>
                            <td data-label="Term" className="term">
                              {b.term}
                            </td>
                            <td data-label="Category">
                              {CATEGORIES.find((c) => c.value === b.category)?.label ?? b.category}
                            </td>
                            <td data-label="Severity">
                              {SEVERITIES.find((s) => s.value === b.severity)?.label ?? b.severity}
                            </td>
                            <td>
                              <button
                                type="button"
                                aria-expanded={
                                  removing?.scope === scope &&
                                  removing.list === "block" &&
                                  removing.term === b.term
                                }
                                onClick={(e) => {
                                  opener.current = e.currentTarget;
                                  setRemoving({ scope, list: "block", term: b.term });
                                }}
                              >
                                Remove
                                <span className="visually-hidden">
                                  {" "}
                                  {b.term} from {scopeName(scope)}
                                </span>
                              </button>
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </div>
                )}
                {lists.allow.length > 0 && (
                  <div className="allowed">
                    <h3 id={`allow-${index}`}>Allowed (never flagged)</h3>
                    <ul aria-labelledby={`allow-${index}`}>
                      {lists.allow.map((term) => (
                        <li key={term}>
                          <span className="term">{term}</span>
                          <button
                            type="button"
                            className="quiet"
                            aria-expanded={
                              removing?.scope === scope &&
                              removing.list === "allow" &&
                              removing.term === term
                            }
                            onClick={(e) => {
                              opener.current = e.currentTarget;
                              setRemoving({ scope, list: "allow", term });
                            }}
                          >
                            Remove
                            <span className="visually-hidden">
                              {" "}
                              {term} from {scopeName(scope)}
                            </span>
                          </button>
                        </li>
                      ))}
                    </ul>
                  </div>
                )}
                {removing?.scope === scope && (
                  <RemoveTerm
                    api={api}
                    removing={removing}
                    onCancel={() => {
                      setRemoving(null);
                      opener.current?.focus();
                    }}
                    onRemoved={async (text) => {
                      setRemoving(null);
                      setStatus(text);
                      setError(null);
                      await refresh();
                    }}
                    onError={setError}
                  />
                )}
              </section>
            ))
          )}
        </>
      )}
    </section>
  );
}

function AddTerms(props: {
  api: ModeratorApi;
  onAdded: (text: string, updated: TermsData | null) => void;
  onError: (text: string, updated: TermsData | null) => void;
}) {
  const { api } = props;
  const [text, setText] = useState("");
  const [everywhere, setEverywhere] = useState(true);
  const [rooms, setRooms] = useState("");
  const [list, setList] = useState<TermList>("block");
  const [category, setCategory] = useState<TermCategory>("profanity");
  const [severity, setSeverity] = useState(2);
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const wanted = termsOf(text);
    const scope = everywhere ? STAGE : rooms.trim();
    const tooLong = wanted.filter((t) => t.length > MAX_TERM_LENGTH);
    if (wanted.length === 0 || !scope) return;
    if (tooLong.length) {
      props.onError(
        `A term is at most ${MAX_TERM_LENGTH} characters: ${tooLong.join(", ")}.`,
        null,
      );
      return;
    }
    setBusy(true);
    const added: string[] = [];
    let updated: TermsData | null = null;
    try {
      // One request per term (the API takes one): stop at the first refusal and say which.
      for (const term of wanted) {
        updated = await api.addTerm({
          term,
          rooms: scope,
          list,
          category,
          severity,
          reason: reason.trim(),
        });
        added.push(term);
      }
      setText("");
      props.onAdded(
        `${list === "block" ? "Blocked" : "Allowed"} ${scopeWhere(scope)}: ` +
          `${added.join(", ")}. In effect within 60 seconds.`,
        updated,
      );
    } catch (caught) {
      const done = added.length ? ` Added before it: ${added.join(", ")}.` : "";
      setText(wanted.slice(added.length).join("\n"));
      props.onError(`Could not add ${wanted[added.length]}: ${describe(caught)}${done}`, updated);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card add-terms" aria-label="Add terms" onSubmit={submit}>
      <h2>Add terms</h2>
      <label className="terms-input">
        Terms, one per line
        <textarea
          required
          rows={4}
          value={text}
          onChange={(e) => setText(e.target.value)}
          spellCheck={false}
          autoComplete="off"
          aria-describedby="terms-limits"
        />
      </label>
      <p id="terms-limits" className="muted small">
        Up to {MAX_TERM_LENGTH} characters each; at most {MAX_TERMS} terms per list and {MAX_SCOPES}{" "}
        scopes (the stage and room globs).
      </p>
      <div className="add-grid">
        <fieldset>
          <legend>Where</legend>
          <label className="choice">
            <input
              type="radio"
              name="terms-scope"
              checked={everywhere}
              onChange={() => setEverywhere(true)}
            />
            Whole stage (every room)
          </label>
          <label className="choice">
            <input
              type="radio"
              name="terms-scope"
              checked={!everywhere}
              onChange={() => setEverywhere(false)}
            />
            Rooms matching
          </label>
          {!everywhere && (
            <label className="sub-field">
              <span>
                Room glob (e.g. <code>kids-*</code>)
              </span>
              <input
                required
                value={rooms}
                onChange={(e) => setRooms(e.target.value)}
                maxLength={256}
                autoComplete="off"
                spellCheck={false}
              />
            </label>
          )}
        </fieldset>
        <fieldset>
          <legend>List</legend>
          <label className="choice">
            <input
              type="radio"
              name="terms-list"
              checked={list === "block"}
              onChange={() => setList("block")}
            />
            Block (flag it)
          </label>
          <label className="choice">
            <input
              type="radio"
              name="terms-list"
              checked={list === "allow"}
              onChange={() => setList("allow")}
            />
            Allow (never flag it)
          </label>
        </fieldset>
        {list === "block" && (
          <div className="stack-fields">
            <label>
              Category
              <select
                value={category}
                onChange={(e) => setCategory(e.target.value as TermCategory)}
              >
                {CATEGORIES.map((c) => (
                  <option key={c.value} value={c.value}>
                    {c.label}
                  </option>
                ))}
              </select>
            </label>
            <label>
              Severity
              <select value={severity} onChange={(e) => setSeverity(Number(e.target.value))}>
                {SEVERITIES.map((s) => (
                  <option key={s.value} value={s.value}>
                    {s.label}
                  </option>
                ))}
              </select>
            </label>
          </div>
        )}
      </div>
      <div className="inline-form">
        <label className="grow">
          Reason
          <input
            required
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            maxLength={256}
            autoComplete="off"
          />
        </label>
        <button type="submit" disabled={busy}>
          {list === "block" ? "Block" : "Allow"}
          {termsOf(text).length > 1 ? ` ${termsOf(text).length} terms` : ""}
        </button>
      </div>
    </form>
  );
}

function RemoveTerm(props: {
  api: ModeratorApi;
  removing: Removing;
  onCancel: () => void;
  onRemoved: (text: string) => Promise<void>;
  onError: (text: string) => void;
}) {
  const { api, removing } = props;
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const field = useRef<HTMLInputElement | null>(null);
  useEffect(() => field.current?.focus(), [removing]);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    try {
      await api.removeTerm(removing.term, removing.scope, removing.list, reason.trim());
      await props.onRemoved(
        `Removed ${removing.term} from the ${removing.list === "block" ? "blocked" : "allowed"} ` +
          `terms ${scopeWhere(removing.scope)}. ` +
          "In effect within 60 seconds.",
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
      aria-label={`Remove ${removing.term}`}
      onSubmit={submit}
      onKeyDown={(e) => e.key === "Escape" && props.onCancel()}
    >
      <p className="act-title">
        Remove <strong>{removing.term}</strong> from the{" "}
        {removing.list === "block" ? "blocked" : "allowed"} terms {scopeWhere(removing.scope)}
      </p>
      <label className="grow">
        Reason for removing
        <input
          ref={field}
          required
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          maxLength={256}
          autoComplete="off"
        />
      </label>
      <button type="submit" className="danger" disabled={busy}>
        Remove term
      </button>
      <button type="button" className="quiet" onClick={props.onCancel}>
        Cancel
      </button>
    </form>
  );
}
