/** The import templates: the CSV heading row and the XLSX workbook with instructions. */
import fs from 'node:fs/promises';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { type Programme } from '../../domain/programme';
import { csvCell } from '../../activities/publish';
import { IMPORT_COLUMNS, COLUMN_INFO, templateHeading, type ImportColumn } from './columns';

/** The CSV template: UTF-8 BOM and the heading row (templates/nominations-template.csv). */
export function templateCsv(): string {
  return `\uFEFF${IMPORT_COLUMNS.map((c) => csvCell(templateHeading(c))).join(',')}\r\n`;
}

const REQUIRED_COLUMNS: ImportColumn[] = ['listId', 'name'];

/**
 * The XLSX template: the data sheet first (headings, notes, drop-downs), then the instructions
 * and, given a programme, its lists and fields with quotas.
 */
export async function templateWorkbook(programme?: Programme): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  workbook.creator = 'kczg';
  addDataSheet(workbook, programme);
  addInstructions(workbook);
  if (programme) addListsSheet(workbook, programme);
  return workbook;
}

/** The sheet a unit fills in: headings with notes, required ones shaded, drop-downs. */
function addDataSheet(workbook: ExcelJS.Workbook, programme?: Programme): void {
  const sheet = workbook.addWorksheet('推荐 nominations', { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = IMPORT_COLUMNS.map((column) => ({
    header: templateHeading(column),
    key: column,
    width: column === 'summary' ? 40 : column === 'name' ? 30 : 18,
  }));
  const header = sheet.getRow(1);
  header.font = { bold: true };
  IMPORT_COLUMNS.forEach((column, i) => {
    const cell = header.getCell(i + 1);
    cell.note = COLUMN_INFO[column].hint;
    if (REQUIRED_COLUMNS.includes(column)) {
      cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFFFF2CC' } };
    }
  });
  const choices: Partial<Record<ImportColumn, string[]>> = {
    region: ['中国大陆', '香港', '澳门', '台湾', '境外'],
    classified: ['否', '是'],
    certified: ['是', '否'],
    standing: ['良好', '经营异常', '严重失信'],
  };
  if (programme) {
    const lists = programme.lists.filter((l) => !l.separatelyOrganised);
    choices.listId = lists.map((l) => l.id);
    const fields = [...new Set(lists.flatMap((l) => (l.fields ?? []).map((f) => f.id)))];
    if (fields.length > 0 && fields.join(',').length < 250) choices.fieldId = fields;
  }
  const ROWS = 2000;
  for (const [column, values] of Object.entries(choices) as [ImportColumn, string[]][]) {
    const c = IMPORT_COLUMNS.indexOf(column) + 1;
    for (let r = 2; r <= ROWS + 1; r++) {
      sheet.getCell(r, c).dataValidation = {
        type: 'list',
        allowBlank: true,
        formulae: [`"${values.join(',')}"`],
        showErrorMessage: column !== 'listId' && column !== 'fieldId',
        errorTitle: '取值无效 / invalid value',
        error: COLUMN_INFO[column].hint,
      };
    }
  }
}

function addInstructions(workbook: ExcelJS.Workbook): void {
  const help = workbook.addWorksheet('填写说明 instructions');
  help.columns = [
    { header: '列 / column', key: 'column', width: 22 },
    { header: '表头 / heading', key: 'heading', width: 26 },
    { header: '必填 / required', key: 'required', width: 14 },
    { header: '说明 / description', key: 'hint', width: 80 },
    { header: '示例 / example', key: 'example', width: 30 },
  ];
  help.getRow(1).font = { bold: true };
  for (const column of IMPORT_COLUMNS) {
    help.addRow({
      column,
      heading: templateHeading(column),
      required: REQUIRED_COLUMNS.includes(column)
        ? '是 / yes'
        : column === 'fieldId'
          ? '视榜单 / per list'
          : '',
      hint: COLUMN_INFO[column].hint,
      example: COLUMN_INFO[column].example,
    });
  }
  help.addRow({});
  for (const line of [
    '每行一项推荐；表头可用英文列名或中文表头，列顺序不限 / one nomination per row; headings in English or Chinese, any order.',
    '导入命令 / import: kczg import <programme> --unit <unit> <file>；结果写入 <file>.report.csv。',
    '中断后重新运行同一文件不会重复推荐 / re-running the same file after an interruption adds no duplicates.',
  ]) {
    help.addRow({ column: line });
  }
}

/** The programme's lists and fields, with quotas and eligibility rules. */
function addListsSheet(workbook: ExcelJS.Workbook, programme: Programme): void {
  const lists = workbook.addWorksheet('榜单与领域 lists');
  lists.columns = [
    { header: '榜单 listId', key: 'listId', width: 26 },
    { header: '榜单名称 / list', key: 'list', width: 34 },
    { header: '领域 fieldId', key: 'fieldId', width: 24 },
    { header: '领域名称 / field', key: 'field', width: 16 },
    { header: '每单位名额 / quota per unit', key: 'quota', width: 26 },
    { header: '候选条件 / eligibility rules', key: 'rules', width: 60 },
  ];
  lists.getRow(1).font = { bold: true };
  for (const list of programme.lists.filter((l) => !l.separatelyOrganised)) {
    const quota = list.quota
      ? `${list.quota.default}${list.quota.scope === 'field' ? '（每领域 / per field）' : ''}`
      : '';
    const rules = (rules?: { rule: string }[]) => (rules ?? []).map((r) => r.rule).join(', ');
    if (!list.fields) {
      lists.addRow({ listId: list.id, list: list.name.zh, quota, rules: rules(list.eligibility) });
      continue;
    }
    for (const field of list.fields) {
      lists.addRow({
        listId: list.id,
        list: list.name.zh,
        fieldId: field.id,
        field: field.name.zh,
        quota,
        rules: [rules(list.eligibility), rules(field.eligibility)].filter(Boolean).join(', '),
      });
    }
  }
}

/** Writes the template: .csv gets the heading row, anything else the XLSX workbook. */
export async function writeTemplate(file: string, programme?: Programme): Promise<void> {
  await fs.mkdir(path.dirname(path.resolve(file)), { recursive: true });
  if (path.extname(file).toLowerCase() === '.csv') {
    await fs.writeFile(file, templateCsv(), 'utf8');
    return;
  }
  await (await templateWorkbook(programme)).xlsx.writeFile(file);
}
