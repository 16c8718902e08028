// Field schemas shared by the file schemas and the environment overrides.
import { z } from 'zod';

/** YAML `key:` with no value, or an empty string (e.g. from `${VAR:-}`), means "not set". */
const blankToUndefined = (value: unknown): unknown => (value === null || value === '' ? undefined : value);

/** An optional leaf that also accepts null or '' as "not set". */
export function unset<T extends z.ZodType>(schema: T) {
  return z.preprocess(blankToUndefined, schema.optional());
}

/** A strict sub-mapping whose fields all have defaults; may be omitted or left empty. */
export function section<T extends z.core.$ZodLooseShape>(shape: T) {
  // Every field has a default, so {} is valid input; TypeScript cannot see that through the generic shape.
  return z
    .preprocess(blankToUndefined, z.strictObject(shape).prefault({} as never))
    .meta({ type: ['object', 'null'] }); // lets editors accept a section whose every line is commented out
}

const digitsToNumber = (value: unknown): unknown => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value);

/** A whole number in a range; also accepts a string of digits, which is what `${VAR}` produces. */
export function integer(min: number, max: number) {
  const error = `must be a whole number from ${min} to ${max}`;
  return z.preprocess(digitsToNumber, z.int({ error }).min(min, { error }).max(max, { error }));
}

/** `auto` (decided at start) or a whole number in a range. */
export function autoOrInteger(min: number, max: number) {
  const error = `must be auto or a whole number from ${min} to ${max}`;
  return z.preprocess(
    digitsToNumber,
    z.union([z.literal('auto'), z.int({ error }).min(min, { error }).max(max, { error })], { error }),
  );
}

/** true or false; also accepts the strings "true" and "false", which is what `${VAR}` produces. */
export const boolean = z.preprocess(
  (value: unknown): unknown => (value === 'true' ? true : value === 'false' ? false : value),
  z.boolean({ error: 'must be true or false' }),
);

export const nonEmptyString = z.string({ error: 'must be a string' }).trim().min(1, { error: 'must not be empty' });

/** A string accepted when `check` returns no message. */
export function checkedString(check: (raw: string) => string | undefined) {
  return z.string({ error: 'must be a string' }).check((ctx) => {
    const message = check(ctx.value);
    if (message !== undefined) ctx.issues.push({ code: 'custom', input: ctx.value, message });
  });
}

/** A list without duplicates; `what` names the items in the message. */
export function uniqueList<T extends z.ZodType>(item: T, what: string) {
  return z.array(item, { error: `must be a list of ${what}` }).check((ctx) => {
    ctx.value.forEach((value, index) => {
      if (ctx.value.indexOf(value) !== index) {
        ctx.issues.push({ code: 'custom', input: value, path: [index], message: `duplicate ${what.replace(/s$/, '')} ${JSON.stringify(value)}` });
      }
    });
  });
}
