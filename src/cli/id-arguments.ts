/**
 * Moves every argument that is not one of `options` after "--", so `parseArgs` reads it as a positional.
 * Session ids and key ids are base64url, and one in 64 starts with "-": parseArgs would take it for an unknown
 * option, and an operator pasting the id from a listing should not have to know to write "--" first.
 */
export function idsAsPositionals(args: readonly string[], options: Readonly<Record<string, { type: 'string' | 'boolean' }>>): string[] {
  const named: string[] = [];
  const positionals: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index] ?? '';
    if (arg === '--') {
      positionals.push(...args.slice(index + 1));
      break;
    }
    const name = arg.startsWith('--') ? (arg.slice(2).split('=')[0] ?? '') : '';
    const option = Object.hasOwn(options, name) ? options[name] : undefined;
    if (option === undefined) {
      positionals.push(arg);
      continue;
    }
    const takesNextValue = option.type === 'string' && !arg.includes('=') && index + 1 < args.length;
    // Joined with "=", since parseArgs refuses a separate value that starts with "-".
    named.push(takesNextValue ? `${arg}=${args[++index] ?? ''}` : arg);
  }
  // No "--" without positionals: parseArgs would take it for the missing value of a trailing string option.
  return positionals.length > 0 ? [...named, '--', ...positionals] : named;
}
