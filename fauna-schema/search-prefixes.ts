/**
 * The admin search reads `data.email_prefixes` (index accounts_by_email_prefix), which accounts
 * get when they are created. Accounts made before that index existed have none: when apply.ts
 * creates the index, this gives them theirs, a page of accounts per transaction.
 */

import faunadb from 'faunadb';
import { emailPrefixes } from '../shared/fql/fragments.ts';

const q = faunadb.query;
const PAGE = 200;

export const SEARCH_INDEX = 'accounts_by_email_prefix';

/** Fills in the prefixes of every account with an address and none; answers how many. */
export async function backfillEmailPrefixes(client: faunadb.Client): Promise<number> {
  let after: faunadb.ExprArg | null = null;
  let filled = 0;
  do {
    const options: { size: number; after?: faunadb.ExprArg } = after === null ? { size: PAGE } : { size: PAGE, after };
    const page: { after: faunadb.ExprArg | null; filled: number } = await client.query(
      q.Let(
        { page: q.Paginate(q.Documents(q.Collection('accounts')), options) },
        {
          after: q.Select('after', q.Var('page'), null),
          filled: q.Count(
            q.Filter(
              q.Map(
                q.Select('data', q.Var('page')),
                q.Lambda(
                  'ref',
                  q.Let(
                    { email: q.Select(['data', 'email'], q.Get(q.Var('ref')), null), has: q.ContainsPath(['data', 'email_prefixes'], q.Get(q.Var('ref'))) },
                    q.If(
                      q.Or(q.IsNull(q.Var('email')), q.Var('has')),
                      false,
                      q.Do(q.Update(q.Var('ref'), { data: { email_prefixes: emailPrefixes(q.Var('email')) } }), true),
                    ),
                  ),
                ),
              ),
              q.Lambda('done', q.Var('done')),
            ),
          ),
        },
      ),
    );
    filled += page.filled;
    after = page.after;
  } while (after !== null);
  return filled;
}
