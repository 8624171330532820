/**
 * What the mailbox keeps of one accepted email. Field names are our own (camelCase), not
 * Postmark's: the JSON files under .data/mailbox and the /api/messages answers are read by
 * people and tests, and the Postmark wire format is only what comes in.
 */

export interface Address {
  /** The display name, as in `"Ada" <ada@example.com>`; null when there is none. */
  readonly name: string | null;
  /** The bare address, lower-cased so that filters and tests compare it directly. */
  readonly email: string;
}

export interface MessageHeader {
  readonly name: string;
  readonly value: string;
}

export interface AttachmentInfo {
  readonly name: string;
  readonly contentType: string;
  /** Decoded size in bytes; the content itself is not kept (the inbox does not serve files). */
  readonly size: number;
}

export interface TemplateUse {
  readonly id: number | null;
  readonly alias: string | null;
  readonly model: Readonly<Record<string, unknown>>;
}

/** A message as the sender described it, before the mailbox gives it an id and a time. */
export interface MessageDraft {
  readonly stream: string;
  readonly from: Address;
  readonly to: readonly Address[];
  readonly cc: readonly Address[];
  readonly bcc: readonly Address[];
  readonly replyTo: string | null;
  readonly subject: string;
  readonly htmlBody: string | null;
  readonly textBody: string | null;
  readonly tag: string | null;
  readonly headers: readonly MessageHeader[];
  readonly metadata: Readonly<Record<string, string>>;
  readonly attachments: readonly AttachmentInfo[];
  /** Set for /email/withTemplate: the mailbox has no templates, so it keeps what was asked for. */
  readonly template: TemplateUse | null;
}

export interface StoredMessage extends MessageDraft {
  /** Postmark's MessageID for it (a UUID); also its file name under the mailbox directory. */
  readonly id: string;
  /** Arrival order, kept across restarts: two messages in one millisecond still sort. */
  readonly sequence: number;
  /** ISO 8601, UTC. */
  readonly receivedAt: string;
}

export const MESSAGE_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** http(s) URLs in plain text. Trailing sentence punctuation is trimmed by `trimUrl`. */
export const URL_IN_TEXT = /\bhttps?:\/\/[^\s<>"'`]+/g;

export function trimUrl(raw: string): string {
  return raw.replace(/[.,;:!?)\]}]+$/, '');
}

/** Every distinct http(s) link of a message, text body first, in order of appearance. */
export function messageLinks(message: Pick<StoredMessage, 'textBody' | 'htmlBody'>): string[] {
  const found = [...linksInText(message.textBody ?? ''), ...linksInHtml(message.htmlBody ?? '')];
  return [...new Set(found)];
}

function linksInText(text: string): string[] {
  return [...text.matchAll(URL_IN_TEXT)].map((m) => trimUrl(m[0]));
}

function linksInHtml(html: string): string[] {
  const hrefs = [...html.matchAll(/\shref\s*=\s*(?:"([^"]*)"|'([^']*)')/gi)].map((m) => decodeEntities(m[1] ?? m[2] ?? ''));
  return hrefs.filter((href) => /^https?:\/\//i.test(href));
}

/** Enough of HTML's character references for attribute values that templates escape. */
function decodeEntities(value: string): string {
  return value.replace(/&(amp|lt|gt|quot|#39|#x27|apos);/g, (_, name: string) => ENTITIES[name] ?? '');
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'", apos: "'" };

/** True when the address appears in To, Cc or Bcc (case-insensitive). */
export function isAddressedTo(message: StoredMessage, email: string): boolean {
  const wanted = email.trim().toLowerCase();
  return [...message.to, ...message.cc, ...message.bcc].some((a) => a.email === wanted);
}
