import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from "react";
import { ModeratorApi } from "./api";
import OAuthSignIn from "./auth/OAuthSignIn";
import { refreshDelay, refreshSession, signOut } from "./auth/oauth";
import { type ConsoleConfig, loadConfig } from "./config";
import { loadSession, type Session, saveSession } from "./session";
import Audit from "./views/Audit";
import Bans from "./views/Bans";
import Overview from "./views/Overview";
import Reviews from "./views/Reviews";
import Terms from "./views/Terms";
import User from "./views/User";

// Decided at build time: only the local build (vite --mode localmode) contains the local
// sign-in; in the deployed build this is null and the module is not bundled at all.
const LocalSignIn =
  import.meta.env.MODE === "localmode" ? lazy(() => import("./auth/LocalSignIn")) : null;

// The live view is the only one that needs the Ably SDKs: its own chunk, loaded on first use,
// keeps them out of the console's first load.
const LiveRoom = lazy(() => import("./live/LiveRoom"));

const VIEWS = [
  { id: "overview", label: "Overview" },
  { id: "live", label: "Live" },
  { id: "bans", label: "Bans" },
  { id: "reviews", label: "Reviews" },
  { id: "users", label: "Users" },
  { id: "audit", label: "Audit log" },
  { id: "terms", label: "Terms" },
] as const;
type ViewId = (typeof VIEWS)[number]["id"];
/** Where the hash points: a view, for #/users/<clientId> the user, for #/live/<room> the room. */
interface Route {
  view: ViewId;
  clientId: string;
  room: string;
}

function routeFromHash(): Route {
  const [id = "", ...rest] = window.location.hash.replace(/^#\/?/, "").split("/");
  if (!VIEWS.some((v) => v.id === id)) return { view: "bans", clientId: "", room: "" };
  let tail = "";
  try {
    tail = decodeURIComponent(rest.join("/"));
  } catch {
    tail = rest.join("/");
  }
  return {
    view: id as ViewId,
    clientId: id === "users" ? tail : "",
    room: id === "live" ? tail : "",
  };
}

export default function App() {
  const [config, setConfig] = useState<ConsoleConfig | null>(null);
  const [configError, setConfigError] = useState<string | null>(null);
  const [session, setSession] = useState<Session | null>(loadSession);
  const [route, setRoute] = useState<Route>(routeFromHash);
  const [notice, setNotice] = useState<string | null>(null);
  const view = route.view;

  useEffect(() => {
    loadConfig().then(setConfig, (error: Error) => setConfigError(error.message));
    const onHash = () => setRoute(routeFromHash());
    window.addEventListener("hashchange", onHash);
    return () => window.removeEventListener("hashchange", onHash);
  }, []);

  const api = useMemo(
    () => (config && session ? new ModeratorApi(config.apiUrl, session.token) : null),
    [config, session],
  );

  const signedIn = useCallback((next: Session | null) => {
    saveSession(next);
    setSession(next);
  }, []);

  // Hosted sign-in: refresh the token a minute before it expires; without a refresh
  // token, or when the refresh fails, back to the sign-in page with a word why.
  useEffect(() => {
    const oauth = config?.oauth;
    if (!oauth || !session) return;
    const delay = refreshDelay();
    if (delay === null) return;
    const timer = window.setTimeout(() => {
      refreshSession(oauth).then(
        (next) => {
          if (!next) setNotice("Your session ended: sign in again.");
          signedIn(next);
        },
        () => {
          setNotice("Your session ended: sign in again.");
          signedIn(null);
        },
      );
    }, delay);
    return () => window.clearTimeout(timer);
  }, [config, session, signedIn]);

  function signOutNow() {
    signedIn(null);
    if (config && config.signIn !== "local") signOut(config.oauth);
  }

  if (configError) {
    return (
      <main className="centered">
        <p role="alert" className="error">
          The console cannot start: {configError}
        </p>
      </main>
    );
  }
  if (!config) return <main className="centered">Loading…</main>;

  return (
    <>
      <a className="skip-link" href="#content">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">chatmod</span>
        <span className={`stage ${config.signIn === "local" ? "stage-local" : ""}`}>
          {config.signIn === "local"
            ? `local mode — not a deployed stage`
            : `stage ${config.stage}`}
        </span>
        {session && (
          <>
            <nav aria-label="Views">
              {VIEWS.map((v) => (
                <a key={v.id} href={`#/${v.id}`} aria-current={view === v.id ? "page" : undefined}>
                  {v.label}
                </a>
              ))}
            </nav>
            <span className="who">
              Signed in as <strong>{session.clientId}</strong>
            </span>
            <button type="button" onClick={signOutNow}>
              Sign out
            </button>
          </>
        )}
      </header>
      <main id="content" tabIndex={-1}>
        {!session ? (
          config.signIn === "local" && LocalSignIn ? (
            <Suspense fallback={<p>Loading…</p>}>
              <LocalSignIn apiUrl={config.apiUrl} onSignedIn={signedIn} />
            </Suspense>
          ) : config.signIn === "local" ? (
            <p role="alert" className="error">
              This console build has no local sign-in: local mode serves its own build.
            </p>
          ) : config.oauth ? (
            <OAuthSignIn
              oauth={config.oauth}
              provider={config.signIn === "cognito" ? "this stage's sign-in page" : "your issuer"}
              notice={notice}
              onSignedIn={signedIn}
            />
          ) : (
            <p role="alert" className="error">
              config.json names no sign-in service.
            </p>
          )
        ) : !api ? null : view === "live" ? (
          <Suspense fallback={<p>Loading the live view…</p>}>
            <LiveRoom api={api} ably={config.ably} room={route.room} />
          </Suspense>
        ) : view === "reviews" ? (
          <Reviews api={api} />
        ) : view === "users" ? (
          <User key={route.clientId} api={api} clientId={route.clientId} />
        ) : view === "audit" ? (
          <Audit api={api} />
        ) : view === "terms" ? (
          <Terms api={api} />
        ) : view === "overview" ? (
          <Overview api={api} />
        ) : (
          <Bans api={api} />
        )}
      </main>
    </>
  );
}
