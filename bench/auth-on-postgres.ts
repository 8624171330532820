/**
 * What the PostgreSQL bursts (bench:contention, bench:login-burst) share: the functions as
 * deployed (DATABASE_URL, the engine in-process) on a database of their own, the schema applied,
 * emails caught on their way out (these benches measure the database, not a mail server), and
 * verified members registered through the real endpoints.
 */

import type { Context } from '@netlify/functions';
import type { OutgoingEmail } from '../shared/auth/context.ts';
import type { ContextFactory, NetlifyHandler } from '../shared/endpoint.ts';
import { SITE } from './requests.ts';

export const PASSWORD = 'correct horse battery staple';

export interface AuthFunctions {
  readonly register: NetlifyHandler;
  readonly login: NetlifyHandler;
  readonly verify: NetlifyHandler;
  /** Closes the functions' database clients. */
  readonly close: () => Promise<void>;
}

/** A JSON POST to a function, as a browser on SITE from `ip` sends it. */
export function post(handler: NetlifyHandler, path: string, body: unknown, ip: string, cookie = ''): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json', origin: SITE };
  if (cookie) headers.cookie = cookie;
  const req = new Request(`${SITE}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  return handler(req, { params: {}, ip } as unknown as Context);
}

let verifyTokens: string[] = [];

/**
 * The functions on `databaseUrl`, with the schema applied. They read their configuration once,
 * from the environment, so it is set before they load: one database per process.
 */
export async function authFunctionsOn(databaseUrl: string): Promise<AuthFunctions> {
  Object.assign(process.env, {
    FQL_AUTH_DEV: '1',
    DATABASE_URL: databaseUrl,
    FAUNA_SECRET: 'bench-admin-secret',
    URL: SITE,
    EMAILS_PER_ADDRESS_PER_HOUR: '1000',
    EMAIL_MIN_INTERVAL_SECONDS: '0',
    EMAILS_PER_IP_PER_HOUR: '10000',
  });
  const { runSchemaCommand } = await import('../fauna-schema/cli.ts');
  const { processContext } = await import('../shared/endpoint.ts');
  const { closeFaunaClients } = await import('../shared/fql/client.ts');
  const { default: registerFn } = await import('../functions/register.ts');
  const { default: loginFn } = await import('../functions/login.ts');
  const { default: verifyFn } = await import('../functions/verify.ts');
  if ((await runSchemaCommand(process.env, { out: () => {}, err: (l) => console.error(l) })) !== 0) throw new Error('the schema could not be applied');
  const catchEmails: ContextFactory = (req, netlify) => {
    const ctx = processContext(req, netlify);
    const sendEmail = async (email: OutgoingEmail): Promise<void> => {
      if (email.kind === 'verify' && email.token !== undefined) verifyTokens.push(email.token);
    };
    return { ...ctx, auth: { ...ctx.auth, sendEmail } };
  };
  return {
    register: registerFn.withContext(catchEmails),
    login: loginFn.withContext(catchEmails),
    verify: verifyFn.withContext(catchEmails),
    close: closeFaunaClients,
  };
}

/**
 * `member0@example.com` … `member{count-1}@example.com`, registered and verified from one IP.
 * Each verification carries its registration's signup cookie, so the password stays.
 */
export async function registerVerifiedMembers(fns: AuthFunctions, count: number, ip: string): Promise<void> {
  verifyTokens = [];
  const cookies: string[] = [];
  for (let i = 0; i < count; i++) {
    const registered = await post(fns.register, '/api/auth/register', { email: `member${i}@example.com`, password: PASSWORD }, ip);
    cookies.push(registered.headers.getSetCookie().map((line) => line.split(';')[0]).join('; '));
  }
  if (verifyTokens.length !== count) throw new Error(`expected ${count} verification emails, caught ${verifyTokens.length}`);
  for (const [i, token] of verifyTokens.entries()) await post(fns.verify, '/api/auth/verify', { token }, ip, cookies[i]);
}
