/**
 * `npm run admin -- <command>`: roles and app metadata of an account, decided by whoever runs the
 * site (never its users), against the database the functions use (DATABASE_URL, or FAUNA_ENDPOINT
 * with FAUNA_SECRET, as `npm run schema`).
 *
 *   npm run admin -- grant alice@example.com admin
 *   npm run admin -- revoke alice@example.com admin
 *   npm run admin -- show alice@example.com
 *   npm run admin -- app-metadata alice@example.com '{"plan":"pro"}'
 *   npm run admin -- invite bob@example.com
 *
 * A role change shows in the user's access token at its next refresh (within
 * ACCESS_TOKEN_TTL_SECONDS), and at once to requireFreshSession and GET /api/auth/user.
 * `invite` emails an invitation (as POST /api/admin/invitations does), through the configured
 * Postmark (next to `npm run dev`, its mailbox).
 */

import { pathToFileURL } from 'node:url';
import type faunadb from 'faunadb';
import type { AuthContext } from '../shared/auth/context.ts';
import { invite, type Invitation } from '../shared/auth/invitations.ts';
import { accountOf, grantRole, revokeRole, setAppMetadata } from '../shared/auth/roles.ts';
import { ConfigError, loadConfig } from '../shared/config.ts';
import { emailSender } from '../shared/email.ts';
import { HttpError } from '../shared/errors.ts';
import { closeFaunaClients, describeFaunaTarget, faunaClient } from '../shared/fql/client.ts';
import type { FreshUser } from '../shared/fql/users.ts';
import { randomToken } from '../shared/tokens.ts';
import { normalizeEmail } from '../shared/validation.ts';

export const ADMIN_USAGE = [
  'usage: npm run admin -- grant <email> <role>',
  '       npm run admin -- revoke <email> <role>',
  '       npm run admin -- show <email>',
  "       npm run admin -- app-metadata <email> '<json object>'",
  '       npm run admin -- invite <email>',
].join('\n');

export interface AdminIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

/** A command's work, and the lines it prints. */
type Command = (ctx: AuthContext, email: string, arg: string | undefined) => Promise<readonly string[]>;

const COMMANDS: Readonly<Record<string, { readonly args: number; readonly run: Command }>> = {
  grant: { args: 3, run: async (ctx, email, role) => describeUser(await grantRole(ctx, { email }, role ?? '')) },
  revoke: { args: 3, run: async (ctx, email, role) => describeUser(await revokeRole(ctx, { email }, role ?? '')) },
  show: { args: 2, run: async (ctx, email) => describeUser(await accountOf(ctx, { email })) },
  'app-metadata': { args: 3, run: async (ctx, email, json) => describeUser(await setAppMetadata(ctx, { email }, parseJson(json ?? ''))) },
  invite: { args: 2, run: async (ctx, email) => describeInvitation(await invite(ctx, null, { email })) },
};

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError('invalid_body', { message: 'The app metadata must be a JSON object, e.g. \'{"plan":"pro"}\'.' });
  }
}

function describeUser(user: FreshUser): string[] {
  return [
    `${user.email} (account ${user.id}${user.emailVerified ? '' : ', address not verified'})`,
    `  roles: ${user.roles.length === 0 ? 'none' : user.roles.join(', ')}`,
    `  app metadata: ${JSON.stringify(user.appMetadata)}`,
  ];
}

function describeInvitation(invitation: Invitation): string[] {
  return [`invited ${invitation.email} (invitation ${invitation.id}); the link expires at ${invitation.expiresAt}`];
}

/** Runs one command with this environment; resolves to the process exit code. */
/** `client` stands in for the configured database's (a test's own database). */
export async function runAdminCommand(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  io: AdminIo,
  client?: faunadb.Client,
): Promise<number> {
  const [name, rawEmail, arg] = argv;
  const command = name === undefined ? undefined : COMMANDS[name];
  if (command === undefined || argv.length !== command.args) {
    io.err(ADMIN_USAGE);
    return 2;
  }
  // The command signs no token, and only `invite` sends an email: of the configuration the
  // database and the mailer matter. Next to `npm run dev` those are the local engine with its
  // development secret and the local mailbox, so
  // development is assumed unless the environment declares otherwise (NODE_ENV=production or
  // CONTEXT=production still wins, and then every required variable must be set).
  const configEnv = { FQL_AUTH_DEV: '1', ...env };
  try {
    const config = loadConfig(configEnv);
    const ctx: AuthContext = {
      config,
      db: { client: client ?? faunaClient(config), deadlineMs: config.queryTimeoutMs, operation: `npm run admin ${name}` },
      randomToken,
      sendEmail: emailSender(config),
    };
    for (const line of await command.run(ctx, normalizeEmail(rawEmail), arg)) io.out(line);
    return 0;
  } catch (err) {
    if (err instanceof HttpError && err.code === 'not_found')
      io.err(`admin: there is no account for ${rawEmail} in ${describeFaunaTarget(loadConfig(configEnv))}.`);
    else if (err instanceof HttpError || err instanceof ConfigError) io.err(`admin: ${err.message}`);
    else io.err(`admin: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  } finally {
    await closeFaunaClients();
  }
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runAdminCommand(process.argv.slice(2), process.env, { out: (l) => console.log(l), err: (l) => console.error(l) });
}
