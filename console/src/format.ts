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

/** How long ago `iso` was, as a moderator says it: "45 s", "3 min", "2 h 5 min", "3 days". */
export function formatAge(iso: string, now: number = Date.now()): string {
  const seconds = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (Number.isNaN(seconds)) return "—";
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  return `${Math.floor(hours / 24)} days`;
}

/** A duration in seconds as words: "2 minutes", "1 hour", "24 hours", "7 days". */
export function formatSeconds(seconds: number): string {
  const units: [number, string][] = [
    [86_400, "day"],
    [3600, "hour"],
    [60, "minute"],
    [1, "second"],
  ];
  for (const [size, name] of units) {
    if (seconds >= size && seconds % size === 0) {
      const count = seconds / size;
      // "24 hours" reads better than "1 day"; whole days from two on.
      if (name === "day" && count < 2) continue;
      return `${count} ${name}${count === 1 ? "" : "s"}`;
    }
  }
  return `${seconds} seconds`;
}

/** A live message's time: the clock time today, the date and time before today. */
export function formatClock(date: Date, now: Date = new Date()): string {
  if (Number.isNaN(date.getTime())) return "—";
  return date.toDateString() === now.toDateString()
    ? date.toLocaleTimeString(undefined, { hour12: false })
    : date.toLocaleString(undefined, { hour12: false });
}
