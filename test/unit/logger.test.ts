import { describe, expect, it } from 'vitest';
import { createLogger, describeError, logUserId } from '../../src/logger.ts';
import { captureLogs } from '../support/log-capture.ts';

describe('logger', () => {
  it('writes JSON lines with level, time, message and fields, and honours the level', () => {
    const logs = captureLogs();
    const logger = createLogger('info', { destination: logs.destination });
    logger.debug('not shown');
    logger.info('shown', { route: 'token' });
    logger.child({ request_id: 'r-1' }).warn('with bindings');
    expect(logs.lines()).toEqual([
      expect.objectContaining({ level: 'info', msg: 'shown', route: 'token', time: expect.any(String) }),
      expect.objectContaining({ level: 'warn', msg: 'with bindings', request_id: 'r-1' }),
    ]);
  });

  it('redacts credentials wherever a careless caller puts them, up to two levels down', () => {
    const logs = captureLogs();
    const logger = createLogger('trace', { destination: logs.destination });
    logger.info('careless', {
      password: 'hunter2-password',
      client_secret: 'top-secret-client-secret',
      body: { code: 'auth-code-value', refresh_token: 'refresh-token-value', code_verifier: 'verifier-value' },
      req: { headers: { cookie: '_session=cookie-value', authorization: 'Bearer access-token-value', 'set-cookie': ['a=b'] } },
      params: { code: 'param-code-value', id_token: 'id-token-value' },
      failure: { code: 'ECONNREFUSED' },
    });
    const text = logs.text();
    for (const secret of ['hunter2', 'top-secret', 'auth-code', 'refresh-token', 'verifier-value', 'cookie-value', 'access-token', 'a=b', 'param-code', 'id-token']) {
      expect(text).not.toContain(secret);
    }
    expect(logs.lines()[0]).toMatchObject({ password: '[redacted]', body: { code: '[redacted]' }, failure: { code: 'ECONNREFUSED' } });
  });

  it('logs an error as type, message, code and stack, without its other properties', () => {
    const logs = captureLogs();
    const error = Object.assign(new Error('duplicate key'), { code: '23505', detail: 'Key (email)=(ada@example.com) already exists.' });
    createLogger('info', { destination: logs.destination }).error('failed', describeError(error));
    const err = logs.lines()[0]?.['err'] as Record<string, unknown>;
    expect(err).toMatchObject({ type: 'Error', message: 'duplicate key', code: '23505', stack: expect.stringContaining('duplicate key') });
    expect(err).not.toHaveProperty('detail');
  });

  it('identifies users by a stable hash of their sub', () => {
    expect(logUserId('abc')).toBe('ba7816bf8f01cfea'); // sha256("abc")
    expect(logUserId('abc')).toBe(logUserId('abc'));
    expect(logUserId('abd')).not.toBe(logUserId('abc'));
  });
});
