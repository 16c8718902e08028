import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createMessageCatalog, LOCALES_DIR } from '../../../src/i18n/message-catalog.ts';
import { VIEWS_DIR } from '../../../src/http/view-renderer.ts';

const catalog = createMessageCatalog();
const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]).sort();

describe('the message files', () => {
  it('English and at least two more languages', () => {
    expect(catalog.locales).toEqual(expect.arrayContaining(['en', 'de', 'fr']));
  });

  it.each(catalog.locales.filter((locale) => locale !== 'en'))('%s is complete: the same keys as English, with the same placeholders', (locale) => {
    expect(catalog.keysOf(locale).sort()).toEqual(catalog.keysOf('en').sort());
    const english = catalog.translator('en');
    const other = catalog.translator(locale);
    for (const key of catalog.keysOf('en')) {
      expect(placeholders(other.t(key)), `${locale}: ${key}`).toEqual(placeholders(english.t(key)));
    }
  });

  it('has every key the templates and the code use', () => {
    const used = new Set<string>();
    const sources = [
      ...readdirSync(VIEWS_DIR, { recursive: true }).map((file) => path.join(VIEWS_DIR, String(file))).filter((file) => file.endsWith('.pug')),
      ...readdirSync('src', { recursive: true }).map((file) => path.join('src', String(file))).filter((file) => file.endsWith('.ts')),
    ];
    for (const file of sources) {
      for (const match of readFileSync(file, 'utf8').matchAll(/\b(?:t|emphasize)\(\s*'([\w.]+)'/g)) used.add(match[1] ?? '');
      // Audit event names (src/audit, `event: '...'`) look like keys but are not texts.
      if (file.startsWith(path.join('src', 'audit'))) continue;
      for (const match of readFileSync(file, 'utf8').matchAll(/(?<!event: )'((?:account|error|login|consent|scope|time)\.[\w.]+)'/g)) used.add(match[1] ?? '');
    }
    // Keys built at run time: the scope and error texts.
    for (const scope of ['openid', 'profile', 'email', 'offline_access']) used.add(`scope.${scope}.title`).add(`scope.${scope}.detail`);
    for (const code of ['invalid_redirect_uri', 'invalid_client', 'invalid_request', 'invalid_grant', 'session_not_found', 'interactionExpired', 'formExpired', 'accountSignInFailed', 'generic', 'server', 'badRequest']) {
      const prefix = ['generic', 'server', 'badRequest', 'interactionExpired', 'formExpired', 'accountSignInFailed'].includes(code) ? `error.${code}` : `error.oidc.${code}`;
      used.add(`${prefix}.heading`).add(`${prefix}.message`);
    }
    const known = catalog.keysOf('en');
    // A key naming a group (e.g. 'error.generic', completed with .heading at run time) counts as used by its members.
    const missing = [...used].filter((key) => !known.includes(key) && !known.some((k) => k.startsWith(`${key}.`)));
    expect(missing).toEqual([]);
  });
});

describe('createMessageCatalog', () => {
  function catalogOf(files: Record<string, unknown>) {
    const dir = mkdtempSync(path.join(tmpdir(), 'latchkey-locales-'));
    for (const [name, content] of Object.entries(files)) writeFileSync(path.join(dir, name), JSON.stringify(content));
    return createMessageCatalog(dir);
  }

  it('falls back to English for a missing key, and to the key itself when English lacks it too', () => {
    const messages = catalogOf({ 'en.json': { a: { b: 'Hello {name}', c: 'Only English' } }, 'de.json': { a: { b: 'Hallo {name}' } } });
    const german = messages.negotiate({ acceptLanguage: 'de' });
    expect(german.lang).toBe('de');
    expect(german.t('a.b', { name: 'Ada' })).toBe('Hallo Ada');
    expect(german.t('a.c')).toBe('Only English');
    expect(german.t('a.missing')).toBe('a.missing');
    expect(messages.translator('xx').lang).toBe('en');
  });

  it('escapes the text and the parameters of emphasized messages', () => {
    const messages = catalogOf({ 'en.json': { m: 'Go <now> to {client} & {other}' } });
    expect(messages.translator('en').emphasize('m', { client: '<img src=x>', other: 'B"' })).toBe(
      'Go &#60;now&#62; to <strong>&#60;img src=x&#62;</strong> &#38; <strong>B&#34;</strong>',
    );
  });

  it('stops at boot on a file that is not an object of strings, or without English', () => {
    expect(() => catalogOf({ 'en.json': { a: ['list'] } })).toThrow(/locales\/en.json: a must be an object of messages/);
    expect(() => catalogOf({ 'de.json': { a: 'x' } })).toThrow(/en.json is missing/);
  });

  it('reads the real files from locales/', () => {
    expect(LOCALES_DIR.endsWith(`${path.sep}locales${path.sep}`)).toBe(true);
  });
});
