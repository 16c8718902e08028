// What pino blanks out of every log line, at the top level and one or two levels down (fast-redact paths have no
// recursive wildcard). The code never logs these values on purpose; this catches the day someone logs a whole object.

/** Field names whose values are credentials or bearer secrets wherever they appear. */
const SECRET_FIELDS = [
  'password',
  'new_password',
  'client_secret',
  'secret',
  'secrets',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'logout_token',
  'code_verifier',
  'client_assertion',
  'assertion',
  'authorization',
  'cookie',
  'cookies',
  'set-cookie',
  'csrf',
  'private_jwk',
  'privateJwk',
  'key_encryption_key',
  'keyEncryptionKey',
] as const;

/** `code` is also the name of error codes (kept in logs), so only where it is an OAuth parameter. */
const CODE_PATHS = ['code', 'params.code', 'body.code', 'query.code', 'req.query.code', 'req.body.code'];

function pathsFor(field: string): string[] {
  const key = /^[A-Za-z_$][\w$]*$/.test(field) ? field : `["${field}"]`;
  const join = (prefix: string) => (key.startsWith('[') ? `${prefix}${key}` : `${prefix}.${key}`);
  return [key.startsWith('[') ? key : field, join('*'), join('*.*')];
}

export const REDACTED_PATHS: readonly string[] = [...SECRET_FIELDS.flatMap(pathsFor), ...CODE_PATHS];
