import { interned } from '../../domain/interning';

describe('interned', () => {
  it('gives every holder of equal content the same frozen copy', () => {
    const first = interned({ id: 'p', lists: [{ id: 'a', quota: { perUnit: 2 } }] });
    const second = interned({ id: 'p', lists: [{ id: 'a', quota: { perUnit: 2 } }] });
    expect(second).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.lists[0].quota)).toBe(true);
  });

  it('keeps different content apart', () => {
    const one = interned({ id: 'p', year: 2023 });
    const other = interned({ id: 'p', year: 2024 });
    expect(other).not.toBe(one);
    expect(other.year).toBe(2024);
  });

  it('refuses changes to a shared copy (strict mode throws), so no workflow alters another’s input', () => {
    const shared = interned({ reminders: [{ id: 'r1' }] });
    expect(() => {
      (shared.reminders as Array<{ id: string }>).push({ id: 'r2' });
    }).toThrow(TypeError);
    expect(interned({ reminders: [{ id: 'r1' }] }).reminders).toHaveLength(1);
  });

  it.each([
    ['a number', 7],
    ['a string', 'x'],
    ['null', null],
    ['undefined', undefined],
  ])('passes %s through', (_name, value) => {
    expect(interned(value)).toBe(value);
  });

  it('holds a bounded number of distinct values, dropping the least recently used', () => {
    const kept = interned({ n: 'kept' });
    for (let i = 0; i < 15; i++) interned({ n: i });
    expect(interned({ n: 'kept' })).toBe(kept);
    for (let i = 100; i < 140; i++) interned({ n: i });
    expect(interned({ n: 'kept' })).not.toBe(kept);
  });
});
