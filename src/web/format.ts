/**
 * How pages write dates, times and counts. Times are shown in UTC (the server does not know the
 * reader's time zone); the machine-readable ISO form goes in `<time datetime>` beside them.
 */

const dateFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

const dateTimeFormat = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
  timeZone: 'UTC',
});

/** "14 November 2015" */
export function formatDate(date: Date): string {
  return dateFormat.format(date);
}

/** "14 November 2015 at 22:05 UTC" */
export function formatDateTime(date: Date): string {
  return `${dateTimeFormat.format(date)} UTC`;
}

/** "1 comment", "1,024 comments" */
export function countOf(count: number, one: string, many: string): string {
  return `${count.toLocaleString('en')} ${count === 1 ? one : many}`;
}
