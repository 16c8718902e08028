import type { z } from 'zod';

export interface LenientResult<T> {
  /** The parsed entry, with its invalid fields replaced by their defaults; undefined when even that fails. */
  value: T | undefined;
  /** Top-level fields that failed (their problems are in `issues`); rules reading them should not run. */
  invalidFields: ReadonlySet<string>;
  issues: readonly z.core.$ZodIssue[];
}

/**
 * Parses a strict object; when it fails, parses it again without the failing and unknown fields so that
 * the cross-field rules on the remaining fields can still run and report everything in one pass.
 * `placeholders` stand in for required fields that failed.
 */
export function parseLeniently<T>(schema: z.ZodType<T>, input: unknown, placeholders: Readonly<Record<string, unknown>>): LenientResult<T> {
  const first = schema.safeParse(input);
  if (first.success) return { value: first.data, invalidFields: new Set(), issues: [] };
  const issues = first.error.issues;
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return { value: undefined, invalidFields: new Set(), issues };
  const invalidFields = new Set<string>();
  const unknownKeys = new Set<string>();
  for (const issue of issues) {
    const [field] = issue.path;
    if (typeof field === 'string') invalidFields.add(field);
    else if (issue.code === 'unrecognized_keys') issue.keys.forEach((key) => unknownKeys.add(key));
  }
  const kept = Object.entries(input).filter(([key]) => !invalidFields.has(key) && !unknownKeys.has(key));
  const fill = Object.entries(placeholders).filter(([key]) => invalidFields.has(key));
  const second = schema.safeParse(Object.fromEntries([...kept, ...fill]));
  return { value: second.success ? second.data : undefined, invalidFields, issues };
}
