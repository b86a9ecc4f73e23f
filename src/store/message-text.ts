// Wording of file problems: a damaged file may hold megabytes of JSON or names with newlines, and every
// message must still be one short line.

/** A JSON value for a one-line message, cut short if long (a damaged header may hold megabytes). */
export function brief(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** A name for a one-line message: quoted, with control characters escaped. */
export function quote(name: string): string {
  if (name.length > 80) name = `${name.slice(0, 77)}...`;
  // eslint-disable-next-line no-control-regex -- control characters are exactly what this escapes
  return `'${name.replace(/[\u0000-\u001f\u007f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`)}'`;
}
