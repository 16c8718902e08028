import { AccountError } from './account-errors.ts';
import { isCommonPassword } from './common-passwords.ts';

// argon2 takes any length, but hashing megabytes on request is a denial of service; NIST SP 800-63B asks for ≥ 64.
export const MAX_PASSWORD_LENGTH = 1024;

/** Which rule a new password breaks, if any; the pages and the CLI word it each their own way. */
export function passwordProblem(password: string, minLength: number): 'too_short' | 'too_long' | 'too_common' | undefined {
  if (password.length < minLength) return 'too_short';
  if (password.length > MAX_PASSWORD_LENGTH) return 'too_long';
  if (isCommonPassword(password)) return 'too_common';
  return undefined;
}

/** Throws AccountError('weak_password') with a message for the operator when the password breaks a rule. */
export function checkPasswordPolicy(password: string, minLength: number): void {
  const problem = passwordProblem(password, minLength);
  if (problem === 'too_short') throw new AccountError('weak_password', `The password must have at least ${minLength} characters.`);
  if (problem === 'too_long') throw new AccountError('weak_password', `The password must have at most ${MAX_PASSWORD_LENGTH} characters.`);
  if (problem === 'too_common') {
    throw new AccountError('weak_password', 'The password is one of the most common ones, which attackers try first. Choose another.');
  }
}
