import type { z } from 'zod';
import type { Issue } from './problem-path.ts';

/** Flattens zod issues into path + message, one issue per unknown key (strict objects report them together). */
export function fromZodIssues(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): Issue[] {
  return issues.flatMap((issue): Issue[] => {
    const path = [...prefix, ...issue.path];
    if (issue.code !== 'unrecognized_keys') return [{ path, message: issue.message }];
    return issue.keys.map((key) => ({ path: [...path, key], message: unknownKeyMessage(key) }));
  });
}

function unknownKeyMessage(key: string): string {
  const snake = key.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
  if (snake !== key) return `unknown key; keys are snake_case (did you mean "${snake}"?)`;
  return 'unknown key; remove it or fix its spelling';
}
