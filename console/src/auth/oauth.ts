/** OAuth 2.0 authorization code + PKCE (RFC 7636, S256) for the deployed console, against
 * Cognito's hosted UI (/oauth2/authorize, /oauth2/token, /logout) or an external issuer.
 *
 * No library: Web Crypto makes the verifier and its SHA-256 challenge, fetch does the token
 * calls. The verifier and state live in sessionStorage only between the redirect out and
 * the redirect back; the tokens in sessionStorage (this tab only, gone when it closes). */
import type { OAuthEndpoints } from "../config";
import type { Session } from "../session";

const PENDING = "chatmod.console.oauth.pending";
const TOKENS = "chatmod.console.oauth.tokens";

interface Pending {
  state: string;
  verifier: string;
  redirectUri: string;
}

interface StoredTokens {
  refreshToken?: string;
  /** When the ID token expires (ms since the epoch). */
  expiresAt: number;
}

export class SignInError extends Error {}

function base64url(bytes: Uint8Array): string {
  let text = "";
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function randomString(bytes = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** The S256 challenge of a verifier: base64url(SHA-256(verifier)). */
export async function challengeOf(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/** The console's own page, as registered with the issuer ("https://<domain>/"). */
export function redirectUri(): string {
  return window.location.origin + window.location.pathname.replace(/index\.html$/, "");
}

/** Go to the authorization endpoint; the browser comes back with ?code=&state=. */
export async function beginSignIn(oauth: OAuthEndpoints): Promise<void> {
  const pending: Pending = {
    state: randomString(16),
    verifier: randomString(48), // 64 characters, within RFC 7636's 43..128
    redirectUri: redirectUri(),
  };
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  const query = new URLSearchParams({
    response_type: "code",
    client_id: oauth.clientId,
    redirect_uri: pending.redirectUri,
    scope: oauth.scopes.join(" "),
    state: pending.state,
    code_challenge: await challengeOf(pending.verifier),
    code_challenge_method: "S256",
  });
  window.location.assign(`${oauth.authorizeUrl}?${query}`);
}

/** Whether this page load is the issuer sending the browser back. */
export function isCallback(): boolean {
  const query = new URLSearchParams(window.location.search);
  return query.has("code") || query.has("error");
}

/** Finish a sign-in: check the state, trade the code and the verifier for tokens.
 *
 * Removes the code from the address bar whatever happens (it is single-use). */
export async function completeSignIn(oauth: OAuthEndpoints): Promise<Session> {
  const query = new URLSearchParams(window.location.search);
  window.history.replaceState(null, "", redirectUri() + window.location.hash);
  const pending = readPending();
  sessionStorage.removeItem(PENDING);
  const error = query.get("error");
  if (error) {
    throw new SignInError(`sign-in was refused: ${query.get("error_description") ?? error}`);
  }
  if (!pending || query.get("state") !== pending.state) {
    throw new SignInError("the sign-in answer does not match this browser's request (state)");
  }
  return tokenRequest(oauth, {
    grant_type: "authorization_code",
    client_id: oauth.clientId,
    code: query.get("code") ?? "",
    redirect_uri: pending.redirectUri,
    code_verifier: pending.verifier,
  });
}

/** New tokens from the refresh token, or null when there is none (sign in again). */
export async function refreshSession(oauth: OAuthEndpoints): Promise<Session | null> {
  const stored = readTokens();
  if (!stored?.refreshToken) return null;
  return tokenRequest(
    oauth,
    { grant_type: "refresh_token", client_id: oauth.clientId, refresh_token: stored.refreshToken },
    stored.refreshToken,
  );
}

/** Milliseconds until the signed-in token should be refreshed (a minute before it expires). */
export function refreshDelay(now = Date.now()): number | null {
  const stored = readTokens();
  return stored ? Math.max(0, stored.expiresAt - 60_000 - now) : null;
}

/** Forget the tokens; where the issuer has a sign-out page, go there (it comes back here). */
export function signOut(oauth: OAuthEndpoints | undefined): void {
  sessionStorage.removeItem(TOKENS);
  if (oauth?.logoutUrl) window.location.assign(oauth.logoutUrl);
}

async function tokenRequest(
  oauth: OAuthEndpoints,
  form: Record<string, string>,
  previousRefreshToken?: string,
): Promise<Session> {
  let response: Response;
  try {
    response = await fetch(oauth.tokenUrl, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form),
    });
  } catch (caught) {
    throw new SignInError(`the sign-in service cannot be reached (${(caught as Error).message})`);
  }
  const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
  if (!response.ok) {
    throw new SignInError(`sign-in failed: ${String(body.error ?? `HTTP ${response.status}`)}`);
  }
  // The API's JWT authorizer takes the ID token (audience: the console's client id).
  const token = String(body.id_token ?? body.access_token ?? "");
  const claims = claimsOf(token);
  if (!claims) throw new SignInError("sign-in failed: the answer has no usable token");
  const refreshToken =
    typeof body.refresh_token === "string" ? body.refresh_token : previousRefreshToken;
  const expiresAt =
    typeof claims.exp === "number"
      ? claims.exp * 1000
      : Date.now() + Number(body.expires_in ?? 3600) * 1000;
  sessionStorage.setItem(TOKENS, JSON.stringify({ refreshToken, expiresAt } as StoredTokens));
  const name = claims["cognito:username"] ?? claims.email ?? claims.sub;
  return { clientId: String(name ?? "unknown"), token };
}

/** A JWT's claims (not verified here: the API verifies every call). */
function claimsOf(token: string): Record<string, unknown> | null {
  const payload = token.split(".")[1];
  if (!payload) return null;
  try {
    const text = atob(payload.replace(/-/g, "+").replace(/_/g, "/"));
    const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  } catch {
    return null;
  }
}

function readPending(): Pending | null {
  try {
    return JSON.parse(sessionStorage.getItem(PENDING) ?? "null") as Pending | null;
  } catch {
    return null;
  }
}

function readTokens(): StoredTokens | null {
  try {
    return JSON.parse(sessionStorage.getItem(TOKENS) ?? "null") as StoredTokens | null;
  } catch {
    return null;
  }
}
