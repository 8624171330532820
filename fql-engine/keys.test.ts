import { describe, expect, it } from 'vitest';
import { makeSecret, parseSecret } from './keys.ts';

describe('parseSecret', () => {
  it('finds where a secret it made lives', () => {
    expect(parseSecret(makeSecret({ db: '916314020826192363', kind: 'keys', id: '42' }))).toEqual({ db: '916314020826192363', kind: 'keys', id: '42' });
    expect(parseSecret(makeSecret({ db: 'root', kind: 'tokens', id: '7' }))).toEqual({ db: 'root', kind: 'tokens', id: '7' });
  });

  it('refuses a secret whose database is no database id, before storage sees it', () => {
    // 'AAAA' is three NUL bytes: PostgreSQL refuses them in text, which was a 500 instead of a 401.
    expect(parseSecret('fnAAAA.k1.nope')).toBeNull();
    expect(parseSecret(`fn${Buffer.from('../x').toString('base64url')}.k1.nope`)).toBeNull();
  });
});
