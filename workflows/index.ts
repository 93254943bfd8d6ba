/** The workflow bundle's entry point: every workflow type the worker runs. */
export { cycleWorkflow } from './cycle';
export { unitWorkflow } from './unit';
export { reviewBodyWorkflow } from './review-body';
export { projectWorkflow } from './project';
export { openNextYearWorkflow } from './next-year';
