/**
 * Salesforce record ids as the real platform shapes them: a 3-character key prefix naming the object, 12 more
 * case-sensitive characters (15 in all), then the 3-character case-safe suffix that makes the 18-character form.
 */

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';

/** The case-safe suffix: for each 5-character chunk, a bit per upper-case letter. */
export function caseSafeSuffix(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk++) {
    let bits = 0;
    for (let i = 0; i < 5; i++) {
      const c = id15.charAt(chunk * 5 + i);
      if (c >= 'A' && c <= 'Z') bits |= 1 << i;
    }
    suffix += SUFFIX_ALPHABET.charAt(bits);
  }
  return suffix;
}

export const ID_PATTERN = /^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$/;

export function isSalesforceId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}

/** Hands out 18-character ids per key prefix: `<prefix>5g00000<5 base62 digits><suffix>`. */
export class IdGenerator {
  private next = 1;

  constructor(private readonly pod = '5g00000') {}

  newId(keyPrefix: string): string {
    let n = this.next++;
    let digits = '';
    for (let i = 0; i < 5; i++) {
      digits = BASE62.charAt(n % 62) + digits;
      n = Math.floor(n / 62);
    }
    const id15 = `${keyPrefix}${this.pod}${digits}`;
    return id15 + caseSafeSuffix(id15);
  }
}
