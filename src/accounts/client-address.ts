import { isIPv4, isIPv6 } from 'node:net';

/**
 * The address that sign-in throttling counts for a client: IPv4 as is, IPv6 by its /64 prefix (one subscriber gets a
 * whole /64 and could otherwise take a fresh address for every guess), IPv4-mapped IPv6 as IPv4. Anything else
 * (a garbled X-Forwarded-For) is counted as the string it is.
 */
export function throttledAddress(ip: string): string {
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip)?.[1];
  if (mapped && isIPv4(mapped)) return mapped;
  if (!isIPv6(ip)) return ip;
  return `${expandIPv6(ip).slice(0, 4).join(':')}::/64`;
}

/** The eight hextets of an IPv6 address (zone index dropped, an embedded IPv4 tail kept as two hextets). */
function expandIPv6(ip: string): string[] {
  const [address = ''] = ip.toLowerCase().split('%');
  const [head = '', tail] = address.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').flatMap(hextetsOf));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  const zeros = Array.from({ length: 8 - left.length - right.length }, () => '0');
  return [...left, ...zeros, ...right].map((hextet) => hextet.replace(/^0+(?=.)/, ''));
}

function hextetsOf(part: string): string[] {
  if (!part.includes('.')) return [part];
  const octets = part.split('.').map(Number);
  return [(((octets[0] ?? 0) << 8) | (octets[1] ?? 0)).toString(16), (((octets[2] ?? 0) << 8) | (octets[3] ?? 0)).toString(16)];
}
