import { z } from 'zod';

/**
 * A positive id in a path or query: canonical decimal digits only (`11`), up to 2^31 − 1.
 * `z.coerce.number()` would read `0x10` as 16, `1e1` as 10, `+11`, `011`, ` 11` and `11.0`
 * as 11 — another contest than the one named, or the same one under many URLs (each a
 * separate cache key). Those are refused as a validation error instead (issue #8).
 */
export const canonicalId = () =>
  z
    .string()
    .regex(/^[1-9][0-9]{0,9}$/, 'a positive decimal integer without sign, leading zeros or spaces')
    .transform(Number)
    .pipe(z.number().int().positive().max(2 ** 31 - 1));
