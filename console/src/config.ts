/** What the console needs to know about its stage: config.json, written next to index.html
 * by the stack at deploy time, or by local mode when it serves the console. */
export interface ConsoleConfig {
  /** The HTTP API's base URL, without a trailing slash ("" for the console's own origin). */
  apiUrl: string;
  /** The stage's name, shown in the header. */
  stage: string;
  /** "local": sign in as a local user (local mode only); "cognito": the stack's hosted UI;
   * "oauth": an external issuer. Both of the latter use `oauth` (code + PKCE). */
  signIn: "local" | "cognito" | "oauth";
  /** The authorization server's endpoints and the console's public client id. */
  oauth?: OAuthEndpoints;
  /** Where the live view's Ably realtime connection goes: absent for Ably's default endpoint;
   * local mode points it at its emulator (`{endpoint: "127.0.0.1", port, tls: false}`). */
  ably?: AblyEndpoint;
}

export interface AblyEndpoint {
  /** An Ably endpoint name ("main", a custom routing policy) or a host name. */
  endpoint: string;
  port?: number;
  tls?: boolean;
}

export interface OAuthEndpoints {
  authorizeUrl: string;
  tokenUrl: string;
  /** Opened as it is on sign-out (Cognito's /logout with client_id and logout_uri). */
  logoutUrl?: string;
  clientId: string;
  scopes: string[];
}

export class ConfigError extends Error {}

export function parseConfig(value: unknown): ConsoleConfig {
  if (typeof value !== "object" || value === null) {
    throw new ConfigError("config.json is not a JSON object");
  }
  const record = value as Record<string, unknown>;
  const apiUrl = record.apiUrl;
  const stage = record.stage;
  const signIn = record.signIn;
  if (typeof apiUrl !== "string") throw new ConfigError("config.json: apiUrl must be a string");
  if (typeof stage !== "string" || !stage) throw new ConfigError("config.json: stage is missing");
  if (signIn !== "local" && signIn !== "cognito" && signIn !== "oauth") {
    throw new ConfigError('config.json: signIn must be "local", "cognito" or "oauth"');
  }
  const oauth = signIn === "local" ? undefined : parseOAuth(record.oauth);
  return {
    apiUrl: apiUrl.replace(/\/+$/, ""),
    stage,
    signIn,
    oauth,
    ably: parseAbly(record.ably),
  };
}

function parseOAuth(value: unknown): OAuthEndpoints {
  if (typeof value !== "object" || value === null) {
    throw new ConfigError("config.json: oauth is missing");
  }
  const record = value as Record<string, unknown>;
  for (const key of ["authorizeUrl", "tokenUrl", "clientId"]) {
    if (typeof record[key] !== "string" || !record[key]) {
      throw new ConfigError(`config.json: oauth.${key} must be a non-empty string`);
    }
  }
  const scopes = Array.isArray(record.scopes) ? record.scopes.map(String) : ["openid"];
  const logoutUrl = typeof record.logoutUrl === "string" ? record.logoutUrl : undefined;
  return {
    authorizeUrl: record.authorizeUrl as string,
    tokenUrl: record.tokenUrl as string,
    clientId: record.clientId as string,
    logoutUrl,
    scopes,
  };
}

function parseAbly(value: unknown): AblyEndpoint | undefined {
  if (value === undefined || value === null) return undefined;
  const record = value as Record<string, unknown>;
  if (typeof value !== "object" || typeof record.endpoint !== "string" || !record.endpoint) {
    throw new ConfigError("config.json: ably.endpoint must be a non-empty string");
  }
  const { endpoint, port, tls } = record;
  if (port !== undefined && (typeof port !== "number" || !Number.isInteger(port))) {
    throw new ConfigError("config.json: ably.port must be an integer");
  }
  if (tls !== undefined && typeof tls !== "boolean") {
    throw new ConfigError("config.json: ably.tls must be true or false");
  }
  return { endpoint, port, tls };
}

export async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch("./config.json", { cache: "no-store" });
  if (!response.ok)
    throw new ConfigError(`config.json could not be read (HTTP ${response.status})`);
  return parseConfig(await response.json());
}
