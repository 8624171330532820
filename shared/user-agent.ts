/**
 * "Chrome on Linux" for a session's stored User-Agent, parsed with bowser (MIT, kept up to date
 * with new browsers): people recognise their devices by browser and system, not by the raw
 * string. A string bowser does not recognise (a script, a bot) is shown as it is.
 */

import Bowser from 'bowser';

/**
 * Descriptions already made. Bowser runs a few hundred regular expressions per string, and a
 * sessions list or an activity page repeats the same few strings many times (measured with
 * bench:pg: 0.7 ms of a 50-session list). Bounded, so that strings sent by anyone cannot grow it.
 */
const described = new Map<string, string>();
const MAX_DESCRIBED = 512;

export function describeUserAgent(userAgent: string): string {
  let description = described.get(userAgent);
  if (description === undefined) {
    description = describe(userAgent);
    if (described.size >= MAX_DESCRIBED) described.delete(described.keys().next().value as string);
    described.set(userAgent, description);
  }
  return description;
}

function describe(userAgent: string): string {
  if (userAgent.trim() === '') return 'Unknown browser';
  const parsed = Bowser.parse(userAgent);
  const browser = parsed.browser.name;
  const os = parsed.os.name;
  if (browser && os) return `${browser} on ${os}`;
  return browser || os || userAgent;
}
