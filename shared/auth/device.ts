/**
 * What a new-device notice compares: a browser family and an operating system read from the
 * User-Agent by bowser (as shared/user-agent.ts shows sessions), never versions, so that
 * updating a browser is not a "new device".
 *
 * The account keeps only a hash of the pair: enough to recognise it, and it says nothing more.
 */

import { sha256 } from '../tokens.ts';
import { readUserAgent } from '../user-agent.ts';

export interface Device {
  /** For a person: "Firefox on Linux". */
  readonly label: string;
  /** What the account keeps in its list of seen devices. */
  readonly fingerprint: string;
}

export function deviceOf(userAgent: string): Device {
  const { browser, system } = readUserAgent(userAgent);
  // A program (curl, a test client) is named by its first word, without its version.
  const label = browser === null && system === null
    ? `an unrecognised client (${(userAgent.split(/[\s/]/)[0] || 'unknown').slice(0, 40)})`
    : `${browser ?? 'an unknown browser'} on ${system ?? 'an unknown system'}`;
  return { label, fingerprint: sha256(`device:${label}`) };
}
