/** Times as a moderator reads them: local date and time, to the second. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { hour12: false });
}

/** RFC 4180 CSV: every field quoted, quotes doubled. */
export function toCsv(rows: (string | null | undefined)[][]): string {
  return rows
    .map((row) => row.map((cell) => `"${String(cell ?? "").replaceAll('"', '""')}"`).join(","))
    .join("\r\n");
}
