import { describe, expect, it } from 'vitest';
import { parseDuration } from '../../../src/config/duration.ts';

describe('parseDuration', () => {
  it.each([
    ['30s', 30],
    ['10m', 600],
    ['24h', 86_400],
    ['14d', 1_209_600],
    ['45', 45],
    [' 5m ', 300],
    [90, 90],
    ['0', 0],
  ])('reads %j as %i seconds', (input, seconds) => {
    expect(parseDuration(input)).toBe(seconds);
  });

  it.each(['', '1.5h', '10 m', '10min', '5w', '-3s', 'm', 'ten minutes'])(
    'rejects %j with the accepted formats',
    (input) => {
      expect(() => parseDuration(input)).toThrow(/invalid duration .*30s, 10m, 24h, 14d/);
    },
  );

  it.each([1.5, -1, Number.NaN, Number.POSITIVE_INFINITY])('rejects the number %d', (input) => {
    expect(() => parseDuration(input)).toThrow(RangeError);
  });

  it('rejects an amount too large to be exact', () => {
    expect(() => parseDuration('999999999999999999d')).toThrow(/invalid duration/);
  });
});
