/** Who is signed in: kept in sessionStorage, so a closed tab signs out. */
export interface Session {
  clientId: string;
  token: string;
}

const KEY = "chatmod.console.session";

export function loadSession(): Session | null {
  try {
    const value = JSON.parse(sessionStorage.getItem(KEY) ?? "null") as Session | null;
    return value && typeof value.clientId === "string" && typeof value.token === "string"
      ? value
      : null;
  } catch {
    return null;
  }
}

export function saveSession(session: Session | null): void {
  if (session) sessionStorage.setItem(KEY, JSON.stringify(session));
  else sessionStorage.removeItem(KEY);
}
