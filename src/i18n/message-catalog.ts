import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { basename, join } from 'node:path';
import { negotiateLocale } from './negotiate-locale.ts';

export const LOCALES_DIR = fileURLToPath(new URL('../../locales/', import.meta.url));
export const FALLBACK_LOCALE = 'en';

/** Parameters of a message: `{name}` in the text is replaced by `params.name`. */
export type MessageParams = Record<string, string | number>;

/** The messages of one language, with English behind every key it lacks. */
export interface Translator {
  /** The BCP 47 tag of the language chosen, for `<html lang>`. */
  lang: string;
  dir: 'ltr' | 'rtl';
  /** The text of `key` (English when this language lacks it; the key itself when English lacks it too). */
  t(key: string, params?: MessageParams): string;
  /** Like t, as HTML: the text escaped, each parameter escaped and wrapped in <strong>, for emphasis in a sentence. */
  emphasize(key: string, params: MessageParams): string;
}

const RTL_LANGUAGES = new Set(['ar', 'fa', 'he', 'ur']);

/**
 * Every message file of locales/, read and checked once at boot: a file that is not a JSON object of strings stops
 * startup, not a request.
 */
export function createMessageCatalog(dir: string = LOCALES_DIR) {
  const catalogs = new Map<string, ReadonlyMap<string, string>>();
  for (const file of readdirSync(dir).filter((name) => name.endsWith('.json'))) {
    catalogs.set(basename(file, '.json'), flatten(JSON.parse(readFileSync(join(dir, file), 'utf8')) as unknown, file));
  }
  const fallback = catalogs.get(FALLBACK_LOCALE);
  if (!fallback) throw new Error(`${join(dir, `${FALLBACK_LOCALE}.json`)} is missing: English is every page's fallback`);
  const locales = [...catalogs.keys()];
  const translators = new Map(locales.map((locale) => [locale, buildTranslator(locale, catalogs.get(locale) ?? fallback, fallback)]));

  return {
    locales,
    /** The messages of `locale`, English when there is no such file. */
    translator(locale: string): Translator {
      return translators.get(locale) ?? (translators.get(FALLBACK_LOCALE) as Translator);
    },
    /** The language a request asks for: the client's ui_locales first, then Accept-Language, then English. */
    negotiate(preferences: { uiLocales?: unknown; acceptLanguage?: string | undefined }): Translator {
      return this.translator(negotiateLocale(locales, preferences, FALLBACK_LOCALE));
    },
    /** The flattened keys of one language, for checks. */
    keysOf(locale: string): string[] {
      return [...(catalogs.get(locale)?.keys() ?? [])];
    },
  };
}

export type MessageCatalog = ReturnType<typeof createMessageCatalog>;

function buildTranslator(lang: string, messages: ReadonlyMap<string, string>, fallback: ReadonlyMap<string, string>): Translator {
  const lookup = (key: string) => messages.get(key) ?? fallback.get(key) ?? key;
  return {
    lang,
    dir: RTL_LANGUAGES.has(lang.split('-')[0] ?? '') ? 'rtl' : 'ltr',
    t: (key, params = {}) => lookup(key).replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole)),
    emphasize: (key, params) =>
      lookup(key)
        .split(/(\{\w+\})/)
        .map((part) => {
          const name = /^\{(\w+)\}$/.exec(part)?.[1];
          if (name !== undefined && name in params) return `<strong>${escapeHtml(String(params[name]))}</strong>`;
          return escapeHtml(part);
        })
        .join(''),
  };
}

/** Nested objects become dotted keys: { login: { title: "…" } } → "login.title". */
function flatten(node: unknown, file: string, prefix = '', into = new Map<string, string>()): Map<string, string> {
  if (typeof node !== 'object' || node === null || Array.isArray(node)) {
    throw new Error(`locales/${file}: ${prefix || 'the file'} must be an object of messages`);
  }
  for (const [key, value] of Object.entries(node)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') into.set(path, value);
    else flatten(value, file, path, into);
  }
  return into;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
