/** The dashboard's numbers as a person reads them: days grouped into weeks or months, and a CSV of it. */
export type Grain = "day" | "week" | "month";

export interface Point {
  period: string;
  plays: number;
}

function weekStart(date: string): string {
  const day = new Date(`${date}T00:00:00Z`);
  const monday = (day.getUTCDay() + 6) % 7;
  day.setUTCDate(day.getUTCDate() - monday);
  return day.toISOString().slice(0, 10);
}

export function grouped(daily: { date: string; plays: number }[], grain: Grain): Point[] {
  if (grain === "day") return daily.map(({ date, plays }) => ({ period: date, plays }));
  const totals = new Map<string, number>();
  for (const { date, plays } of daily) {
    const key = grain === "week" ? weekStart(date) : date.slice(0, 7);
    totals.set(key, (totals.get(key) ?? 0) + plays);
  }
  return [...totals].map(([period, plays]) => ({ period, plays }));
}

function cell(value: string | number): string {
  const text = String(value);
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csv(rows: (string | number)[][]): string {
  return rows.map((row) => row.map(cell).join(",")).join("\n") + "\n";
}
