// What the sign-in page tells a person. One message for unknown email, wrong password and disabled account, so the
// page never tells which it was; throttling is keyed by the typed email whether or not it exists, so it tells nothing either.

export const SIGN_IN_FAILED = 'The email or password is not right. Check them and try again.';

/** The message for a throttled attempt, with the wait rounded up to what a person reads easily. */
export function tooManyAttempts(retryAfterSeconds: number): string {
  return `Too many sign-in attempts. For your security, wait ${describeWait(retryAfterSeconds)} before trying again.`;
}

function describeWait(seconds: number): string {
  if (seconds <= 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.ceil(seconds / 60);
  return minutes === 1 ? '1 minute' : `${minutes} minutes`;
}
