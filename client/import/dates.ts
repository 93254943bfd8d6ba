/** The date spellings sheets use: "2015-03-01", "2015/3/1", "2015.3.1", "2015年3月1日". */

/** The date as YYYY-MM-DD, or undefined when it is no real calendar date. */
export function parseDateText(text: string): string | undefined {
  const match = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(
    text.normalize('NFKC').trim(),
  );
  if (!match) return undefined;
  const iso = `${match[1]}-${match[2].padStart(2, '0')}-${match[3].padStart(2, '0')}`;
  const parsed = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(parsed.getTime()) && parsed.toISOString().slice(0, 10) === iso ? iso : undefined;
}
