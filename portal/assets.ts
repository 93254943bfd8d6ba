/**
 * The portal's only stylesheet and script, served by kczg itself (no CDN). The script is small
 * and optional: pages work without it. It counts down to `<time data-countdown>` in Beijing time
 * and asks the verdict endpoint as the user fills the nomination form.
 */

export const STYLESHEET = `
:root { --ink: #1b1f24; --muted: #57606a; --line: #d0d7de; --accent: #0a58ca; --bad: #b42318; --ok: #1a7f37; --warn: #9a6700; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.6 "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", system-ui, sans-serif; color: var(--ink); }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 8px; top: 8px; background: #fff; padding: 4px 8px; z-index: 10; }
.top { display: flex; flex-wrap: wrap; gap: 8px 24px; align-items: center; padding: 8px 16px; border-bottom: 1px solid var(--line); }
.brand { font-weight: 700; }
.top nav ul { display: flex; flex-wrap: wrap; gap: 16px; list-style: none; margin: 0; padding: 0; }
.signout { margin-left: auto; display: flex; gap: 8px; align-items: center; }
main { max-width: 1100px; margin: 0 auto; padding: 16px; }
h1 { font-size: 1.5rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.en { display: block; color: var(--muted); font-size: .85em; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; }
caption { text-align: left; font-weight: 600; }
th, td { border-bottom: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; }
.meters { list-style: none; padding: 0; display: grid; gap: 8px; }
.meters li { display: grid; grid-template-columns: minmax(8rem, 1fr) 10rem 4rem; gap: 8px; align-items: center; }
meter { width: 100%; height: 1rem; }
form.nominate { display: grid; gap: 4px 16px; grid-template-columns: 1fr 1fr; }
form.nominate > label, form.nominate > select, form.nominate .verdict, form.nominate .wide, form.nominate button { grid-column: 1 / -1; }
.field { display: flex; flex-direction: column; }
input, select, textarea, button { font: inherit; padding: 6px 8px; border: 1px solid var(--line); border-radius: 4px; }
button { background: var(--accent); color: #fff; border-color: var(--accent); cursor: pointer; }
button.secondary { background: #fff; color: var(--accent); }
fieldset { border: 1px solid var(--line); display: grid; gap: 4px; margin: 8px 0; }
fieldset.dossier { grid-template-columns: 1fr 1fr; gap: 4px 16px; }
fieldset.dossier > h3, fieldset.dossier > .declaration { grid-column: 1 / -1; }
fieldset[hidden] { display: none; }
.declaration { display: grid; grid-template-columns: auto 1fr; gap: 4px 8px; }
.notice-quote { grid-column: 2; margin: 0; color: #555; font-size: 0.9em; border-left: 3px solid var(--line); padding-left: 8px; }
@media (max-width: 600px) { form.nominate, fieldset.dossier { grid-template-columns: 1fr; } }
.verdict[data-status="eligible"] { color: var(--ok); }
.verdict[data-status="needs-review"] { color: var(--warn); }
.verdict[data-status="refused"], .verdict[data-status="invalid"] { color: var(--bad); }
.error { border-left: 4px solid var(--bad); padding: 4px 12px; background: #fff5f5; }
.notice { border-left: 4px solid var(--ok); padding: 4px 12px; background: #f0fff4; }
.countdown { font-variant-numeric: tabular-nums; font-weight: 600; }
.timeline { list-style: none; padding: 0; display: grid; gap: 6px; }
.timeline li { display: grid; grid-template-columns: 12rem 16rem 1fr; gap: 8px; align-items: center; }
.timeline li.current .stage-name { font-weight: 700; }
.bar { display: block; height: .8rem; background: #f3f4f6; }
.bar span { display: block; height: 100%; min-width: 4px; background: var(--accent); }
footer { color: var(--muted); font-size: .85em; padding: 16px; text-align: center; }
@media (max-width: 640px) {
  form.nominate { grid-template-columns: 1fr; }
  .meters li, .timeline li { grid-template-columns: 1fr; }
  .signout { margin-left: 0; }
}
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; }
.targets { list-style: none; padding: 0; display: grid; gap: 10px; }
.targets li { display: grid; grid-template-columns: minmax(10rem, 1fr) 10rem 9rem; gap: 4px 8px; align-items: center; }
.targets .waiver { grid-column: 1 / -1; color: var(--warn); font-size: .9em; }
.tag { font-size: .75em; border: 1px solid var(--line); border-radius: 3px; padding: 0 4px; color: var(--muted); white-space: nowrap; }
.dues { padding-left: 1.2rem; }
.due-overdue, .bad { color: var(--bad); }
.due-accepted { color: var(--ok); }
.report { border: 1px solid var(--line); border-radius: 4px; padding: 4px 12px; margin: 8px 0; }
.report h3 { font-size: 1rem; margin: 6px 0; }
.report-rejected, .report-more-requested { border-left: 4px solid var(--bad); }
.report-accepted { border-left: 4px solid var(--ok); }
.reason { background: #fff5f5; padding: 4px 8px; }
.report-form fieldset.figure { grid-template-columns: 1fr; }
.verdict-form .actions, .steer-form .actions, form.filter { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
.waiver-form button, .steer-form button { justify-self: start; }
/* A fieldset is as wide as its widest option by default: keep the forms within a phone's width. */
.waiver-form fieldset, .verdict-form fieldset, .report-form fieldset, .steer-form fieldset { min-width: 0; }
.waiver-form select, .steer-form select { width: 100%; }
@media (max-width: 640px) {
  .targets li { grid-template-columns: 1fr; }
  .facts { grid-template-columns: 1fr; }
  table.projects thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  table.projects tr { display: block; border-bottom: 1px solid var(--line); padding: 4px 0; }
  table.projects td { display: grid; grid-template-columns: 7.5rem 1fr; gap: 8px; border: 0; padding: 2px 0; }
  table.projects td::before { content: attr(data-label); color: var(--muted); }
}
form.filters { display: grid; grid-template-columns: repeat(4, minmax(0, 1fr)); gap: 4px 12px; align-items: end; }
form.filters button { grid-column: 1 / -1; justify-self: start; }
form.filters label { grid-row: 1; }
form.stacked fieldset, form.stacked { display: grid; gap: 4px; max-width: 40rem; }
.actions { display: flex; flex-wrap: wrap; gap: 8px; }
.drafts { list-style: none; padding: 0; display: grid; gap: 6px; }
.drafts li { display: flex; flex-wrap: wrap; gap: 4px 12px; align-items: center; border-bottom: 1px solid var(--line); padding: 4px 0; }
form.inline { display: inline-flex; gap: 8px; align-items: center; flex-wrap: wrap; }
textarea.token { width: 100%; font-family: monospace; word-break: break-all; }
tr.row-rejected td, tr.outcome-rejected td { background: #fff5f5; }
table.import-report td:nth-child(3), table.import-report td:nth-child(4) { min-width: 7rem; }
table.import-report code, table.audit td { overflow-wrap: anywhere; }
@media (max-width: 640px) {
  form.filters { grid-template-columns: 1fr; }
  form.filters label { grid-row: auto; }
  table.stack thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  table.stack, table.stack tbody, table.stack tr, table.stack td { display: block; width: 100%; }
  table.stack tr { border-bottom: 1px solid var(--line); padding: 6px 0; }
  table.stack td { display: grid; grid-template-columns: 7.5rem 1fr; gap: 8px; border: 0; padding: 2px 0; overflow-wrap: anywhere; }
  table.stack td::before { content: attr(data-label); color: var(--muted); font-size: .85em; }
  table.stack td.row-actions { display: block; }
}
`;

