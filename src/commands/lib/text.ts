// Words for menu items and toasts: relative times ("5 min ago") where Raycast's date accessories are not
// available, and counts with thousands separators ("12,400 objects").

export function ago(iso: string | undefined, now = Date.now()): string {
  const at = Date.parse(iso ?? "");
  if (!Number.isFinite(at)) return "never";
  const seconds = Math.max(0, Math.round((now - at) / 1000));
  if (seconds < 60) return "just now";
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min ago`;
  const hours = Math.round(minutes / 60);
  if (hours < 24) return `${hours} h ago`;
  const days = Math.round(hours / 24);
  return days === 1 ? "yesterday" : `${days} days ago`;
}

/** "1 object", "12,400 objects". */
export function counted(n: number, word: string, many = `${word}s`): string {
  return `${n.toLocaleString("en-US")} ${n === 1 ? word : many}`;
}
