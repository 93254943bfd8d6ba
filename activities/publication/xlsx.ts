/**
 * A published list as a workbook that prints: a title row (list and year) and a subtitle above the
 * header, columns as wide as their Chinese text, the header frozen and repeated on every printed
 * page, landscape A4 fitted to the page width, page numbers in the footer.
 */
import ExcelJS from 'exceljs';

export interface XlsxList<Row extends Record<Heading, string | number>, Heading extends string> {
  /** Sheet name (Excel allows 31 characters). */
  sheetName: string;
  /** First row, e.g. "2023 年度 “科创中国”先导技术榜". */
  title: string;
  /** Second row: programme, issuer, publication date. */
  subtitle: string;
  headings: readonly Heading[];
  rows: readonly Row[];
}

/** Rows above the data: title, subtitle, header. */
export const HEADER_ROW = 3;
const A4 = 9;
const MIN_WIDTH = 6;
/** Wider cells wrap instead of widening the column. */
const MAX_WIDTH = 48;

/**
 * Width of text in Excel column units (the width of "0"): a CJK or full-width character takes
 * two, anything else one.
 */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) {
    width +=
      /[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u.test(
        char,
      )
        ? 2
        : 1;
  }
  return width;
}

function columnWidth(heading: string, values: Array<string | number>): number {
  const widest = Math.max(displayWidth(heading), ...values.map((v) => displayWidth(String(v))));
  return Math.min(MAX_WIDTH, Math.max(MIN_WIDTH, widest + 2));
}

const thin: Partial<ExcelJS.Borders> = {
  top: { style: 'thin' },
  left: { style: 'thin' },
  bottom: { style: 'thin' },
  right: { style: 'thin' },
};

export async function renderXlsx<Row extends Record<Heading, string | number>, Heading extends string>(
  list: XlsxList<Row, Heading>,
): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet(list.sheetName.slice(0, 31), {
    views: [{ state: 'frozen', ySplit: HEADER_ROW }],
    pageSetup: {
      paperSize: A4,
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      horizontalCentered: true,
      margins: { left: 0.4, right: 0.4, top: 0.5, bottom: 0.6, header: 0.2, footer: 0.3 },
      printTitlesRow: `${HEADER_ROW}:${HEADER_ROW}`,
    },
    headerFooter: { oddFooter: '&C第 &P 页，共 &N 页 / page &P of &N' },
  });
  sheet.columns = list.headings.map((heading) => ({
    key: heading,
    width: columnWidth(
      heading,
      list.rows.map((row) => row[heading]),
    ),
  }));
  const lastColumn = sheet.getColumn(list.headings.length).letter;

  const title = sheet.getRow(1);
  title.getCell(1).value = list.title;
  title.font = { bold: true, size: 14 };
  title.height = 24;
  const subtitle = sheet.getRow(2);
  subtitle.getCell(1).value = list.subtitle;
  subtitle.font = { size: 10, color: { argb: 'FF555555' } };
  for (const row of [1, 2]) {
    sheet.mergeCells(`A${row}:${lastColumn}${row}`);
    sheet.getCell(`A${row}`).alignment = { horizontal: 'center', vertical: 'middle' };
  }

  const header = sheet.getRow(HEADER_ROW);
  header.values = [...list.headings];
  header.font = { bold: true };
  header.eachCell((cell) => {
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFE8E8E8' } };
    cell.border = thin;
    cell.alignment = { horizontal: 'center', vertical: 'middle' };
  });
  for (const values of list.rows) {
    const row = sheet.addRow(list.headings.map((heading) => values[heading]));
    row.eachCell((cell) => {
      cell.border = thin;
      cell.alignment = { vertical: 'middle', wrapText: true };
    });
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
