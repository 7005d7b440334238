/** What the console needs to know about its stage: config.json, written next to index.html
 * by the stack at deploy time, or by local mode when it serves the console. */
export interface ConsoleConfig {
  /** The HTTP API's base URL, without a trailing slash ("" for the console's own origin). */
  apiUrl: string;
  /** The stage's name, shown in the header. */
  stage: string;
  /** "local": sign in as a local user (local mode only); "cognito": the stack's hosted UI. */
  signIn: "local" | "cognito";
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
  if (signIn !== "local" && signIn !== "cognito") {
    throw new ConfigError('config.json: signIn must be "local" or "cognito"');
  }
  return { apiUrl: apiUrl.replace(/\/+$/, ""), stage, signIn, ably: parseAbly(record.ably) };
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
