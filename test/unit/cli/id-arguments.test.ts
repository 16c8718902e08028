import { parseArgs } from 'node:util';
import { describe, expect, it } from 'vitest';
import { idsAsPositionals } from '../../../src/cli/id-arguments.ts';

const options = { user: { type: 'string' }, yes: { type: 'boolean' } } as const;
const parse = (args: string[]) => parseArgs({ args: idsAsPositionals(args, options), allowPositionals: true, options });

describe('idsAsPositionals', () => {
  it('reads an id that starts with "-" as a positional, before or after the options', () => {
    expect(parse(['-gq4Xk2b', '--yes'])).toEqual({ values: { yes: true }, positionals: ['-gq4Xk2b'] });
    expect(parse(['--yes', '--x7Rf'])).toEqual({ values: { yes: true }, positionals: ['--x7Rf'] });
  });

  it('knows only the options it is given, not the names every object inherits', () => {
    expect(parse(['--constructor'])).toEqual({ values: {}, positionals: ['--constructor'] });
    expect(parse(['--toString', '--yes'])).toEqual({ values: { yes: true }, positionals: ['--toString'] });
  });

  it('keeps the value of a string option, in both spellings, even when the value starts with "-"', () => {
    expect(parse(['--user', '-odd@example.com'])).toEqual({ values: { user: '-odd@example.com' }, positionals: [] });
    expect(parse(['--user=a@example.com', 'id1'])).toEqual({ values: { user: 'a@example.com' }, positionals: ['id1'] });
  });

  it('leaves a string option without its value for parseArgs to name', () => {
    expect(() => parse(['--user'])).toThrow("Option '--user <value>' argument missing");
  });

  it('takes everything after "--" as positionals, as parseArgs does', () => {
    expect(parse(['--', '--yes', '-a'])).toEqual({ values: {}, positionals: ['--yes', '-a'] });
  });
});
