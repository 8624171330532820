/**
 * What a new-device notice compares: a browser family and an operating system read from the
 * User-Agent by bowser (as shared/user-agent.ts shows sessions), never versions, so that
 * updating a browser is not a "new device".
 *
 * The account keeps only a hash of the pair: enough to recognise it, and it says nothing more.
 */

import Bowser from 'bowser';
import { sha256 } from '../tokens.ts';

export interface Device {
  /** For a person: "Firefox on Linux". */
  readonly label: string;
  /** What the account keeps in its list of seen devices. */
  readonly fingerprint: string;
}

/**
 * Devices already read, as user-agent.ts remembers descriptions: bowser runs a few hundred regular
 * expressions per string (about 0.1 ms of a login's CPU, profiled on PostgreSQL), and logins come
 * from a few common strings. Bounded, so that strings sent by anyone cannot grow it.
 */
const known = new Map<string, Device>();
const MAX_KNOWN = 512;

export function deviceOf(userAgent: string): Device {
  let device = known.get(userAgent);
  if (device === undefined) {
    device = readDevice(userAgent);
    if (known.size >= MAX_KNOWN) known.delete(known.keys().next().value as string);
    known.set(userAgent, device);
  }
  return device;
}

function readDevice(userAgent: string): Device {
  const parsed = Bowser.parse(userAgent);
  const browser = parsed.browser.name || null;
  const system = parsed.os.name || null;
  // A program (curl, a test client) is named by its first word, without its version.
  const label = browser === null && system === null
    ? `an unrecognised client (${(userAgent.split(/[\s/]/)[0] || 'unknown').slice(0, 40)})`
    : `${browser ?? 'an unknown browser'} on ${system ?? 'an unknown system'}`;
  return { label, fingerprint: sha256(`device:${label}`) };
}
