/**
 * iCalendar (RFC 5545) text for deadlines, attached to reminders so recipients can put the
 * deadline in their calendar. Pure: DTSTAMP comes from the caller, so equal input gives equal text.
 */

export interface IcsEventInput {
  /** Globally unique and stable for the same deadline, so a re-sent event updates, not duplicates. */
  uid: string;
  title: string;
  description: string;
  /** Start, epoch ms; written in UTC ("Z" form). */
  at: number;
  /** Without a duration (or 0) the event is an instant, as RFC 5545 allows. */
  durationMinutes?: number;
  url?: string;
  /** When the event text was made (DTSTAMP), epoch ms. */
  stamp: number;
}

const CRLF = '\r\n';
const MAX_LINE_OCTETS = 75;

function utf8Length(codePoint: number): number {
  if (codePoint < 0x80) return 1;
  if (codePoint < 0x800) return 2;
  if (codePoint < 0x10000) return 3;
  return 4;
}

/**
 * Folds a content line at 75 octets (RFC 5545 §3.1): continuation lines start with one space.
 * Splits between code points, never inside a UTF-8 sequence.
 */
export function foldLine(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = utf8Length(char.codePointAt(0) as number);
    // Continuation lines carry the leading space, so they hold one octet less of content.
    const limit = parts.length === 0 ? MAX_LINE_OCTETS : MAX_LINE_OCTETS - 1;
    if (octets + size > limit) {
      parts.push(current);
      current = '';
      octets = 0;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join(`${CRLF} `);
}

/** Escapes a TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and line breaks. */
export function escapeText(value: string): string {
  return (
    value
      .replace(/\\/g, '\\\\')
      .replace(/;/g, '\\;')
      .replace(/,/g, '\\,')
      .replace(/\r\n|\r|\n/g, '\\n')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, '')
  );
}

/** A UTC DATE-TIME, "20231116T010000Z". */
export function icsDateTime(at: number): string {
  return new Date(at)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
}

function contentLines(lines: string[]): string {
  return lines.map((line) => `${foldLine(line)}${CRLF}`).join('');
}

function eventLines(event: IcsEventInput): string[] {
  const lines = [
    'BEGIN:VEVENT',
    `UID:${escapeText(event.uid)}`,
    `DTSTAMP:${icsDateTime(event.stamp)}`,
    `DTSTART:${icsDateTime(event.at)}`,
  ];
  if (event.durationMinutes) lines.push(`DTEND:${icsDateTime(event.at + event.durationMinutes * 60_000)}`);
  lines.push(`SUMMARY:${escapeText(event.title)}`, `DESCRIPTION:${escapeText(event.description)}`);
  // A URI is not TEXT: no escaping, but nothing that could end the line either.
  // eslint-disable-next-line no-control-regex
  if (event.url) lines.push(`URL:${event.url.replace(/[\u0000-\u0020\u007f]/g, '')}`);
  lines.push('TRANSP:TRANSPARENT', 'END:VEVENT');
  return lines;
}

/** One VEVENT component, CRLF line ends, folded. */
export function icsEvent(event: IcsEventInput): string {
  return contentLines(eventLines(event));
}

/** A complete VCALENDAR object holding the events. */
export function icsCalendar(events: IcsEventInput[]): string {
  return contentLines([
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//kczg//Ranking cycle deadlines//ZH',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    ...events.flatMap(eventLines),
    'END:VCALENDAR',
  ]);
}
