import { describe, expect, it } from 'vitest';
import { createValueSigner } from '../../../src/account-page/signed-value.ts';

const OLD = 'o'.repeat(32);
const NEW = 'n'.repeat(32);

describe('createValueSigner', () => {
  it('verifies what it signed, under any configured secret, and only for the same purpose', () => {
    const signed = createValueSigner(() => [OLD], 'session').sign({ sub: 'a' });
    expect(createValueSigner(() => [NEW, OLD], 'session').verify(signed)).toEqual({ sub: 'a' });
    expect(createValueSigner(() => [NEW], 'session').verify(signed)).toBeUndefined();
    expect(createValueSigner(() => [OLD], 'sign-in').verify(signed)).toBeUndefined();
  });

  it('refuses a changed body, a missing signature and garbage', () => {
    const signer = createValueSigner(() => [NEW], 'session');
    const [, signature] = signer.sign({ sub: 'a' }).split('.');
    expect(signer.verify(`${Buffer.from('{"sub":"b"}').toString('base64url')}.${signature}`)).toBeUndefined();
    expect(signer.verify(Buffer.from('{"sub":"a"}').toString('base64url'))).toBeUndefined();
    expect(signer.verify('a.b.c')).toBeUndefined();
    expect(signer.verify(undefined)).toBeUndefined();
  });
});
