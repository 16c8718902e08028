// Just enough HTML reading for the hosted pages: their forms, hidden fields and a few elements' text.

/** A <form> as a browser would submit it: its resolved action and the fields it carries by itself. */
export interface HtmlForm {
  id: string | undefined;
  method: string;
  action: URL;
  /** Named <input> fields with their values (hidden fields such as the CSRF token). */
  fields: Record<string, string>;
}

/** Every form of the page, with actions resolved against the page URL. */
export function findForms(html: string, pageUrl: URL): HtmlForm[] {
  return [...html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)].map((match) => {
    const attributes = parseAttributes(match[1] ?? '');
    const fields: Record<string, string> = {};
    for (const input of (match[2] ?? '').matchAll(/<input\b([^>]*)>/gi)) {
      const inputAttributes = parseAttributes(input[1] ?? '');
      const name = inputAttributes['name'];
      if (name !== undefined) fields[name] = inputAttributes['value'] ?? '';
    }
    return {
      id: attributes['id'],
      method: (attributes['method'] ?? 'get').toLowerCase(),
      action: new URL(attributes['action'] ?? pageUrl.href, pageUrl),
      fields,
    };
  });
}

/** The form whose action path ends with `suffix`, or undefined. */
export function findFormByAction(html: string, pageUrl: URL, suffix: string): HtmlForm | undefined {
  return findForms(html, pageUrl).find((form) => form.action.pathname.endsWith(suffix));
}

/** The text of the element with this id (tags removed, entities decoded, whitespace collapsed), or undefined. */
export function textOfElementById(html: string, id: string): string | undefined {
  const match = new RegExp(`<(\\w+)\\b[^>]*\\bid="${escapeRegExp(id)}"[^>]*>([\\s\\S]*?)</\\1>`, 'i').exec(html);
  return match ? toText(match[2] ?? '') : undefined;
}

/** The text of the first <h1>, or undefined. */
export function headingOf(html: string): string | undefined {
  const match = /<h1\b[^>]*>([\s\S]*?)<\/h1>/i.exec(html);
  return match ? toText(match[1] ?? '') : undefined;
}

function toText(fragment: string): string {
  return decodeEntities(fragment.replace(/<[^>]*>/g, '')).replace(/\s+/g, ' ').trim();
}

function parseAttributes(source: string): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const match of source.matchAll(/([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g)) {
    const name = (match[1] ?? '').toLowerCase();
    attributes[name] = decodeEntities(match[2] ?? match[3] ?? match[4] ?? '');
  }
  return attributes;
}

function decodeEntities(text: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, body: string) => {
    if (body.startsWith('#x') || body.startsWith('#X')) return String.fromCodePoint(parseInt(body.slice(2), 16));
    if (body.startsWith('#')) return String.fromCodePoint(parseInt(body.slice(1), 10));
    return named[body.toLowerCase()] ?? entity;
  });
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
