/** /api/auth/password/reset — GET shows the new-password form (the token is not spent); POST spends it. */
import type { Config as FunctionConfig } from '@netlify/functions';
import { resetPassword } from '../shared/auth/passwords.ts';
import { answerLinkForm, tokenPage } from '../shared/auth/pages.ts';
import { clearingCookies } from '../shared/auth/web.ts';
import { endpoint } from '../shared/endpoint.ts';

export default endpoint({
  GET: (req, ctx) =>
    tokenPage(req, {
      ...resetPageWording(new URL(req.url).searchParams),
      action: '/api/auth/password/reset',
      button: 'Set the new password',
      passwordField: { name: 'password', label: 'New password', minLength: ctx.config.passwordMinLength },
    }),
  POST: (req, ctx) =>
    answerLinkForm(req, async (body) => {
      await resetPassword(ctx.auth, body);
      // Every session ended, this browser's too: its cookies go with it (docs/API.md).
      return { redirect: `${ctx.config.siteUrl}/?password_reset=1`, status: 200, json: { status: 'password_reset' }, headers: clearingCookies(ctx.config) };
    }),
});

/** verified=1: a verification from another browser than the one that registered dropped the password; secured=1: "this wasn't me" did. */
function resetPageWording(params: URLSearchParams): { title: string; intro: string } {
  if (params.get('verified') === '1') {
    return { title: 'Choose a password', intro: 'Your email address is confirmed. This account was registered from another browser, so its password was not kept: choose the password you will log in with.' };
  }
  if (params.get('secured') === '1') {
    return { title: 'Choose a new password', intro: 'Every session of your account was logged out and its password removed. Choose a new password to log in again.' };
  }
  return { title: 'Choose a new password', intro: 'Enter a new password for your account. Every session of the account will be logged out.' };
}

export const config: FunctionConfig = { path: '/api/auth/password/reset' };
