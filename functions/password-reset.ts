/** /api/auth/password/reset — GET checks the link and shows the new-password form (nothing spent); POST spends it. */
import type { Config as FunctionConfig } from '@netlify/functions';
import { resetPassword } from '../shared/auth/passwords.ts';
import { linkPage } from '../shared/auth/pages.ts';
import { authContext, clearingCookies } from '../shared/auth/web.ts';
import { config as appConfig } from '../shared/config.ts';
import { endpoint, json, readBody, seeOther } from '../shared/http.ts';

export default endpoint({
  GET: (req) =>
    linkPage(authContext(appConfig()), req, 'reset', () => ({
      title: 'Choose a new password',
      intro: 'Enter a new password for your account. Every session of the account will be logged out.',
      action: '/api/auth/password/reset',
      button: 'Set the new password',
      passwordField: { name: 'password', label: 'New password', minLength: appConfig().passwordMinLength },
    })),
  POST: async (req) => {
    const { kind, data } = await readBody(req);
    const cfg = appConfig();
    await resetPassword(authContext(cfg), data);
    // Every session ended, this browser's too: its cookies go with it (docs/API.md).
    const cleared = { headers: clearingCookies(cfg) };
    return kind === 'form' ? seeOther(`${cfg.siteUrl}/?password_reset=1`, cleared) : json(200, { status: 'password_reset' }, cleared);
  },
});

export const config: FunctionConfig = { path: '/api/auth/password/reset' };
