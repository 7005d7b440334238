/** Sign-in page of the deployed console: Cognito's hosted UI (or the external issuer) with
 * authorization code + PKCE. Coming back from the issuer, it finishes the sign-in itself. */
import { useEffect, useRef, useState } from "react";
import type { OAuthEndpoints } from "../config";
import type { Session } from "../session";
import { beginSignIn, completeSignIn, isCallback } from "./oauth";

export default function OAuthSignIn(props: {
  oauth: OAuthEndpoints;
  provider: string;
  notice?: string | null;
  onSignedIn: (s: Session) => void;
}) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(isCallback);
  const started = useRef(false);
  const { oauth, onSignedIn } = props;

  useEffect(() => {
    // Once only (StrictMode runs effects twice; the code is single-use).
    if (started.current || !isCallback()) return;
    started.current = true;
    completeSignIn(oauth).then(onSignedIn, (caught: Error) => {
      setError(caught.message);
      setBusy(false);
    });
  }, [oauth, onSignedIn]);

  async function signIn() {
    setBusy(true);
    setError(null);
    try {
      await beginSignIn(oauth);
    } catch (caught) {
      setError(`Sign-in could not start: ${(caught as Error).message}`);
      setBusy(false);
    }
  }

  return (
    <section className="card sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">Sign in to moderate</h1>
      <p>
        Moderators sign in with their account at {props.provider}. Only members of the moderators
        group see moderation data.
      </p>
      {props.notice && !error && <p className="status">{props.notice}</p>}
      <button type="button" onClick={signIn} disabled={busy}>
        {busy ? "Signing in…" : "Sign in"}
      </button>
      {error && (
        <p role="alert" className="error">
          {error}
        </p>
      )}
    </section>
  );
}
