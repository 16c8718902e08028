import type { LatchkeyConfig } from '../config/types.ts';

/** The brand colour as CSS custom properties, served as /assets/theme.css so pages need no inline style. */
export function buildThemeCss(ui: LatchkeyConfig['ui']): string {
  return `:root {\n  --lk-primary: ${ui.primaryColor};\n  --lk-primary-contrast: ${contrastingText(ui.primaryColor)};\n}\n`;
}

/** Black or white, whichever reads better on the colour (WCAG relative luminance). */
function contrastingText(hexColor: string): string {
  const hex = hexColor.replace('#', '');
  const full = hex.length === 3 ? [...hex].map((digit) => digit + digit).join('') : hex;
  const channels = [0, 2, 4].map((start) => parseInt(full.slice(start, start + 2), 16) / 255);
  const linear = channels.map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4));
  const luminance = 0.2126 * (linear[0] ?? 0) + 0.7152 * (linear[1] ?? 0) + 0.0722 * (linear[2] ?? 0);
  return luminance > 0.179 ? '#000000' : '#ffffff';
}
