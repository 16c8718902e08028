// Every hosted page speaks the person's language: the client's ui_locales first, then Accept-Language, then English.
import { describe, expect, it } from 'vitest';
import { databaseTargets } from '../support/database-targets.ts';
import { useTestServer } from '../support/use-test-server.ts';
import { createTestUser, spaClient } from '../support/fixtures.ts';
import { BrowserSession, loginErrorOf, pageKind } from '../support/browser-session.ts';
import { headingOf } from '../support/html-forms.ts';
import { buildAuthorization, discoverClient } from '../support/relying-party.ts';
import { requirePage, signInToAccount } from '../support/account-page.ts';

const redirectUri = spaClient.redirect_uris[0];

describe.each(databaseTargets())('languages ($name database)', (target) => {
  const server = useTestServer({ target, clients: [spaClient] });

  async function loginPage(extra: Record<string, string>, headers: Record<string, string> = {}) {
    const config = await discoverClient(server(), spaClient);
    const pending = await buildAuthorization(config, { redirectUri, scope: 'openid email', extra });
    const browser = new BrowserSession(server().issuer, { headers });
    return { browser, page: requirePage(await browser.visit(pending.url), 'opening the login page') };
  }

  it('shows the sign-in and consent pages in the language of ui_locales, even over Accept-Language', async () => {
    const user = await createTestUser(server());
    const { browser, page } = await loginPage({ ui_locales: 'de-CH fr' }, { 'accept-language': 'fr-FR,fr;q=0.9' });
    expect(page.html).toContain('<html lang="de"');
    expect(page.html).toContain('<label for="password">Passwort</label>');

    const failed = requirePage(await browser.submitLogin(page, user.email, 'wrong password'), 'signing in wrongly');
    expect(loginErrorOf(failed)).toBe('E-Mail-Adresse oder Passwort stimmen nicht. Bitte prüfen Sie beides und versuchen Sie es erneut.');
    const consent = requirePage(await browser.submitLogin(failed, user.email, user.password), 'signing in');
    expect(pageKind(consent)).toBe('consent');
    expect(consent.html).toContain('<html lang="de"');
    expect(consent.html).toContain('Ihre E-Mail-Adresse sehen');
    expect(consent.html).toContain('>Erlauben</button>');
  });

  it('falls back to Accept-Language by weight, then to English', async () => {
    expect((await loginPage({}, { 'accept-language': 'ja, fr;q=0.8, de;q=0.5' })).page.html).toContain('<html lang="fr"');
    expect((await loginPage({ ui_locales: 'ja' }, { 'accept-language': 'de;q=0.1, fr;q=0' })).page.html).toContain('<html lang="de"');
    const english = (await loginPage({ ui_locales: 'ja' }, { 'accept-language': 'ja' })).page;
    expect(english.html).toContain('<html lang="en"');
    expect(english.html).toContain('<label for="password">Password</label>');
  });

  it('translates oidc-provider’s error pages and the account page too', async () => {
    const config = await discoverClient(server(), spaClient);
    const pending = await buildAuthorization(config, { redirectUri: 'https://attacker.example.test/cb', scope: 'openid', extra: { ui_locales: 'fr' } });
    const error = requirePage(await new BrowserSession(server().issuer).visit(pending.url), 'a bad redirect_uri');
    expect(error.status).toBe(400);
    expect(headingOf(error.html)).toBe('Ce lien de connexion est mal configuré');

    const user = await createTestUser(server());
    const account = await signInToAccount(new BrowserSession(server().issuer, { headers: { 'accept-language': 'de' } }), server().issuer, user);
    expect(account.html).toContain('<html lang="de"');
    expect(headingOf(account.html)).toBe('Ihr Konto');
  });
});
