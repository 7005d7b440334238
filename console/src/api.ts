/** The moderator API, called with the signed-in moderator's bearer token.
 *
 * Every route, query, body and answer is typed from `api-types.ts`, which is generated from
 * docs/openapi.json (`npm run api-types`): a route or field the contract renames or drops
 * stops `tsc`, and a stale api-types.ts stops the build. */
import type { components, paths } from "./api-types";

type Schemas = components["schemas"];
export type Ban = Schemas["BanOut"];
export type AuditEvent = Schemas["AuditEventOut"];
export type AuditAction = AuditEvent["action"];
export type Review = Schemas["ReviewOut"];
export type ReviewDecision = Schemas["ReviewDecision"];
export type UserView = Schemas["UserView"];
/** What the audit log can be filtered by (absent: any); times are ISO-8601 with a zone. */
export interface AuditFilters {
  clientId?: string;
  room?: string;
  action?: AuditAction;
  moderator?: string;
  since?: string;
  until?: string;
}
export type TokenRequest = Schemas["TokenRequestOut"];
export type RoomSettings = Schemas["RoomOut"];
export type TermCategory = NonNullable<Schemas["TermChange"]["category"]>;
export type TermList = NonNullable<Schemas["TermChange"]["list"]>;
/** A blocked term as `GET /moderation/terms` lists it. */
export interface BlockedTerm {
  term: string;
  category: TermCategory;
  severity: number;
}
/** One scope's lists: `*` is the whole stage, the other scopes are room globs. */
export interface ScopeTerms {
  block: BlockedTerm[];
  allow: string[];
}
/** The custom terms, scope by scope. The contract types `terms` only as an object
 * (`TermsOut.terms`); this is its shape as the server writes it
 * (`chatmod.enforcement.custom_terms.CustomTerms.to_json`). */
export interface Terms {
  scopes: Record<string, ScopeTerms>;
  version: number;
}
export type MessageDeleted = Schemas["MessageDeleted"];
export type Counts = Schemas["CountsOut"];
export type HourCounts = Schemas["HourCounts"];

type Method = "get" | "post" | "delete";
/** The JSON answer of a route for one status (`never` when the contract has none). */
type Answer<P extends keyof paths, M extends Method, S extends number> = paths[P][M] extends {
  responses: { [K in S]: { content: { "application/json": infer T } } };
}
  ? T
  : never;
type QueryOf<P extends keyof paths, M extends Method> = paths[P][M] extends {
  parameters: { query?: infer Q };
}
  ? NonNullable<Q>
  : never;
type PathOf<P extends keyof paths, M extends Method> = paths[P][M] extends {
  parameters: { path: infer T };
}
  ? T
  : never;
type BodyOf<P extends keyof paths, M extends Method> = paths[P][M] extends {
  requestBody: { content: { "application/json": infer B } };
}
  ? B
  : never;

interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A refusal or failure, with the API's own words ({"error", "message", ...}). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** How many items one request asks for (the API's most is 100). */
const PAGE = 50;