export const SCRIPT = `(function () {
  'use strict';
  var pad = function (n) { return String(n).padStart(2, '0'); };
  var time = document.querySelector('time[data-countdown]');
  var out = document.querySelector('.countdown');
  if (time && out) {
    // The cycle's clock at render time (rehearsals run on programme time), advanced by real time.
    var deadline = Date.parse(time.getAttribute('datetime'));
    var skew = Date.parse(time.getAttribute('data-now')) - Date.now();
    var tick = function () {
      var left = Math.max(0, deadline - (Date.now() + skew));
      var s = Math.floor(left / 1000);
      out.textContent = left === 0 ? '已截止 / closed'
        : '剩余 ' + Math.floor(s / 86400) + ' 天 ' + pad(Math.floor(s / 3600) % 24) + ':' + pad(Math.floor(s / 60) % 60) + ':' + pad(s % 60) + ' left';
    };
    tick();
    setInterval(tick, 1000);
  }
  var form = document.querySelector('form.nominate');
  var verdict = document.getElementById('verdict');
  if (!form || !verdict) return;
  // Only the chosen part's dossier fieldset is enabled: a disabled fieldset submits nothing.
  var showDossier = function () {
    var chosen = form.elements.namedItem('part').value;
    form.querySelectorAll('fieldset.dossier').forEach(function (set) {
      var on = set.getAttribute('data-part') === chosen;
      set.disabled = !on;
      set.hidden = !on;
    });
  };
  form.elements.namedItem('part').addEventListener('change', showDossier);
  showDossier();
  // A file over its slot's limit is flagged before it is sent.
  form.addEventListener('change', function (event) {
    var input = event.target;
    if (!input || input.type !== 'file') return;
    var max = Number(input.getAttribute('data-max-bytes'));
    var big = Array.prototype.some.call(input.files, function (f) { return f.size > max; });
    input.setCustomValidity(big ? '文件过大 / file too large (≤ ' + max + ' bytes)' : '');
  });
  var timer;
  var candidate = function () {
    var result = {};
    new FormData(form).forEach(function (value, key) {
      if (key.indexOf('c.') !== 0 || value === '') return;
      var name = key.slice(2);
      var input = form.elements.namedItem(key);
      if (input && input.tagName === 'TEXTAREA' && input.getAttribute('placeholder')) {
        result[name] = String(value).split(/\\r?\\n/).map(function (v) { return v.trim(); }).filter(Boolean);
      } else if (value === 'true' || value === 'false') {
        result[name] = value === 'true';
      } else {
        result[name] = value;
      }
    });
    return result;
  };
  var ask = function () {
    var part = String(form.elements.namedItem('part').value).split('/');
    var body = { listId: part[0], candidate: candidate() };
    if (part[1]) body.fieldId = part[1];
    fetch(form.getAttribute('data-verdict-url'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': form.elements.namedItem('_csrf').value },
      body: JSON.stringify(body),
      credentials: 'same-origin'
    }).then(function (r) { return r.json(); }).then(function (v) {
      verdict.setAttribute('data-status', v.status || 'invalid');
      var labels = { eligible: '符合条件 Eligible', 'needs-review': '待核对 Needs review', refused: '不符合条件 Not eligible', invalid: '待完善 Incomplete' };
      verdict.textContent = (labels[v.status] || v.code || '') + '：' + (v.message || '');
    }).catch(function () {});
  };
  form.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(ask, 300); });
  form.addEventListener('change', function () { clearTimeout(timer); timer = setTimeout(ask, 300); });
})();
`;

