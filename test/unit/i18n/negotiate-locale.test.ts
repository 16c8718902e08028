import { describe, expect, it } from 'vitest';
import { negotiateLocale, parseAcceptLanguage } from '../../../src/i18n/negotiate-locale.ts';

const AVAILABLE = ['en', 'de', 'fr', 'pt-BR'];
const pick = (preferences: { uiLocales?: unknown; acceptLanguage?: string }) => negotiateLocale(AVAILABLE, preferences, 'en');

describe('negotiateLocale', () => {
  it('takes the first ui_locales tag it has, before Accept-Language', () => {
    expect(pick({ uiLocales: 'ja fr de', acceptLanguage: 'de' })).toBe('fr');
  });

  it('matches a regional tag to its language, and an exact regional file first', () => {
    expect(pick({ uiLocales: 'de-AT' })).toBe('de');
    expect(pick({ uiLocales: 'PT-br' })).toBe('pt-BR');
    expect(pick({ acceptLanguage: 'fr-CA' })).toBe('fr');
  });

  it('orders Accept-Language by weight, keeping header order for equal weights', () => {
    expect(pick({ acceptLanguage: 'ja;q=1, de;q=0.3, fr;q=0.7' })).toBe('fr');
    expect(pick({ acceptLanguage: 'de, fr' })).toBe('de');
  });

  it('falls back to English for nothing usable', () => {
    expect(pick({})).toBe('en');
    expect(pick({ uiLocales: 42, acceptLanguage: '*, de;q=0' })).toBe('en');
    expect(pick({ uiLocales: '', acceptLanguage: 'ja, zh;q=0.5' })).toBe('en');
  });
});

describe('parseAcceptLanguage', () => {
  it('drops malformed tags, wildcards and q=0', () => {
    expect(parseAcceptLanguage('de-DE;q=0.9, <script>, *;q=0.5, en;q=0, fr ; q=0.95')).toEqual(['fr', 'de-DE']);
  });
});
