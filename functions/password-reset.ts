/** /api/auth/password/reset — GET checks the link and shows the new-password form (nothing spent); POST spends it. */
import type { Config as FunctionConfig } from '@netlify/functions';
import { resetPassword } from '../shared/auth/passwords.ts';
import { linkPage } from '../shared/auth/pages.ts';
import { clearingCookies } from '../shared/auth/web.ts';
import { endpoint } from '../shared/endpoint.ts';
import { json, readBody, seeOther } from '../shared/http.ts';

export default endpoint({
  GET: (req, ctx) =>
    linkPage(ctx.auth, req, 'reset', () => ({
      ...resetPageWording(new URL(req.url).searchParams),
      action: '/api/auth/password/reset',
      button: 'Set the new password',
      passwordField: { name: 'password', label: 'New password', minLength: ctx.config.passwordMinLength },
    })),
  POST: async (req, ctx) => {
    const { kind, data } = await readBody(req);
    await resetPassword(ctx.auth, data);
    // Every session ended, this browser's too: its cookies go with it (docs/API.md).
    const cleared = { headers: clearingCookies(ctx.config) };
    return kind === 'form' ? seeOther(`${ctx.config.siteUrl}/?password_reset=1`, cleared) : json(200, { status: 'password_reset' }, cleared);
  },
});

/** verified=1: a verification from another browser than the one that registered dropped the password; secured=1: "this wasn't me" did. */
function resetPageWording(params: URLSearchParams): { title: string; intro: string } {
  if (params.get('verified') === '1') {
    return {
      title: 'Choose a password',
      intro:
        'Your email address is confirmed. This account was registered from another browser, so its password was not kept: choose the password you will log in with.',
    };
  }
  if (params.get('secured') === '1') {
    return {
      title: 'Choose a new password',
      intro: 'Every session of your account was logged out and its password removed. Choose a new password to log in again.',
    };
  }
  return { title: 'Choose a new password', intro: 'Enter a new password for your account. Every session of the account will be logged out.' };
}

export const config: FunctionConfig = { path: '/api/auth/password/reset' };
