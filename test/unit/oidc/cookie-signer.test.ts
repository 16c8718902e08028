import { describe, expect, it } from 'vitest';
import { createCookieSigner } from '../../../src/oidc/cookie-signer.ts';

// Signatures Keygrip 1.1.0 (what koa's cookies used before) made for these inputs: cookies signed before the switch
// must still be accepted, and new ones must be what Keygrip would accept after a downgrade.
const NEWEST = 'first-secret-0123456789';
const OLDER = 'older-secret-9876543210';
const KEYGRIP_VECTORS = [
  { secret: NEWEST, data: '_session=abc123', signature: 'w_MlQ3lyf_e4Jxj9CSg6uVa0tqY' },
  { secret: OLDER, data: '_session=abc123', signature: 'b2aq4wLk5jjarlnazjs7AyR6BIQ' },
  { secret: NEWEST, data: 'ünïcode=✓', signature: 'zhWwus_IysT4APpVsMrBCgowPHw' },
];

describe('createCookieSigner', () => {
  it('signs with the newest secret as Keygrip does', () => {
    const signer = createCookieSigner([NEWEST, OLDER]);
    for (const vector of KEYGRIP_VECTORS.filter((entry) => entry.secret === NEWEST)) {
      expect(signer.sign(vector.data)).toBe(vector.signature);
    }
  });

  it('tells which secret signed a value, so cookies signed before a rotation stay valid', () => {
    const signer = createCookieSigner([NEWEST, OLDER]);
    expect(signer.index('_session=abc123', 'w_MlQ3lyf_e4Jxj9CSg6uVa0tqY')).toBe(0);
    expect(signer.index('_session=abc123', 'b2aq4wLk5jjarlnazjs7AyR6BIQ')).toBe(1);
    expect(signer.verify('_session=abc123', 'b2aq4wLk5jjarlnazjs7AyR6BIQ')).toBe(true);
  });

  it('refuses a changed value, a changed or truncated signature and a secret it no longer has', () => {
    const signer = createCookieSigner([NEWEST]);
    expect(signer.index('_session=abc124', 'w_MlQ3lyf_e4Jxj9CSg6uVa0tqY')).toBe(-1);
    expect(signer.index('_session=abc123', 'w_MlQ3lyf_e4Jxj9CSg6uVa0tqZ')).toBe(-1);
    expect(signer.index('_session=abc123', 'w_MlQ3lyf_e4Jxj9CSg6uVa0tq')).toBe(-1);
    expect(signer.index('_session=abc123', '')).toBe(-1);
    expect(signer.verify('_session=abc123', 'b2aq4wLk5jjarlnazjs7AyR6BIQ')).toBe(false);
  });

  it('refuses to exist without a secret: cookies are never left unsigned', () => {
    expect(() => createCookieSigner([])).toThrow(/at least one secret/);
  });
});
