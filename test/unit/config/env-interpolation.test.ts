import { describe, expect, it } from 'vitest';
import { interpolateEnv } from '../../../src/config/env-interpolation.ts';

describe('interpolateEnv', () => {
  const env = { SECRET: 'p#ss:word ${NOT_AGAIN}', HOST: 'db', EMPTY: '' };

  it('replaces ${NAME} anywhere inside string scalars, in nested lists and mappings', () => {
    const document = { a: { b: ['x-${HOST}-y', 'postgres://u:${SECRET}@${HOST}/l'] }, n: 3, t: true, z: null };
    expect(interpolateEnv(document, env)).toEqual({
      value: { a: { b: ['x-db-y', 'postgres://u:p#ss:word ${NOT_AGAIN}@db/l'] }, n: 3, t: true, z: null },
      issues: [],
    });
  });

  it('uses the default of ${NAME:-default} when the variable is unset or empty', () => {
    const document = { a: '${MISSING:-fallback}', b: '${EMPTY:-x}', c: '${HOST:-other}', d: '${MISSING:-}' };
    expect(interpolateEnv(document, env).value).toEqual({ a: 'fallback', b: 'x', c: 'db', d: '' });
  });

  it('keeps a literal ${ written as $${', () => {
    expect(interpolateEnv('cost: $${HOST} and $5', env).value).toBe('cost: ${HOST} and $5');
  });

  it('reports an unset variable without default with its path and name', () => {
    const { issues } = interpolateEnv({ clients: [{ client_secret: '${BILLING_SECRET}' }] }, env);
    expect(issues).toEqual([
      {
        path: ['clients', 0, 'client_secret'],
        message: 'environment variable BILLING_SECRET is not set (or write ${BILLING_SECRET:-default} to give a default)',
      },
    ]);
  });

  it('treats an empty variable as unset', () => {
    expect(interpolateEnv({ a: '${EMPTY}' }, env).issues).toHaveLength(1);
  });

  it('reports malformed references', () => {
    const { issues } = interpolateEnv({ a: '${1BAD}', b: '${OPEN' }, env);
    expect(issues.map((issue) => issue.path)).toEqual([['a'], ['b']]);
    expect(issues[0]?.message).toMatch(/malformed environment reference "\$\{1BAD\}"/);
  });
});