export class ModeratorApi {
  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
  ) {}

  async bans(cursor?: string): Promise<Page<Ban>> {
    const body = await this.call("/moderation/bans", "get", 200, {
      query: { limit: 100, cursor },
    });
    return { items: body.bans, nextCursor: body.nextCursor ?? null };
  }

  async ban(clientId: string, reason: string, durationSeconds: number | null): Promise<Ban> {
    return this.call("/moderation/bans", "post", 201, {
      json: durationSeconds === null ? { clientId, reason } : { clientId, reason, durationSeconds },
    });
  }

  async unban(clientId: string, reason: string): Promise<void> {
    await this.call("/moderation/bans/{clientId}", "delete", 204, {
      path: { clientId },
      query: { reason },
    });
  }

  async audit(filters: AuditFilters, cursor?: string): Promise<Page<AuditEvent>> {
    const body = await this.call("/moderation/audit", "get", 200, {
      query: {
        limit: PAGE,
        clientId: filters.clientId || undefined,
        room: filters.room || undefined,
        action: filters.action || undefined,
        moderator: filters.moderator || undefined,
        since: filters.since || undefined,
        until: filters.until || undefined,
        cursor,
      },
    });
    return { items: body.events, nextCursor: body.nextCursor ?? null };
  }

  /** Pending (or other state's) items, oldest first. */
  async reviews(filters: { room?: string }, limit = 100): Promise<Page<Review>> {
    const body = await this.call("/moderation/reviews", "get", 200, {
      query: { room: filters.room || undefined, state: "pending", limit },
    });
    return { items: body.reviews, nextCursor: body.nextCursor ?? null };
  }

  async approve(reviewId: string): Promise<ReviewDecision> {
    return this.call("/moderation/reviews/{reviewId}/approve", "post", 200, {
      path: { reviewId },
    });
  }

  async deny(reviewId: string, reason: string, strike: boolean): Promise<ReviewDecision> {
    return this.call("/moderation/reviews/{reviewId}/deny", "post", 200, {
      path: { reviewId },
      json: { reason, strike },
    });
  }

  /** Soft-delete a chat message (audited; the room's subscribers get the delete). */
  async deleteMessage(room: string, serial: string, reason: string): Promise<MessageDeleted> {
    return this.call("/moderation/messages/delete", "post", 200, {
      json: { room, serial, reason },
    });
  }

  /** An Ably TokenRequest for the signed-in moderator (`/token`), for the live view's
   * realtime connection (ably-js `authCallback`). */
  async ablyTokenRequest(): Promise<TokenRequest> {
    return this.call("/token", "get", 200, {});
  }

  /** Rooms with recent moderation activity, newest first: the rooms of the latest audit
   * events (one request; the audit log is the only room list the API has). */
  async recentRooms(limit = 100): Promise<string[]> {
    const body = await this.call("/moderation/audit", "get", 200, { query: { limit } });
    const rooms: string[] = [];
    for (const event of body.events) {
      if (event.room && !rooms.includes(event.room)) rooms.push(event.room);
    }
    return rooms;
  }

  /** A room's slow mode in effect and whether the policy covers it (only a covered room
   * can have one). */
  async room(room: string): Promise<RoomSettings> {
    return this.call("/moderation/rooms/{room}", "get", 200, { path: { room } });
  }

  /** Seconds between a sender's messages in the room (0: off); audited. */
  async setSlowMode(room: string, seconds: number, reason: string): Promise<RoomSettings> {
    return this.call("/moderation/rooms/{room}/slow-mode", "post", 200, {
      path: { room },
      json: { seconds, reason },
    });
  }

  async terms(): Promise<Terms> {
    return asTerms(await this.call("/moderation/terms", "get", 200, {}));
  }

  /** Block (or allow) one term in a scope; the terms afterwards. */
  async addTerm(change: {
    term: string;
    rooms: string;
    list: TermList;
    category: TermCategory;
    severity: number;
    reason: string;
  }): Promise<Terms> {
    return asTerms(await this.call("/moderation/terms", "post", 201, { json: change }));
  }

  async removeTerm(term: string, rooms: string, list: TermList, reason: string): Promise<void> {
    await this.call("/moderation/terms", "delete", 204, {
      query: { term, rooms, list, reason },
    });
  }

  /** A user's ban, strikes, and one page of their history (newest first). */
  /** Decisions per hour for a room (or, without one, the stage), with the top categories and
   * senders; `since`/`until` ISO-8601 with a zone. */
  async counts(filters: { room?: string; since?: string; until?: string }): Promise<Counts> {
    return this.call("/moderation/counts", "get", 200, { query: filters });
  }

  async user(clientId: string, cursor?: string): Promise<UserView> {
    return this.call("/moderation/users/{clientId}", "get", 200, {
      path: { clientId },
      query: { limit: PAGE, cursor },
    });
  }

  private async call<P extends keyof paths, M extends Method, S extends number>(
    route: P,
    method: M,
    _status: S,
    parts: {
      path?: PathOf<P, M>;
      query?: QueryOf<P, M>;
      json?: BodyOf<P, M>;
    },
  ): Promise<Answer<P, M, S>> {
    const where = String(route).replace(/\{(\w+)\}/g, (_, name: string) =>
      encodeURIComponent(String((parts.path as Record<string, unknown> | undefined)?.[name])),
    );
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries((parts.query ?? {}) as Record<string, unknown>)) {
      if (value !== undefined && value !== null) params.set(name, String(value));
    }
    const url = `${this.baseUrl}${where}${params.size ? `?${params}` : ""}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: method.toUpperCase(),
        headers: {
          authorization: `Bearer ${this.token}`,
          ...(parts.json === undefined ? {} : { "content-type": "application/json" }),
        },
        body: parts.json === undefined ? undefined : JSON.stringify(parts.json),
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
        explain(
          response.status,
          String(body.error ?? ""),
          String(body.message ?? response.statusText),
        ),
        body,
      );
    }
    return body as Answer<P, M, S>;
  }
}

function asTerms(body: Schemas["TermsOut"]): Terms {
  const scopes: Record<string, ScopeTerms> = {};
  for (const [scope, value] of Object.entries(body.terms)) {
    const lists = (value ?? {}) as Partial<ScopeTerms>;
    scopes[scope] = { block: lists.block ?? [], allow: lists.allow ?? [] };
  }
  return { scopes, version: body.version };
}

function explain(status: number, code: string, message: string): string {
  if (status === 401) return "Your sign-in has expired. Sign in again.";
  if (status === 403 && (code === "room_not_allowed" || code === "room_not_moderated"))
    return `${message.charAt(0).toUpperCase()}${message.slice(1)}.`;
  if (status === 403) return `Only moderators can do this (${message}).`;
  return message;
}

/** What to show for a failed call. */
export function describe(caught: unknown): string {
  return caught instanceof ApiError ? caught.message : String(caught);
}
