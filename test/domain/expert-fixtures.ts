/** A review plan for the expert-review tests: innovation and impact, a panel by organisation. */
import type { Criterion, ReviewPlan } from '../../domain/review-plan';

export const expert = (id: string, organisation: string) => ({
  id,
  name: `专家${id}`,
  email: `${id}@experts.example.org`,
  organisation,
});

/** Innovation (0–100 by 1) and impact, weighted as given (fractions or percent). */
export function testPlan(args: {
  weights: [number, number];
  impact: Pick<Criterion, 'max' | 'step'>;
  organisations: string[];
  expertsPerNomination: number;
}): ReviewPlan {
  return {
    criteria: [
      {
        id: 'innovation',
        name: { zh: '创新性', en: 'Innovation' },
        weight: args.weights[0],
        min: 0,
        max: 100,
        step: 1,
      },
      { id: 'impact', name: { zh: '影响力', en: 'Impact' }, weight: args.weights[1], min: 0, ...args.impact },
    ],
    experts: args.organisations.map((organisation, i) => expert(`e${i + 1}`, organisation)),
    expertsPerNomination: args.expertsPerNomination,
  };
}
