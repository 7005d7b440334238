/** The ban lengths a moderator picks from (the Bans view and the user view). */
export const DURATIONS: { label: string; seconds: number | null }[] = [
  { label: "15 minutes", seconds: 15 * 60 },
  { label: "1 hour", seconds: 3600 },
  { label: "24 hours", seconds: 86_400 },
  { label: "7 days", seconds: 7 * 86_400 },
  { label: "Permanent", seconds: null },
];
