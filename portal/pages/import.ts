/**
 * The unit's sheet-import page: the templates to download, the upload form, and after an import
 * the report row by row (accepted with the nomination's id, or refused with code, field, rule,
 * reason and fix), as `kczg import` writes it.
 */
import type { ImportRowResult } from '../../client/import';
import type { Programme } from '../../domain/programme';
import type { ApiError } from '../errors';
import { partName } from '../views';
import { html, type SafeHtml } from './html';
import { layout, outcome, type Viewer } from './layout';

function report(programme: Programme, rows: ImportRowResult[]): SafeHtml {
  const accepted = rows.filter((r) => r.status === 'accepted').length;
  const refused = rows.filter((r) => r.status === 'rejected').length;
  return html`<section aria-labelledby="report-h">
    <h2 id="report-h">导入报告 Import report</h2>
    <p class="${refused ? 'error' : 'notice'}" role="status">
      共 ${rows.length} 行：已接受 ${accepted}，已拒绝 ${refused} / ${rows.length} rows: ${accepted} accepted,
      ${refused} refused
    </p>
    <div class="scroll">
      <table class="stack import-report">
        <thead>
          <tr>
            <th scope="col">行 Row</th>
            <th scope="col">状态 Status</th>
            <th scope="col">名称 Name</th>
            <th scope="col">榜单 List</th>
            <th scope="col">推荐编号 / 代码 Id / code</th>
            <th scope="col">字段 Field</th>
            <th scope="col">规则 Rule</th>
            <th scope="col">原因与建议 Reason and fix</th>
          </tr>
        </thead>
        <tbody>
          ${rows.map(
            (r) =>
              html`<tr class="row-${r.status}">
                <td data-label="行 Row">${r.row}</td>
                <td data-label="状态 Status">
                  ${r.status === 'accepted' ? '已接受 accepted' : r.status === 'rejected' ? '已拒绝 refused' : '未处理 pending'}
                </td>
                <td data-label="名称 Name">${r.name ?? ''}</td>
                <td data-label="榜单 List">${r.listId ? partName(programme, r.listId, r.fieldId) : ''}</td>
                <td data-label="编号/代码 Id/code">${r.nominationId ?? r.code ?? ''}</td>
                <td data-label="字段 Field">${r.field ? html`<code>${r.field}</code>` : ''}</td>
                <td data-label="规则 Rule">${r.rule ?? ''}</td>
                <td data-label="原因 Reason">
                  ${r.reason ?? ''}${r.fix ? html`<br /><span class="en">${r.fix}</span>` : ''}
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
    <p>
      同一表格可再次导入：已接受的行不会重复推荐 / import the same sheet again: accepted rows are not filed
      twice.
    </p>
  </section>`;
}

export function importPage(args: {
  programme: Programme;
  unitId: string;
  viewer: Viewer;
  rows?: ImportRowResult[];
  error?: ApiError;
}): string {
  const { programme, unitId, viewer, rows, error } = args;
  const action = `/u/${programme.id}/${unitId}/import`;
  const body = html`${outcome(error, undefined)}
    <p><a href="/u/${programme.id}/${unitId}">← 返回本单位 Back to my unit</a></p>
    <section aria-labelledby="template-h">
      <h2 id="template-h">模板 Template</h2>
      <p>
        每行一项推荐，表头可用中文或英文列名（与 kczg import 相同）/ one nomination per row, headings in
        Chinese or English (as kczg import).
      </p>
      <ul>
        <li>
          <a href="${action}/template.xlsx" download
            >下载 XLSX 模板（含说明与本方案榜单）Download the XLSX template</a
          >
        </li>
        <li><a href="${action}/template.csv" download>下载 CSV 表头 Download the CSV heading row</a></li>
      </ul>
    </section>
    <section aria-labelledby="upload-h">
      <h2 id="upload-h">上传表格 Upload a sheet</h2>
      <form method="post" action="${action}" enctype="multipart/form-data" class="stacked">
        <input type="hidden" name="_csrf" value="${viewer.csrf}" />
        <label for="sheet">表格（.xlsx 或 .csv）<span class="en">Sheet (.xlsx or .csv)</span></label>
        <input id="sheet" name="f.sheet" type="file" required accept=".xlsx,.csv,text/csv" />
        <label for="files"
          >附件文件（表格附件列所列的文件，可多选）<span class="en"
            >Attachment files the sheet’s attachment columns name (several allowed)</span
          ></label
        >
        <input id="files" name="f.files" type="file" multiple accept=".pdf,.docx,.xlsx,.jpg,.jpeg,.png" />
        <button type="submit">导入 Import</button>
      </form>
    </section>
    ${rows ? report(programme, rows) : ''}`;
  return layout({
    title: `${programme.name.zh} · 表格导入 Sheet import`,
    programmeId: programme.id,
    viewer,
    body,
  });
}
