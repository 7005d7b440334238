/** What the console needs to know about its stage: config.json, written next to index.html
 * by the stack at deploy time, or by local mode when it serves the console. */
export interface ConsoleConfig {
  /** The HTTP API's base URL, without a trailing slash ("" for the console's own origin). */
  apiUrl: string;
  /** The stage's name, shown in the header. */
  stage: string;
  /** "local": sign in as a local user (local mode only); "cognito": the stack's hosted UI. */
  signIn: "local" | "cognito";
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
  return { apiUrl: apiUrl.replace(/\/+$/, ""), stage, signIn };
}

export async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch("./config.json", { cache: "no-store" });
  if (!response.ok)
    throw new ConfigError(`config.json could not be read (HTTP ${response.status})`);
  return parseConfig(await response.json());
}
