/**
 * Search attributes that let the Temporal Web UI and `temporal workflow list` find and filter
 * cycles. Programme ids, years and stages only: no personal data.
 */
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';
import type { StageId } from './messages';

export const programmeKey = defineSearchAttributeKey('KczgProgramme', SearchAttributeType.KEYWORD);
export const yearKey = defineSearchAttributeKey('KczgYear', SearchAttributeType.INT);
export const stageKey = defineSearchAttributeKey('KczgStage', SearchAttributeType.KEYWORD);

export const searchAttributeKeys = [programmeKey, yearKey, stageKey];

export function stageSearchAttribute(stage: StageId): SearchAttributePair {
  return { key: stageKey, value: stage };
}
