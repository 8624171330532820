/**
 * Inlining parameters as SQL literals, for PGlite's simple-query path.
 *
 * Why: PGlite's parameterised `query()` makes six protocol round trips into WebAssembly per
 * statement (parse, describe, bind, describe, execute, sync); `exec()` makes two. Every
 * statement storage issues is one of sql-tx.ts's own templates, whose only `$n` are
 * placeholders, and every value is quoted here, by type, with nothing left to interpretation:
 * - strings: single-quoted, quotes doubled (standard_conforming_strings is on, so a
 *   backslash is just a backslash); a NUL cannot be stored in Postgres text at all, so a
 *   string holding one is refused (the caller falls back to a parameterised query, which
 *   reports Postgres' own error);
 * - numbers: only finite ones, written by JavaScript (digits, '.', 'e', sign);
 * - bytes: the hex bytea form; null, booleans: keywords.
 */

export class NotInlinable extends Error {}

export function quoteLiteral(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new NotInlinable('a number that is not finite');
    return value < 0 ? `(${String(value)})` : String(value);
  }
  if (typeof value === 'string') {
    if (value.includes('\u0000')) throw new NotInlinable('a string with a NUL character');
    return `'${value.replace(/'/g, "''")}'`;
  }
  if (value instanceof Uint8Array) return `'\\x${Buffer.from(value).toString('hex')}'::bytea`;
  throw new NotInlinable(`a parameter of type ${typeof value}`);
}

/** Replaces `$1`, `$2`… in a statement template with arguments already quoted by quoteLiteral. */
export function fillTemplate(sql: string, args: readonly string[]): string {
  return sql.replace(/\$(\d+)(?!\d)/g, (_, n: string) => {
    const index = Number(n) - 1;
    if (index < 0 || index >= args.length) throw new NotInlinable(`no parameter for $${n}`);
    return args[index];
  });
}
