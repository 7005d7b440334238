/** A client id, linked to that user's view (#/users/<clientId>). */
export function userHref(clientId: string): string {
  return `#/users/${encodeURIComponent(clientId)}`;
}

export default function ClientLink(props: { clientId: string | null | undefined }) {
  const { clientId } = props;
  if (!clientId) return <>—</>;
  return <a href={userHref(clientId)}>{clientId}</a>;
}

/** Who acted: a moderator's client id is linked; "auto" and "system" are chatmod itself
 * ("auto" is the automated moderation in the audit log, and the strike ladder on a ban). */
export function ActorLink(props: { actor: string; auto?: string }) {
  const { actor } = props;
  if (actor === "auto") return <>{props.auto ?? "automatic"}</>;
  if (actor === "system") return <>system</>;
  return <ClientLink clientId={actor} />;
}
