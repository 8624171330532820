/** The account as its user sees it (GET /api/auth/user) and what they may change of it (PATCH). */

import { runQuery } from '../fql/run-query.ts';
import { freshUserQuery, setUserMetadataQuery, type Caller, type FreshUser } from '../fql/users.ts';
import { checkMetadata } from './metadata.ts';
import type { AuthContext } from './context.ts';

/** The account read now, while the caller's session is live (401 unauthenticated once it is not). */
export async function freshUser(ctx: AuthContext, caller: Caller): Promise<FreshUser> {
  return runQuery<FreshUser>(ctx.db, freshUserQuery(caller));
}

/** `userMetadata` replaces the user's metadata whole; nothing else of the account is theirs to set here. */
export async function updateUserMetadata(ctx: AuthContext, caller: Caller, body: Readonly<Record<string, unknown>>): Promise<FreshUser> {
  const metadata = checkMetadata(body.userMetadata, 'userMetadata');
  return runQuery<FreshUser>(ctx.db, setUserMetadataQuery(caller, metadata));
}
