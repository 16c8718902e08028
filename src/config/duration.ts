import { z } from 'zod';

const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };
const DURATION_PATTERN = /^(\d+)([smhd]?)$/;
const HINT = 'write a whole number followed by s, m, h or d (30s, 10m, 24h, 14d), or a plain number of seconds';

/** Parses `30s`, `10m`, `24h`, `14d` or a whole number of seconds into seconds; throws a RangeError explaining the format otherwise. */
export function parseDuration(input: string | number): number {
  if (typeof input === 'number') {
    if (Number.isSafeInteger(input) && input >= 0) return input;
    throw new RangeError(`invalid duration ${input}: ${HINT}`);
  }
  const match = DURATION_PATTERN.exec(input.trim());
  const [, amount, unit] = match ?? [];
  const seconds = Number(amount) * (UNIT_SECONDS[unit || 's'] ?? Number.NaN);
  if (amount === undefined || !Number.isSafeInteger(seconds)) {
    throw new RangeError(`invalid duration ${JSON.stringify(input)}: ${HINT}`);
  }
  return seconds;
}

/** A positive duration in a config file, parsed to seconds. */
export const durationSchema = z
  .union([z.number(), z.string()], { error: `must be a duration: ${HINT}` })
  .transform((input, ctx) => {
    try {
      const seconds = parseDuration(input);
      if (seconds > 0) return seconds;
      ctx.addIssue({ code: 'custom', input, message: 'must be longer than zero' });
    } catch (error) {
      ctx.addIssue({ code: 'custom', input, message: (error as RangeError).message });
    }
    return z.NEVER;
  })
  .meta({
    description: 'A duration: 30s, 10m, 24h, 14d, or a whole number of seconds.',
    // `${...}` strings are environment references, resolved before validation.
    anyOf: [{ type: 'integer', minimum: 1 }, { type: 'string', pattern: String.raw`^(\d+[smhd]?|.*\$\{.*)$` }],
  });

/** Writes seconds back the way a config file would: the largest unit that divides it (90d, 10m, 45s). */
export function formatDuration(seconds: number): string {
  for (const [unit, size] of Object.entries(UNIT_SECONDS).reverse()) {
    if (seconds >= size && seconds % size === 0) return `${seconds / size}${unit}`;
  }
  return `${seconds}s`;
}
