import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PGlite } from '@electric-sql/pglite';
import { NotInlinable, fillTemplate, quoteLiteral } from './sql-literals.ts';

/** A statement template with its parameters quoted in, as pglite-tx.ts builds one. */
function inlineParams(sql: string, params: readonly unknown[]): string {
  return fillTemplate(sql, params.map(quoteLiteral));
}

describe('quoteLiteral', () => {
  it('quotes each type by its own rule', () => {
    expect(quoteLiteral(null)).toBe('NULL');
    expect(quoteLiteral(true)).toBe('TRUE');
    expect(quoteLiteral(42)).toBe('42');
    expect(quoteLiteral(-1.5)).toBe('(-1.5)');
    expect(quoteLiteral("it's")).toBe("'it''s'");
    expect(quoteLiteral(new Uint8Array([0, 255]))).toBe("'\\x00ff'::bytea");
  });

  it('refuses what it cannot write safely', () => {
    expect(() => quoteLiteral(Number.NaN)).toThrow(NotInlinable);
    expect(() => quoteLiteral('a\u0000b')).toThrow(NotInlinable);
    expect(() => quoteLiteral({})).toThrow(NotInlinable);
    expect(() => inlineParams('SELECT $2', [1])).toThrow(NotInlinable);
  });

  it('replaces $10 as the tenth parameter, not $1 followed by 0', () => {
    const params = Array.from({ length: 10 }, (_, i) => i + 1);
    expect(inlineParams('SELECT $1, $10', params)).toBe('SELECT 1, 10');
  });
});

describe('inlined literals in real Postgres (PGlite)', () => {
  let db: PGlite;
  beforeAll(async () => {
    db = await PGlite.create();
    await db.exec('CREATE TABLE t (s text, b bytea, n bigint, f double precision)');
  });
  afterAll(async () => db.close());

  const nasty = ["'; DROP TABLE t; --", 'back\\slash', "quote''s", '$1 $2', 'ünïcødé 🎉', "E'\\x41'", '\n\t\r'];

  it.each(nasty)('round-trips %j exactly, as data', async (text) => {
    const bytes = new Uint8Array([0, 1, 39, 92, 255]);
    await db.exec('DELETE FROM t');
    await db.exec(inlineParams('INSERT INTO t VALUES ($1, $2, $3, $4)', [text, bytes, -1795426099240000, -0.25]));
    const { rows } = await db.query<{ s: string; b: Uint8Array; n: number; f: number }>('SELECT * FROM t');
    expect(rows).toHaveLength(1);
    expect(rows[0].s).toBe(text);
    expect([...rows[0].b]).toEqual([...bytes]);
    expect(Number(rows[0].n)).toBe(-1795426099240000);
    expect(rows[0].f).toBe(-0.25);
  });
});
