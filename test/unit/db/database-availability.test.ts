import { describe, expect, it } from 'vitest';
import { createDatabaseAvailability, isDatabaseUnavailableError } from '../../../src/db/database-availability.ts';

function errorWith(message: string, fields: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), fields);
}

describe('isDatabaseUnavailableError', () => {
  it.each([
    ['a refused connection', errorWith('connect ECONNREFUSED 127.0.0.1:5432', { code: 'ECONNREFUSED', syscall: 'connect' })],
    ['a reset connection', errorWith('read ECONNRESET', { code: 'ECONNRESET', syscall: 'read' })],
    ['a server shutting down', errorWith('terminating connection due to administrator command', { code: '57P01' })],
    ['a server starting up', errorWith('the database system is starting up', { code: '57P03' })],
    ['a connection exception', errorWith('connection failure', { code: '08006' })],
    ['a statement timeout', errorWith('canceling statement due to statement timeout', { code: '57014' })],
    ['a pool acquire timeout', Object.assign(new Error('Knex: Timeout acquiring a connection.'), { name: 'KnexTimeoutError' })],
    ['a lost connection', new Error('Connection terminated unexpectedly')],
    ['a connect timeout', new Error('Connection terminated due to connection timeout')],
  ])('counts %s', (_, error) => {
    expect(isDatabaseUnavailableError(error)).toBe(true);
  });

  it.each([
    ['a unique violation', errorWith('duplicate key value', { code: '23505' })],
    ['a syntax error', errorWith('syntax error at or near', { code: '42601' })],
    ['a missing file', errorWith("ENOENT: no such file or directory, open 'x'", { code: 'ENOENT', syscall: 'open' })],
    ['a plain error', new Error('boom')],
    ['a string', 'ECONNREFUSED'],
  ])('does not count %s', (_, error) => {
    expect(isDatabaseUnavailableError(error)).toBe(false);
  });
});

describe('createDatabaseAvailability', () => {
  const refused = errorWith('connect ECONNREFUSED', { code: 'ECONNREFUSED', syscall: 'connect' });

  /** A tracker whose probe answers as `reachable` says, recording its transitions. */
  function tracker() {
    const state = { reachable: true, probes: 0, transitions: [] as string[] };
    const availability = createDatabaseAvailability({
      probe: async () => {
        state.probes++;
        if (!state.reachable) throw refused;
      },
      retryIntervalMs: 10,
      onDown: () => state.transitions.push('down'),
      onUp: () => state.transitions.push('up'),
    });
    return { state, availability };
  }

  const settle = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

  it('ignores errors that are not outages', async () => {
    const { state, availability } = tracker();
    expect(availability.report(new Error('boom'))).toBe(false);
    await settle();
    expect(state.probes).toBe(0);
    expect(availability.down).toBe(false);
  });

  it('stays up when the probe finds the database answering (a busy pool is no outage)', async () => {
    const { state, availability } = tracker();
    expect(availability.report(refused)).toBe(true);
    await settle();
    expect(state.probes).toBe(1);
    expect(availability.down).toBe(false);
    expect(state.transitions).toEqual([]);
  });

  it('goes down when the probe fails, probes again until it succeeds, then comes up', async () => {
    const { state, availability } = tracker();
    state.reachable = false;
    availability.report(refused);
    while (!availability.down) await settle(1);
    availability.report(refused); // more errors while down start no extra probes
    const probesWhileDown = state.probes;
    await settle(35);
    expect(state.probes).toBeGreaterThan(probesWhileDown);
    state.reachable = true;
    while (availability.down) await settle(5);
    expect(state.transitions).toEqual(['down', 'up']);
    availability.stop();
  });
});
