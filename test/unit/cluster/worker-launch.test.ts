import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildWorkerLaunch, MALLOC_ARENAS, YOUNG_GENERATION_FLAG } from '../../../src/cluster/worker-launch.ts';

const repoFile = (name: string) => readFileSync(new URL(`../../../${name}`, import.meta.url), 'utf8');

describe('buildWorkerLaunch', () => {
  it("gives the workers the primary's options with a 16 MiB young generation, and two malloc arenas", () => {
    expect(buildWorkerLaunch(['--enable-source-maps'], {})).toEqual({
      execArgv: ['--enable-source-maps', YOUNG_GENERATION_FLAG],
      env: { MALLOC_ARENA_MAX: MALLOC_ARENAS },
    });
    expect(YOUNG_GENERATION_FLAG).toBe('--max-semi-space-size=16');
  });

  it("keeps a young generation size chosen on the primary's command line or in NODE_OPTIONS, and any MALLOC_ARENA_MAX", () => {
    expect(buildWorkerLaunch(['--max-semi-space-size=64'], {}).execArgv).toEqual(['--max-semi-space-size=64']);
    expect(buildWorkerLaunch([], { NODE_OPTIONS: '--enable-source-maps --max_semi_space_size=4' }).execArgv).toEqual([]);
    expect(buildWorkerLaunch([], { MALLOC_ARENA_MAX: '8' }).env).toEqual({});
  });

  it('is what `npm start` and the Docker image give a single process', () => {
    const startScript = (JSON.parse(repoFile('package.json')) as { scripts: { start: string } }).scripts.start;
    expect(startScript.split(' ')).toContain(YOUNG_GENERATION_FLAG);
    const dockerfile = repoFile('Dockerfile');
    expect(dockerfile).toContain(`CMD ["node", "${YOUNG_GENERATION_FLAG}", "src/main.ts"]`);
    expect(dockerfile).toMatch(new RegExp(`MALLOC_ARENA_MAX=${MALLOC_ARENAS}\\b`));
  });
});
