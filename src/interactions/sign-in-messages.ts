import type { Translator } from '../i18n/message-catalog.ts';

// What the sign-in page tells a person, as message keys. One message for unknown email, wrong password and disabled
// account, so the page never tells which it was; throttling is keyed by the typed email whether or not it exists, so
// it tells nothing either.

/** A message of the sign-in page in the person's language. */
export type SignInMessage = (locale: Translator) => string;

export const SIGN_IN_FAILED: SignInMessage = (locale) => locale.t('login.failed');

/** Password hashing was at capacity: nothing was checked, the person only has to send the form again. */
export const SIGN_IN_BUSY: SignInMessage = (locale) => locale.t('login.busy');

/** The message for a throttled attempt, with the wait rounded up to what a person reads easily. */
export function tooManyAttempts(retryAfterSeconds: number): SignInMessage {
  return (locale) => locale.t('login.throttled', { wait: describeWait(locale, retryAfterSeconds) });
}

function describeWait(locale: Translator, seconds: number): string {
  if (seconds <= 1) return locale.t('login.waitOneSecond');
  if (seconds < 60) return locale.t('login.waitSeconds', { n: seconds });
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? locale.t('login.waitOneMinute') : locale.t('login.waitMinutes', { n: minutes });
}
