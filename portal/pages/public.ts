/** The public page: the year's timeline and the published lists as tables with their downloads. */
import type { Programme } from '../../domain/programme';
import type { CycleStatus } from '../../workflows/messages';
import { html } from './html';
import { layout, type Viewer } from './layout';
import { timelineSection } from './timeline';

export interface PublishedList {
  listId: string;
  title: string;
  rows: Array<Record<string, string | number>>;
  downloads: Array<{ name: string; format: string; href: string }>;
}

export function publicPage(args: {
  programme: Programme;
  status: CycleStatus;
  lists: PublishedList[];
  viewer?: Viewer;
}): string {
  const { programme, status, lists, viewer } = args;
  const body = html` ${timelineSection(status)}
    <section aria-labelledby="lists-h">
      <h2 id="lists-h">公示榜单 Published lists</h2>
      ${lists.length === 0 ? html`<p>榜单尚未发布 / nothing has been published yet.</p>` : ''}
      ${lists.map((list) => {
        const headings = Object.keys(list.rows[0] ?? {});
        return html`<article aria-labelledby="list-${list.listId}">
          <h3 id="list-${list.listId}">${list.title}</h3>
          <p class="downloads">
            下载
            Download：${list.downloads.map((d) => html`<a href="${d.href}" download>${d.format.toUpperCase()}</a> `)}
          </p>
          <div class="scroll">
            <table>
              <thead>
                <tr>
                  ${headings.map((h) => html`<th scope="col">${h}</th>`)}
                </tr>
              </thead>
              <tbody>
                ${list.rows.map(
                  (row) =>
                    html`<tr>
                      ${headings.map((h) => html`<td>${row[h]}</td>`)}
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>
        </article>`;
      })}
    </section>`;
  return layout({
    title: `${programme.name.zh} · 公示 Published`,
    programmeId: programme.id,
    body,
    ...(viewer ? { viewer } : {}),
  });
}
