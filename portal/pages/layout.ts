/**
 * The page frame every portal page shares: language, title, navigation by party, the signed-in
 * party with sign-out, the stylesheet and the script, all served by kczg (no CDN).
 */
import { partyLabel, type Party } from '../../domain/credentials';
import type { ApiError } from '../errors';
import { html, type SafeHtml } from './html';

export interface Viewer {
  party: Party;
  programmeId: string;
  csrf: string;
}

export interface NavEntry {
  href: string;
  label: string;
}

/**
 * Where each party can go. Dossier, expert scoring and tracking pages join here as they land
 * (e.g. `{ href: …/dossiers, label: '申报材料 Dossiers' }` for units).
 */
export function navigationFor(viewer: Viewer | undefined, programmeId: string): NavEntry[] {
  const entries: NavEntry[] = [];
  const party = viewer?.party;
  if (party?.kind === 'unit')
    entries.push({ href: `/u/${programmeId}/${party.id}`, label: '本单位 My unit' });
  if (party?.kind === 'expert')
    entries.push({ href: `/r/${programmeId}/${party.body}/e/${party.id}`, label: '我的评审 My reviews' });
  if (party?.kind === 'body') entries.push({ href: `/r/${programmeId}/${party.id}`, label: '评审组 Panel' });
  if (party?.kind === 'secretariat') entries.push({ href: `/s/${programmeId}`, label: '秘书处 Secretariat' });
  entries.push({ href: `/p/${programmeId}`, label: '公示 Published lists' });
  return entries;
}

export function layout(args: {
  title: string;
  programmeId: string;
  viewer?: Viewer;
  body: SafeHtml;
}): string {
  const { title, programmeId, viewer, body } = args;
  const nav = navigationFor(viewer, programmeId);
  return html`<!doctype html>
    <html lang="zh-CN">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>${title} · 科创中国</title>
        <link rel="stylesheet" href="/assets/portal.css" />
        <script src="/assets/portal.js" defer></script>
      </head>
      <body>
        <a class="skip" href="#main">跳到正文 Skip to content</a>
        <header class="top">
          <span class="brand">科创中国 · ${programmeId}</span>
          <nav aria-label="主导航 Main">
            <ul>
              ${nav.map((n) => html`<li><a href="${n.href}">${n.label}</a></li>`)}
            </ul>
          </nav>
          ${
            viewer
              ? html`<form method="post" action="/signout" class="signout">
                  <span>${partyLabel(viewer.party)}</span>
                  <input type="hidden" name="_csrf" value="${viewer.csrf}" />
                  <button type="submit">退出 Sign out</button>
                </form>`
              : ''
          }
        </header>
        <main id="main">
          <h1>${title}</h1>
          ${body}
        </main>
        <footer><p>时间均为北京时间 All times are Beijing time (UTC+8).</p></footer>
      </body>
    </html>`.value;
}

/** What the last action came to: its refusal (code, message, fix) or a notice of success. */
export function outcome(error: ApiError | undefined, notice: string | undefined): SafeHtml {
  if (error) {
    return html`<div class="error" role="alert">
      <p><strong>${error.code}</strong> ${error.message}</p>
      ${error.field ? html`<p>字段 Field: <code class="error-field">${error.field}</code></p>` : ''}
      ${error.fix ? html`<p>${error.fix}</p>` : ''}
    </div>`;
  }
  return notice ? html`<p class="notice" role="status">${notice}</p>` : html``;
}

/** A short page for refusals and notices (sign-in errors, not found). */
export function messagePage(title: string, message: string, programmeId = ''): string {
  return layout({ title, programmeId, body: html`<p role="alert">${message}</p>` });
}
