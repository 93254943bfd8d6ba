/**
 * The benchmark's programme and load: national-2023 with a synthetic roster (units
 * `bench-u0001`…, one channel each, spread over the programme's channels) and a 先导技术榜 quota
 * large enough for every unit's share, and eligible 先导技术榜 nominations spread round-robin
 * over the units (so concurrent requests hit different unit workflows, as many units submitting
 * at once do) and over the list's fields.
 */
import { formFor } from '../domain/forms';
import { sampleDossier } from '../domain/forms-sample';
import type { Candidate, Programme, Unit } from '../domain/programme';
import { loadProgramme } from '../programmes/loader';
import type { NominateRequest } from '../workflows/messages';

export const BENCH_LIST = 'pioneer-tech';

export function benchUnitId(index: number): string {
  return `bench-u${String(index + 1).padStart(4, '0')}`;
}

export function benchProgramme(id: string, units: number, perUnit: number): Programme {
  const base = loadProgramme('national-2023');
  const channels = base.channels.map((c) => c.id);
  const roster: Unit[] = Array.from({ length: units }, (_, i) => ({
    id: benchUnitId(i),
    name: `基准测试单位 ${i + 1} (benchmark)`,
    channels: [channels[i % channels.length]],
    email: `${benchUnitId(i)}@units.example.org`,
  }));
  return {
    ...base,
    id,
    lists: base.lists.map((list) =>
      list.id === BENCH_LIST && list.quota
        ? { ...list, quota: { ...list.quota, default: Math.max(list.quota.default, perUnit) } }
        : list,
    ),
    roster: { sample: true, units: roster },
  };
}

export interface BenchNomination {
  unitId: string;
  request: NominateRequest;
}

/**
 * Which unit sends the i-th nomination, and its how-many-th it is. The workload is "`wave` units
 * submit their batches at the same time": units go in waves of `wave`, and within a wave the
 * units take turns, so `wave` concurrent callers each talk to a different unit, one nomination
 * after another per unit (as `kczg import` sends a unit's file), and every unit sends its
 * nominations before the next wave starts.
 */
export function waveOrder(
  index: number,
  count: number,
  units: number,
  wave: number,
): { unit: number; serial: number } {
  const perUnit = Math.ceil(count / units);
  const waveSize = Math.min(wave, units);
  const perWave = waveSize * perUnit;
  const waveIndex = Math.floor(index / perWave);
  const within = index % perWave;
  const unitsInWave = Math.min(waveSize, units - waveIndex * waveSize);
  return {
    unit: waveIndex * waveSize + (within % unitsInWave),
    serial: Math.floor(within / unitsInWave),
  };
}

/** `count` eligible nominations in wave order (see waveOrder), fields taken in turn. */
export function benchNominations(
  programme: Programme,
  count: number,
  tag: string,
  wave: number,
): BenchNomination[] {
  const list = programme.lists.find((l) => l.id === BENCH_LIST);
  const fields = list?.fields ?? [];
  const units = programme.roster.units;
  return Array.from({ length: count }, (_, i) => {
    const order = waveOrder(i, count, units.length, wave);
    const unitId = units[order.unit].id;
    const serial = order.serial;
    const field = fields.length > 0 ? fields[serial % fields.length] : undefined;
    const form = list && formFor(list, field?.id);
    const category = field?.eligibility?.find((r) => r.rule === 'categoryIn');
    const candidate: Candidate = {
      name: `基准技术 ${unitId}-${serial}`,
      identity: `BENCH-${tag}-${unitId}-${serial}`,
      classified: false,
      ...(category && 'values' in category ? { category: category.values[0] } : {}),
    };
    return {
      unitId,
      request: {
        idempotencyKey: `${tag}-${unitId}-${serial}`,
        listId: BENCH_LIST,
        ...(field ? { fieldId: field.id } : {}),
        candidate,
        // What a unit files with it: the form's sample answers, declarations and attachment references.
        ...(form ? { dossier: sampleDossier(form, { n: i + 1 }) } : {}),
      },
    };
  });
}
