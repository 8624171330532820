/**
 * "Chrome on Linux" for a session's stored User-Agent, parsed with bowser (MIT, kept up to date
 * with new browsers): people recognise their devices by browser and system, not by the raw
 * string. A string bowser does not recognise (a script, a bot) is shown as it is.
 */

import Bowser from 'bowser';

/** A User-Agent's browser family and operating system, as bowser names them; null if it names none. */
export interface UserAgentReading {
  readonly browser: string | null;
  readonly system: string | null;
}

/**
 * Strings already read. Bowser runs a few hundred regular expressions per string, and a sessions
 * list, an activity page or a run of logins repeats the same few strings (measured with bench:pg:
 * 0.7 ms of a 50-session list, 0.1 ms of a login). Bounded, so that strings sent by anyone
 * cannot grow it.
 */
const readings = new Map<string, UserAgentReading>();
const MAX_READINGS = 512;

export function readUserAgent(userAgent: string): UserAgentReading {
  let reading = readings.get(userAgent);
  if (reading === undefined) {
    const parsed = Bowser.parse(userAgent);
    reading = { browser: parsed.browser.name || null, system: parsed.os.name || null };
    if (readings.size >= MAX_READINGS) readings.delete(readings.keys().next().value as string);
    readings.set(userAgent, reading);
  }
  return reading;
}

export function describeUserAgent(userAgent: string): string {
  if (userAgent.trim() === '') return 'Unknown browser';
  const { browser, system } = readUserAgent(userAgent);
  if (browser !== null && system !== null) return `${browser} on ${system}`;
  return browser ?? system ?? userAgent;
}
