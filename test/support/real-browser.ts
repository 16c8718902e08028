// Debian's Chromium driven by playwright-core. On a bare machine without it, browser suites skip with a message;
// with LATCHKEY_REQUIRE_BROWSER=1 (set by .ci/run) a missing browser is a failure.
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM_PATH = process.env['LATCHKEY_CHROMIUM'] ?? '/usr/bin/chromium';

const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** True when browser tests can run here; prints why not otherwise, and throws when a browser is required. */
export function browserAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (process.env['LATCHKEY_REQUIRE_BROWSER'] === '1') {
    throw new Error(`Chromium is required (LATCHKEY_REQUIRE_BROWSER=1) but ${CHROMIUM_PATH} does not exist`);
  }
  console.warn(`Skipping browser tests: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`);
  return false;
}

/** Launches headless Chromium; playwright gives each launch a fresh, empty user-data-dir. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_FLAGS });
}
