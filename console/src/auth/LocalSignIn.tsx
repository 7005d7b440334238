/** Sign-in as a local user. Bundled only in the local build (dist-local/): the deployed
 * console has no way to mint its own tokens. Local mode answers /_local/token to
 * same-origin pages on loopback only. */
import { type FormEvent, useState } from "react";
import type { Session } from "../session";

const USERS = [
  { clientId: "moderator", moderator: true, label: "moderator (a moderator)" },
  { clientId: "alice", moderator: false, label: "alice (a chat user)" },
  { clientId: "bob", moderator: false, label: "bob (a chat user)" },
];

export default function LocalSignIn(props: { apiUrl: string; onSignedIn: (s: Session) => void }) {
  const [choice, setChoice] = useState(USERS[0].clientId);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function signIn(event: FormEvent) {
    event.preventDefault();
    const user = USERS.find((u) => u.clientId === choice) ?? USERS[0];
    setBusy(true);
    setError(null);
    try {
      const query = new URLSearchParams({ clientId: user.clientId });
      if (user.moderator) query.set("moderator", "1");
      const response = await fetch(`${props.apiUrl}/_local/token?${query}`);
      const body = (await response.json()) as { token?: string; message?: string };
      if (!response.ok || !body.token) throw new Error(body.message ?? `HTTP ${response.status}`);
      props.onSignedIn({ clientId: user.clientId, token: body.token });
    } catch (caught) {
      setError(`Sign-in failed: ${(caught as Error).message}`);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card sign-in" onSubmit={signIn} aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in to the local system</h1>
      <p>Local mode has no accounts: pick who you are. Only a moderator sees moderation data.</p>
      <fieldset>
        <legend>Sign in as</legend>
        {USERS.map((user) => (
          <label key={user.clientId} className="choice">
            <input
              type="radio"
              name="user"
              value={user.clientId}
              checked={choice === user.clientId}
              onChange={() => setChoice(user.clientId)}
            />
            {user.label}
          </label>
        ))}
      </fieldset>
      <button type="submit" disabled={busy}>
        {busy ? "Signing in…" : "Sign in"}
      </button>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </form>
  );
}
