// Dates and durations as an approver reads them, in the browser's locale and time zone.

/** A <time> element for an ISO 8601 timestamp. */
export function when(iso, document = globalThis.document) {
  const time = document.createElement("time");
  time.dateTime = iso;
  time.textContent = new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
  return time;
}

/** How long since `iso`, in the two largest units: "45 s", "12 min", "3 h 5 min", "2 d 4 h". */
export function waited(iso, now = Date.now()) {
  let seconds = Math.max(0, Math.floor((now - Date.parse(iso)) / 1000));
  const units = [["d", 86400], ["h", 3600], ["min", 60], ["s", 1]];
  const parts = [];
  for (const [name, size] of units) {
    if (seconds >= size || (name === "s" && parts.length === 0)) {
      parts.push(`${Math.floor(seconds / size)} ${name}`);
      seconds %= size;
    }
    if (parts.length === 2) break;
  }
  return parts.join(" ");
}

/** A field's value as text: lists joined, objects as JSON, nothing as a dash. */
export function asText(value) {
  if (value === null || value === undefined || value === "") return "—";
  if (Array.isArray(value)) return value.length ? value.map(asText).join(", ") : "—";
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}
