/** A request about accounts that cannot be carried out; the message is safe to show to the operator. */
export class AccountError extends Error {
  readonly code: 'email_taken' | 'not_found' | 'weak_password' | 'invalid_email';

  constructor(code: AccountError['code'], message: string) {
    super(message);
    this.name = 'AccountError';
    this.code = code;
  }
}
