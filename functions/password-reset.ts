/** /api/auth/password/reset — GET shows the new-password form (the token is not spent); POST spends it. */
import type { Config as FunctionConfig } from '@netlify/functions';
import { resetPassword } from '../shared/auth/passwords.ts';
import { answerLinkForm, tokenPage } from '../shared/auth/pages.ts';
import { authContext, clearingCookies } from '../shared/auth/web.ts';
import { config as appConfig } from '../shared/config.ts';
import { endpoint, json, readBody, seeOther } from '../shared/http.ts';

export default endpoint({
  GET: (req) =>
    tokenPage(req, {
      // verified=1: a verification from another browser than the one that registered dropped the password.
      ...(new URL(req.url).searchParams.get('verified') === '1'
        ? { title: 'Choose a password', intro: 'Your email address is confirmed. This account was registered from another browser, so its password was not kept: choose the password you will log in with.' }
        : { title: 'Choose a new password', intro: 'Enter a new password for your account. Every session of the account will be logged out.' }),
      action: '/api/auth/password/reset',
      button: 'Set the new password',
      passwordField: { name: 'password', label: 'New password', minLength: appConfig().passwordMinLength },
    }),
  POST: async (req) => {
    const { kind, data } = await readBody(req);
    const cfg = appConfig();
    return answerLinkForm(kind, async () => {
      await resetPassword(authContext(cfg), data);
      // Every session ended, this browser's too: its cookies go with it (API.md).
      const cleared = { headers: clearingCookies(cfg) };
      return kind === 'form' ? seeOther(`${cfg.siteUrl}/?password_reset=1`, cleared) : json(200, { status: 'password_reset' }, cleared);
    });
  },
});

export const config: FunctionConfig = { path: '/api/auth/password/reset' };
