/** The moderator API (docs/openapi.json), called with the signed-in moderator's bearer token. */

export interface Ban {
  clientId: string;
  reason: string;
  source: string;
  createdAt: string;
  bannedUntil: string | null;
  permanent: boolean;
}

export interface AuditEvent {
  eventId: string;
  at: string;
  action: string;
  actor: string;
  clientId: string | null;
  room: string | null;
  channel: string | null;
  reason: string | null;
  messageId: string | null;
  details: Record<string, unknown>;
}

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A refusal or failure, with the API's own words ({"error", "message"}). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class ModeratorApi {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async bans(cursor?: string): Promise<Page<Ban>> {
    const body = await this.call("GET", "/moderation/bans", { limit: "100", cursor });
    return { items: body.bans as Ban[], nextCursor: (body.nextCursor as string) ?? null };
  }

  async ban(clientId: string, reason: string, durationSeconds: number | null): Promise<Ban> {
    const request: Record<string, unknown> = { clientId, reason };
    if (durationSeconds !== null) request.durationSeconds = durationSeconds;
    return (await this.call("POST", "/moderation/bans", {}, request)) as unknown as Ban;
  }

  async unban(clientId: string, reason: string): Promise<void> {
    await this.call("DELETE", `/moderation/bans/${encodeURIComponent(clientId)}`, { reason });
  }

  async audit(filters: { clientId?: string }, cursor?: string): Promise<Page<AuditEvent>> {
    const body = await this.call("GET", "/moderation/audit", {
      limit: "50",
      clientId: filters.clientId || undefined,
      cursor,
    });
    return { items: body.events as AuditEvent[], nextCursor: (body.nextCursor as string) ?? null };
  }

  private async call(
    method: string,
    path: string,
    query: Record<string, string | undefined>,
    json?: unknown,
  ): Promise<Record<string, unknown>> {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) params.set(name, value);
    }
    const url = `${this.baseUrl}${path}${params.size ? `?${params}` : ""}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(json === undefined ? {} : { "content-type": "application/json" }),
        },
        body: json === undefined ? undefined : JSON.stringify(json),
      });
    } catch {
      throw new ApiError(0, "unreachable", "The chatmod API cannot be reached. Is it running?");
    }
    const text = await response.text();
    let body: Record<string, unknown> = {};
    try {
      body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
    } catch {
      body = {};
    }
    if (!response.ok) {
      throw new ApiError(
        response.status,
        String(body.error ?? response.status),
        explain(response.status, String(body.message ?? response.statusText)),
      );
    }
    return body;
  }
}

function explain(status: number, message: string): string {
  if (status === 401) return "Your sign-in has expired. Sign in again.";
  if (status === 403) return `Only moderators can do this (${message}).`;
  return message;
}
