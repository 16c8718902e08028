// What every hosted page is checked for in a real browser: full-page screenshots in light and dark mode (kept as test
// artifacts under test-results/screenshots/), axe-core's accessibility rules in both modes, and no sideways scrolling.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { AxeResults, Result } from 'axe-core';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from './child-process.ts';

export const SCREENSHOT_DIR = path.join(REPO_ROOT, 'test-results', 'screenshots');
const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const SCHEMES = ['light', 'dark'] as const;

/** An axe violation, short enough to read in a failed assertion. */
export interface Violation {
  scheme: (typeof SCHEMES)[number];
  rule: string;
  impact: string;
  help: string;
  targets: string[];
}

/**
 * Screenshots `page` as it is now in light and dark mode, and runs axe-core in each; returns the serious and critical
 * violations. axe is injected as a script, which the pages' CSP forbids: the page must come from a browser context
 * made with `bypassCSP: true`, used for this audit only.
 */
export async function auditPage(page: Page, name: string): Promise<Violation[]> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const violations: Violation[] = [];
  for (const scheme of SCHEMES) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}-${scheme}.png`), fullPage: true });
    violations.push(...(await runAxe(page)).map((result) => describe(result, scheme)));
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return violations.filter((violation) => violation.impact === 'serious' || violation.impact === 'critical');
}

async function runAxe(page: Page): Promise<Result[]> {
  // Expressions as strings: these run in the page, whose DOM types this Node project does not compile against.
  if (!(await page.evaluate("typeof window.axe === 'object'"))) await page.addScriptTag({ path: AXE_SCRIPT });
  const results = await page.evaluate<AxeResults>('window.axe.run()');
  return results.violations;
}

function describe(result: Result, scheme: Violation['scheme']): Violation {
  return {
    scheme,
    rule: result.id,
    impact: result.impact ?? 'unknown',
    help: result.help,
    targets: result.nodes.map((node) => node.target.join(' ')),
  };
}

/** How far the page is wider than the window (0 when nothing scrolls sideways). */
export function horizontalOverflow(page: Page): Promise<number> {
  return page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
}
