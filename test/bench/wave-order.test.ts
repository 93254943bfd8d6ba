import { waveOrder } from '../../bench/programme';

describe('bench workload: units submit in waves', () => {
  it.each([
    [10_000, 1_000, 64],
    [1_000, 100, 64],
    [1_001, 100, 64],
    [200, 20, 64],
    [50, 7, 3],
  ])(
    '%i nominations from %i units, %i at a time: each (unit, serial) once, callers on distinct units',
    (count, units, wave) => {
      const order = Array.from({ length: count }, (_, i) => waveOrder(i, count, units, wave));
      const pairs = new Set(order.map((o) => `${o.unit}/${o.serial}`));
      expect(pairs.size).toBe(count);
      expect(Math.max(...order.map((o) => o.unit))).toBeLessThan(units);
      // Any `wave` consecutive requests (what the concurrent callers hold) go to as many distinct
      // units as the wave has, except where a wave ends and the next begins.
      const perUnit = Math.ceil(count / units);
      for (let i = 0; i + wave <= count; i += wave) {
        const window = order.slice(i, i + wave);
        const waveIndex = Math.floor(i / (wave * perUnit));
        if (waveIndex !== Math.floor((i + wave - 1) / (wave * perUnit))) continue;
        const unitsInWave = Math.min(wave, units - waveIndex * wave);
        expect(new Set(window.map((o) => o.unit)).size).toBe(unitsInWave);
      }
      // A unit's nominations come in order.
      const lastSerial = new Map<number, number>();
      for (const o of order) {
        expect(o.serial).toBe((lastSerial.get(o.unit) ?? -1) + 1);
        lastSerial.set(o.unit, o.serial);
      }
    },
  );
});
