/** Shorthands croner accepts, as the five fields they stand for. */
const MACROS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** Unix counts weekdays from 0 (Sunday, also 7); AWS from 1 (Sunday) to 7 (Saturday). */
function awsWeekday(field: string): string {
  if (field.includes('/')) throw new Error(`day-of-week steps ('${field}') have no AWS equivalent`);
  return field.replace(/\d+/g, (digits) => {
    const day = Number(digits);
    if (day > 7) throw new Error(`day-of-week ${day} is out of range`);
    return String((day % 7) + 1);
  });
}

/**
 * A croner expression as an EventBridge Scheduler `cron(...)`: minute precision (a seconds field
 * must be 0), six fields with a year, weekdays renumbered, and `?` for whichever of day-of-month
 * and day-of-week is unrestricted (AWS cannot restrict both). Throws what cannot be expressed.
 */
export function toAwsCron(expression: string): string {
  const expanded = MACROS[expression.trim().toLowerCase()] ?? expression.trim();
  const fields = expanded.split(/\s+/);
  if (fields.length === 6) {
    const seconds = fields.shift();
    if (seconds !== '0') throw new Error(`'${expression}': AWS schedules have minute precision; the seconds field must be 0`);
  }
  if (fields.length !== 5) throw new Error(`'${expression}': expected 5 fields (or 6 with seconds)`);
  const [minute, hour, dayOfMonth, month, dayOfWeek] = fields as [string, string, string, string, string];
  const domOpen = dayOfMonth === '*' || dayOfMonth === '?';
  const dowOpen = dayOfWeek === '*' || dayOfWeek === '?';
  if (!domOpen && !dowOpen) throw new Error(`'${expression}': AWS cannot restrict both day-of-month and day-of-week`);
  const awsDom = dowOpen ? (domOpen ? '*' : dayOfMonth) : '?';
  const awsDow = dowOpen ? '?' : awsWeekday(dayOfWeek.toUpperCase());
  return `cron(${minute} ${hour} ${awsDom} ${month} ${awsDow} *)`;
}
