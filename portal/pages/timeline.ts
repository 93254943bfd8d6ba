/**
 * The year's timeline as a list of stages with bars on one time axis (a small Gantt): the
 * secretariat's dashboard and the public page both show it.
 */
import { formatDeadline } from '../../domain/calendar';
import type { CycleStatus } from '../../workflows/messages';
import { timelineOf } from '../views';
import { html, type SafeHtml } from './html';

export function timelineSection(status: Pick<CycleStatus, 'deadlines' | 'stage' | 'paused'>): SafeHtml {
  const stages = timelineOf(status);
  const start = Math.min(...stages.map((s) => s.startsAt ?? s.deadlineAt));
  const end = Math.max(...stages.map((s) => s.deadlineAt));
  const span = Math.max(1, end - start);
  const percent = (at: number) => ((100 * (at - start)) / span).toFixed(2);
  return html`<section aria-labelledby="timeline-h">
    <h2 id="timeline-h">年度时间表 Timeline</h2>
    <ol class="timeline">
      ${stages.map((s) => {
        const from = s.startsAt ?? s.deadlineAt;
        const current =
          s.key === status.stage || (s.key === 'publication' && status.stage === 'awaiting-publication');
        return html`<li${current ? html` aria-current="step" class="current"` : ''}>
<span class="stage-name">${s.name}</span>
<span class="stage-dates">${s.startsAt ? html`${formatDeadline(s.startsAt)} – ` : ''}${formatDeadline(s.deadlineAt)}</span>
<span class="bar" aria-hidden="true"><span style="margin-left:${percent(from)}%;width:${(Number(percent(s.deadlineAt)) - Number(percent(from))).toFixed(2)}%"></span></span>
</li>`;
      })}
    </ol>
    ${status.paused ? html`<p><strong>周期已暂停 The cycle is paused</strong>：截止时间将按暂停时长顺延 / deadlines move by the pause.</p>` : ''}
  </section>`;
}
