/**
 * 统一社会信用代码 (unified social credit code, GB 32100-2015): 18 characters from a 31-character
 * alphabet (digits and capitals without I, O, Z, S, V); the last is a check character over the
 * first 17 (weights 3^i mod 31). Pure.
 */
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

/** The check character for the first 17 characters, or undefined when one is outside the alphabet. */
export function usccCheckCharacter(first17: string): string | undefined {
  let sum = 0;
  for (let i = 0; i < WEIGHTS.length; i++) {
    const value = ALPHABET.indexOf(first17[i] ?? '');
    if (value < 0) return undefined;
    sum += value * WEIGHTS[i];
  }
  return ALPHABET[(31 - (sum % 31)) % 31];
}

/** An 18-character code whose check character matches; lower case is not accepted (the licence prints capitals). */
export function isUscc(code: string): boolean {
  return (
    code.length === 18 &&
    /^[0-9A-HJ-NPQRTUWXY]{2}\d{6}/.test(code) &&
    usccCheckCharacter(code.slice(0, 17)) === code[17]
  );
}
