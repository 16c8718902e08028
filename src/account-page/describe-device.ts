/** The browser and operating system a User-Agent names, as people call them; undefined parts were not recognised. */
export interface DeviceDescription {
  browser: string | undefined;
  os: string | undefined;
}

// Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari", iPadOS and iOS also say "Mac OS X".
const BROWSERS: readonly [RegExp, string][] = [
  [/\bEdg(?:e|A|iOS)?\//, 'Edge'],
  [/\b(?:OPR|Opera)\//, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\b(?:Firefox|FxiOS)\//, 'Firefox'],
  [/\b(?:HeadlessChrome|Chrome|CriOS|Chromium)\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
];

const SYSTEMS: readonly [RegExp, string][] = [
  [/\biPhone\b/, 'iPhone'],
  [/\biPad\b/, 'iPad'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
];

/** Reads a User-Agent header well enough for a person to recognise their own devices; no more is needed or trusted. */
export function describeDevice(userAgent: string | undefined): DeviceDescription {
  if (!userAgent) return { browser: undefined, os: undefined };
  return {
    browser: BROWSERS.find(([pattern]) => pattern.test(userAgent))?.[1],
    os: SYSTEMS.find(([pattern]) => pattern.test(userAgent))?.[1],
  };
}
