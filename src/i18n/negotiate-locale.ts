/**
 * Picks the language of a page: the first of the client's `ui_locales` (OpenID Connect Core §3.1.2.1, a
 * space-separated list in order of preference) that we have, then the browser's Accept-Language (RFC 9110 §12.5.4)
 * by weight, then the fallback. A regional tag matches its language (de-AT → de).
 */
export function negotiateLocale(
  available: readonly string[],
  preferences: { uiLocales?: unknown; acceptLanguage?: string | undefined },
  fallback: string,
): string {
  const byLowerCase = new Map(available.map((locale) => [locale.toLowerCase(), locale]));
  const match = (tag: string): string | undefined => {
    const lower = tag.toLowerCase();
    return byLowerCase.get(lower) ?? byLowerCase.get(lower.split('-')[0] ?? '');
  };
  const uiLocales = typeof preferences.uiLocales === 'string' ? preferences.uiLocales.split(' ') : [];
  for (const tag of [...uiLocales, ...parseAcceptLanguage(preferences.acceptLanguage ?? '')]) {
    const found = tag ? match(tag) : undefined;
    if (found) return found;
  }
  return fallback;
}

/** The language tags of an Accept-Language header, highest weight first; `*` and q=0 are dropped. */
export function parseAcceptLanguage(header: string): string[] {
  return header
    .split(',')
    .slice(0, 20) // a header is short; a long one is not worth parsing whole
    .map((part, index) => {
      const [tag = '', ...parameters] = part.trim().split(';');
      const q = parameters.map((parameter) => /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/.exec(parameter)?.[1]).find(Boolean);
      return { tag: tag.trim(), weight: q === undefined ? 1 : Number(q), index };
    })
    .filter(({ tag, weight }) => weight > 0 && tag !== '*' && /^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$/.test(tag))
    .sort((a, b) => b.weight - a.weight || a.index - b.index)
    .map(({ tag }) => tag);
}
