/**
 * "Chrome on Linux" for a session's stored User-Agent, parsed with bowser (MIT, kept up to date
 * with new browsers): people recognise their devices by browser and system, not by the raw
 * string. A string bowser does not recognise (a script, a bot) is shown as it is.
 */

import Bowser from 'bowser';

export function describeUserAgent(userAgent: string): string {
  if (userAgent.trim() === '') return 'Unknown browser';
  const parsed = Bowser.parse(userAgent);
  const browser = parsed.browser.name;
  const os = parsed.os.name;
  if (browser && os) return `${browser} on ${os}`;
  return browser || os || userAgent;
}
