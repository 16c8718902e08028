// Regenerates config/schema/*.schema.json from the zod schemas, for editors (yaml-language-server) to validate and complete
// the config files. `--check` exits 1 instead of writing when a file is stale (for CI).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { clientsFileSchema } from '../src/config/clients-schema.ts';
import { serverFileSchema } from '../src/config/server-schema.ts';

const SCHEMA_DIR = path.join(import.meta.dirname, '..', 'config', 'schema');
const INTERPOLATION = { type: 'string', pattern: String.raw`\$\{`, description: 'An environment reference, ${NAME} or ${NAME:-default}.' };

const outputs = [
  { file: 'latchkey.schema.json', title: 'Latchkey server configuration (config/latchkey.yaml)', schema: serverFileSchema },
  { file: 'clients.schema.json', title: 'Latchkey clients and resources (config/clients.yaml)', schema: clientsFileSchema },
];

/** The JSON Schema of the file as written (input side), also accepting `${VAR}` where a number or boolean is expected. */
function toJsonSchema(schema: z.ZodType, title: string): string {
  const json = z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' });
  return `${JSON.stringify(acceptInterpolation({ ...json, title }), null, 2)}\n`;
}

function acceptInterpolation(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(acceptInterpolation);
  if (typeof node !== 'object' || node === null) return node;
  const copy = Object.fromEntries(Object.entries(node).map(([key, value]) => [key, acceptInterpolation(value)]));
  const { type, default: fallback, description, ...rest } = copy;
  if (type !== 'integer' && type !== 'number' && type !== 'boolean') return copy;
  return { description, default: fallback, anyOf: [{ type, ...rest }, INTERPOLATION] };
}

const check = process.argv.includes('--check');
let stale = false;
for (const { file, title, schema } of outputs) {
  const target = path.join(SCHEMA_DIR, file);
  const text = toJsonSchema(schema, title);
  if (!check) writeFileSync(target, text);
  else if (readFileSync(target, 'utf8') !== text) {
    stale = true;
    console.error(`${path.relative(process.cwd(), target)} is stale; run npm run schema`);
  }
}
if (stale) process.exitCode = 1;