/**
 * The expert's and the chair's pages (portal/pages/review*.ts), linked by those pages only:
 * dossier cards, the reading layout, the score form, and tables that become labelled rows on a
 * phone. The script shows the weighted total as the expert types (the page works without it).
 */
export const REVIEW_STYLESHEET = `
.button { display: inline-block; padding: 6px 12px; border: 1px solid var(--accent); border-radius: 4px; background: var(--accent); color: #fff; text-decoration: none; }
.button.secondary { background: #fff; color: var(--accent); }
button.danger { background: #fff; color: var(--bad); border-color: var(--bad); }
.meta { color: var(--muted); font-size: .9em; }
.cards { list-style: none; padding: 0; display: grid; gap: 12px; grid-template-columns: repeat(auto-fill, minmax(18rem, 1fr)); }
.card { border: 1px solid var(--line); border-left: 4px solid var(--accent); border-radius: 4px; padding: 8px 12px; }
.card[data-status="scored"] { border-left-color: var(--ok); }
.card[data-status="confirmed"] { border-left-color: var(--muted); }
.card h3 { margin: 0 0 4px; font-size: 1.05rem; }
.card p { margin: 4px 0; }
.card .actions { display: flex; flex-wrap: wrap; gap: 8px; margin-top: 8px; }
.badge { display: inline-block; padding: 0 8px; border-radius: 999px; font-size: .85em; background: #eef4ff; color: var(--accent); }
.badge[data-status="scored"] { background: #e9f7ee; color: var(--ok); }
.badge[data-status="confirmed"] { background: #f3f4f6; color: var(--muted); }
.progress-line { display: flex; flex-wrap: wrap; gap: 4px 12px; align-items: center; }
.progress-line meter { width: 12rem; }
.progress-line .en { flex-basis: 100%; }
dl.facts, dl.answers { display: grid; grid-template-columns: minmax(8rem, 16rem) 1fr; gap: 4px 16px; margin: 0; }
dl.facts dt, dl.answers dt { font-weight: 600; }
dl.facts dd, dl.answers dd { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
ul.declared { list-style: none; padding-left: 0; }
ul.files { padding-left: 1.2rem; }
ul.files li { margin: 4px 0; }
ul.files .meta { display: block; }
form.score, form.confirm, .conflict form { display: grid; gap: 6px; max-width: 40rem; }
form.score fieldset { padding: 8px 12px; }
.criterion { display: grid; grid-template-columns: 1fr 8rem; gap: 2px 12px; align-items: center; }
.criterion .meta { grid-column: 1 / -1; }
fieldset.recommend { display: flex; flex-wrap: wrap; gap: 8px 24px; }
.total { font-weight: 600; margin: 4px 0 0; }
.conflict { margin-top: 2rem; border-top: 1px solid var(--line); }
.warn { border-left: 4px solid var(--warn); padding: 4px 12px; background: #fff8e6; margin: 0; }
.owing { color: var(--warn); }
.done { color: var(--ok); }
section.part { border-top: 1px solid var(--line); margin-top: 1.5rem; }
section.part table { margin: 8px 0 16px; }
@media (max-width: 640px) {
  dl.facts, dl.answers, .criterion { grid-template-columns: 1fr; }
  dl.answers dd { margin-bottom: 8px; }
  table.stack thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  table.stack tr { display: block; border-bottom: 1px solid var(--line); padding: 6px 0; }
  table.stack th, table.stack td { display: block; border: 0; padding: 2px 8px; }
  table.stack td[data-label]::before, table.stack th[data-label]::before { content: attr(data-label) "："; color: var(--muted); font-weight: 400; }
  .progress-line meter { width: 100%; }
}
`;

export const REVIEW_SCRIPT = `(function () {
  'use strict';
  var form = document.getElementById('score-form');
  var out = document.getElementById('weighted-total');
  if (!form || !out) return;
  var inputs = Array.prototype.slice.call(form.querySelectorAll('input[type="number"][data-weight]'));
  // The expert's total as the workflow computes it: Σ score × weight ÷ Σ weight (domain/scoring.ts).
  var show = function () {
    var sum = 0, weights = 0, complete = true;
    inputs.forEach(function (input) {
      var w = Number(input.getAttribute('data-weight'));
      weights += w;
      if (input.value === '' || !input.checkValidity()) { complete = false; return; }
      sum += Number(input.value) * w;
    });
    out.textContent = complete && weights > 0
      ? '加权总分 Weighted total: ' + (Math.round((sum / weights) * 10000) / 10000)
      : '';
  };
  form.addEventListener('input', show);
  show();
})();
`;
