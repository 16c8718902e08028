// The latchkey CLI as operators run it: passwords from stdin, never argv; through the running server's socket on the
// embedded database, directly otherwise.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, runCli, spawnServer, stop, waitForHttp, REPO_ROOT } from '../support/child-process.ts';

describe('latchkey CLI', () => {
  it('prints help and exits 0; an unknown command exits 2', async () => {
    const help = await runCli(['--help'], {});
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('users');
    const usersHelp = await runCli(['users', '--help'], {});
    expect(usersHelp.stdout).toContain('set-password EMAIL');
    const unknown = await runCli(['frobnicate'], {});
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command');
  });

  describe('on the embedded database while the server runs', () => {
    let root: string;
    let env: Record<string, string>;
    let server: ReturnType<typeof spawnServer>;
    let issuer: string;

    beforeAll(async () => {
      root = mkdtempSync(path.join(tmpdir(), 'lk-cli-'));
      const port = await freePort();
      issuer = `http://127.0.0.1:${port}`;
      env = {
        LATCHKEY_CONFIG_DIR: path.join(REPO_ROOT, 'config'),
        LATCHKEY_DATA_DIR: path.join(root, 'data'),
        PORT: String(port),
        ISSUER: issuer,
      };
      server = spawnServer(env);
      await waitForHttp(`${issuer}/.well-known/openid-configuration`, server, 120_000); // a busy two-core machine starts the embedded database slowly
    }, 180_000);

    afterAll(async () => {
      await stop(server);
      rmSync(root, { recursive: true, force: true });
    });

    it('adds, lists, shows, disables, enables and deletes a user through the server', async () => {
      const added = await runCli(['users', 'add', 'Ada@Example.com', '--name', 'Ada Lovelace'], env, 'a long enough password\n');
      expect(added.code).toBe(0);
      expect(added.stdout).toContain('Added Ada@Example.com');

      const duplicate = await runCli(['users', 'add', 'ada@example.com'], env, 'another long password\n');
      expect(duplicate.code).toBe(1);
      expect(duplicate.stderr).toContain('already exists');

      const listed = await runCli(['users', 'list', '--json'], env);
      const users = JSON.parse(listed.stdout) as Array<{ email: string; name: string; status: string; sub: string }>;
      expect(users).toEqual([expect.objectContaining({ email: 'Ada@Example.com', name: 'Ada Lovelace', status: 'active' })]);
      expect(users[0]?.sub).toMatch(/^[\w-]{22}$/);

      expect((await runCli(['users', 'disable', 'ada@example.com'], env)).code).toBe(0);
      const shown = JSON.parse((await runCli(['users', 'show', 'ada@example.com', '--json'], env)).stdout) as { status: string };
      expect(shown.status).toBe('disabled');
      expect((await runCli(['users', 'enable', 'ada@example.com'], env)).code).toBe(0);

      const refusedDelete = await runCli(['users', 'delete', 'ada@example.com'], env);
      expect(refusedDelete.code).toBe(2);
      expect((await runCli(['users', 'delete', 'ada@example.com', '--yes'], env)).code).toBe(0);
      expect((await runCli(['users', 'list'], env)).stdout).toContain('No users yet');
      expect(server.exitCode).toBeNull();
    });

    it('refuses a short password and a missing one', async () => {
      const short = await runCli(['users', 'add', 'bob@example.com'], env, 'short\n');
      expect(short.code).toBe(1);
      expect(short.stderr).toContain('at least 8 characters');
      const missing = await runCli(['users', 'add', 'bob@example.com'], env, '');
      expect(missing.code).toBe(2);
      expect(missing.stderr).toContain('No password');
    });

    it('has no way to pass a password as an argument', async () => {
      const result = await runCli(['users', 'add', 'eve@example.com', '--password', 'in plain sight'], env, 'x\n');
      expect(result.code).toBe(2);
      expect(result.stderr).toContain("Unknown option '--password'");
    });
  });
});
