/** /api/auth/password/reset — GET shows the new-password form (the token is not spent); POST spends it. */
import type { Config as FunctionConfig } from '@netlify/functions';
import { resetPassword } from '../shared/auth/passwords.ts';
import { answerLinkForm, tokenPage } from '../shared/auth/pages.ts';
import { clearingCookies } from '../shared/auth/web.ts';
import { endpoint } from '../shared/endpoint.ts';

export default endpoint({
  GET: (req, ctx) =>
    tokenPage(req, {
      // verified=1: a verification from another browser than the one that registered dropped the password.
      ...(new URL(req.url).searchParams.get('verified') === '1'
        ? { title: 'Choose a password', intro: 'Your email address is confirmed. This account was registered from another browser, so its password was not kept: choose the password you will log in with.' }
        : { title: 'Choose a new password', intro: 'Enter a new password for your account. Every session of the account will be logged out.' }),
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

export const config: FunctionConfig = { path: '/api/auth/password/reset' };
