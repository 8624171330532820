/**
 * Postmark's email API as far as a sender can tell: which JSON bodies it accepts, and the
 * ErrorCode and Message it answers for the ones it refuses. A local mailbox that accepted what
 * Postmark refuses would hide bugs until production, so the checks follow Postmark's:
 *
 * - 10: no server token (Postmark answers HTTP 401).
 * - 300 "invalid email request": no recipient at all ("Zero recipients specified"), a missing
 *   or malformed From, an address in To/Cc/Bcc that Postmark cannot parse (its own mailbox and
 *   domain patterns, published in its support article on error 300), more than 50 recipients
 *   in To, Cc and Bcc together, and neither HtmlBody nor TextBody.
 * - 402 invalid JSON, 403 JSON of the wrong shape, 409 not sent as JSON, 410 a batch of more
 *   than 500 messages.
 * - 1101: a template request that names no template (Postmark's code for a template it cannot
 *   find; this mailbox has none, so it only insists that one is named).
 *
 * Message texts are Postmark's where they are known; the others say what is wrong in the
 * same manner. Every refusal but 10 is sent with HTTP 422, as Postmark does.
 */

import type { Address, AttachmentInfo, MessageDraft, MessageHeader, TemplateUse } from './message.ts';

export interface PostmarkRefusal {
  readonly errorCode: number;
  readonly message: string;
}

export type ParsedEmail =
  | { readonly ok: true; readonly draft: MessageDraft; /** echoed in the answer's `To` */ readonly to: string }
  | { readonly ok: false; readonly refusal: PostmarkRefusal };

export const MAX_RECIPIENTS = 50;
export const MAX_BATCH_MESSAGES = 500;

export const REFUSALS = {
  missingToken: {
    errorCode: 10,
    message:
      'No Account or Server API tokens were supplied in the HTTP headers. Please add a header for either X-Postmark-Server-Token or X-Postmark-Account-Token.',
  },
  invalidJson: { errorCode: 402, message: 'Invalid JSON: the request body could not be parsed.' },
  jsonRequired: { errorCode: 409, message: 'Content-Type and Accept headers must be set to application/json, text/json, or text/x-json.' },
  tooManyBatchMessages: { errorCode: 410, message: `Too many batch messages: at most ${MAX_BATCH_MESSAGES} are allowed per request.` },
  zeroRecipients: { errorCode: 300, message: 'Zero recipients specified' },
  missingFrom: { errorCode: 300, message: "Invalid 'From' value." },
  tooManyRecipients: { errorCode: 300, message: `Maximum of ${MAX_RECIPIENTS} recipients allowed per email message` },
  missingBody: { errorCode: 300, message: 'Provide either email TextBody or HtmlBody or both.' },
  missingTemplate: { errorCode: 1101, message: "The request names no template: set 'TemplateId' or 'TemplateAlias'." },
} as const satisfies Record<string, PostmarkRefusal>;

export function incompatibleJson(detail: string): PostmarkRefusal {
  return { errorCode: 403, message: `Incompatible JSON: ${detail}` };
}

type Json = Readonly<Record<string, unknown>>;

const STRING_FIELDS = ['From', 'To', 'Cc', 'Bcc', 'Subject', 'HtmlBody', 'TextBody', 'ReplyTo', 'Tag', 'MessageStream', 'TemplateAlias'];

// Postmark's published patterns for the two halves of an address (support article on error 300).
const MAILBOX = /^[a-z0-9.!#$%&'`*+\-/=^_{}|~]+$/i;
const DOMAIN = /^((\.)?[a-zA-Z0-9-])+$/;

/** The body of POST /email (and of each element of /email/batch). */
export function parseEmail(body: unknown): ParsedEmail {
  return parse(body, { templated: false });
}

/** The body of POST /email/withTemplate (and of each message of /email/batchWithTemplates). */
export function parseTemplatedEmail(body: unknown): ParsedEmail {
  return parse(body, { templated: true });
}

function parse(body: unknown, options: { templated: boolean }): ParsedEmail {
  if (!isObject(body)) return refuse(incompatibleJson('a message must be a JSON object.'));
  const wrongType = STRING_FIELDS.find((field) => body[field] !== undefined && body[field] !== null && typeof body[field] !== 'string');
  if (wrongType) return refuse(incompatibleJson(`'${wrongType}' must be a string.`));
  const from = parseFrom(str(body, 'From'));
  if ('refusal' in from) return refuse(from.refusal);
  const recipients = parseRecipients(body);
  if ('refusal' in recipients) return refuse(recipients.refusal);
  const htmlBody = str(body, 'HtmlBody') || null;
  const textBody = str(body, 'TextBody') || null;
  if (!options.templated && htmlBody === null && textBody === null) return refuse(REFUSALS.missingBody);
  const template = options.templated ? parseTemplate(body) : null;
  if (template && 'refusal' in template) return refuse(template.refusal);
  const extras = parseExtras(body);
  if ('refusal' in extras) return refuse(extras.refusal);
  const draft: MessageDraft = {
    stream: str(body, 'MessageStream') || 'outbound',
    from: from.address,
    ...recipients.lists,
    replyTo: str(body, 'ReplyTo') || null,
    subject: str(body, 'Subject'),
    htmlBody,
    textBody,
    tag: str(body, 'Tag') || null,
    ...extras.values,
    template: template ? template.use : null,
  };
  return { ok: true, draft, to: str(body, 'To') };
}

function parseFrom(raw: string): { address: Address } | { refusal: PostmarkRefusal } {
  if (raw.trim() === '') return { refusal: REFUSALS.missingFrom };
  const entries = splitAddressList(raw);
  const address = entries.length === 1 ? parseAddress(entries[0]) : null;
  if (!address || addressProblem('From', address.email) !== null) {
    return { refusal: { errorCode: 300, message: `Invalid 'From' address: '${raw.trim()}'.` } };
  }
  return { address };
}

type RecipientLists = Pick<MessageDraft, 'to' | 'cc' | 'bcc'>;

function parseRecipients(body: Json): { lists: RecipientLists } | { refusal: PostmarkRefusal } {
  const lists: Record<string, Address[]> = {};
  for (const field of ['To', 'Cc', 'Bcc']) {
    const addresses: Address[] = [];
    for (const entry of splitAddressList(str(body, field))) {
      const address = parseAddress(entry);
      const problem = address ? addressProblem(field, address.email) : `Error parsing '${field}': Illegal email address '${entry}'.`;
      if (problem !== null || !address) return { refusal: { errorCode: 300, message: problem ?? '' } };
      addresses.push(address);
    }
    lists[field] = addresses;
  }
  const count = lists.To.length + lists.Cc.length + lists.Bcc.length;
  if (count === 0) return { refusal: REFUSALS.zeroRecipients };
  if (count > MAX_RECIPIENTS) return { refusal: REFUSALS.tooManyRecipients };
  return { lists: { to: lists.To, cc: lists.Cc, bcc: lists.Bcc } };
}

/** Why Postmark would not take this address, in its words; null when it would. */
function addressProblem(field: string, email: string): string | null {
  const at = email.lastIndexOf('@');
  if (at < 0) return `Error parsing '${field}': Illegal email address '${email}'. It must contain the '@' symbol.`;
  const mailbox = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (!DOMAIN.test(domain)) return `Error parsing '${field}': Illegal email domain '${domain}' in address '${email}'.`;
  if (!MAILBOX.test(mailbox)) return `Error parsing '${field}': Illegal email mailbox '${mailbox}' in address '${email}'.`;
  return null;
}

/** `Name <a@b>`, `"Any, name" <a@b>` or a bare `a@b`; null when it is none of these. */
function parseAddress(entry: string): Address | null {
  const quoted = /^"((?:[^"\\]|\\.)*)"\s*<([^<>]*)>$/s.exec(entry);
  if (quoted) return makeAddress(quoted[1].replace(/\\(.)/gs, '$1'), quoted[2]);
  const angled = /^([^<>"]*)<([^<>]*)>$/s.exec(entry);
  if (angled) return makeAddress(angled[1].trim(), angled[2]);
  return /[<>"]/.test(entry) ? null : makeAddress('', entry);
}

function makeAddress(name: string, email: string): Address {
  return { name: name === '' ? null : name, email: email.trim().toLowerCase() };
}

/** Splits "a@b, \"Doe, Jane\" <c@d>" on the commas that separate addresses. */
function splitAddressList(raw: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  let angled = false;
  let escaped = false;
  for (const ch of raw) {
    if (escaped) escaped = false;
    else if (ch === '\\' && quoted) escaped = true;
    else if (ch === '"' && !angled) quoted = !quoted;
    else if (ch === '<' && !quoted) angled = true;
    else if (ch === '>' && !quoted) angled = false;
    else if (ch === ',' && !quoted && !angled) {
      parts.push(current);
      current = '';
      continue;
    }
    current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

function parseTemplate(body: Json): { use: TemplateUse } | { refusal: PostmarkRefusal } {
  const id = body.TemplateId;
  if (id !== undefined && id !== null && !Number.isSafeInteger(id)) return { refusal: incompatibleJson("'TemplateId' must be a whole number.") };
  const alias = str(body, 'TemplateAlias') || null;
  if ((id === undefined || id === null) && alias === null) return { refusal: REFUSALS.missingTemplate };
  const model = body.TemplateModel ?? {};
  if (!isObject(model)) return { refusal: incompatibleJson("'TemplateModel' must be a JSON object.") };
  return { use: { id: typeof id === 'number' ? id : null, alias, model } };
}

type Extras = Pick<MessageDraft, 'headers' | 'metadata' | 'attachments'>;

function parseExtras(body: Json): { values: Extras } | { refusal: PostmarkRefusal } {
  const headers = arrayOf(
    body.Headers,
    (h): MessageHeader | null => isObject(h) && typeof h.Name === 'string' && typeof h.Value === 'string' ? { name: h.Name, value: h.Value } : null,
  );
  if (!headers) return { refusal: incompatibleJson("'Headers' must be a list of {Name, Value} strings.") };
  const attachments = arrayOf(
    body.Attachments,
    (a): AttachmentInfo | null =>
      isObject(a) && typeof a.Name === 'string' && typeof a.Content === 'string' && typeof a.ContentType === 'string'
        ? { name: a.Name, contentType: a.ContentType, size: Buffer.byteLength(a.Content, 'base64') }
        : null,
  );
  if (!attachments) return { refusal: incompatibleJson("'Attachments' must be a list of {Name, Content, ContentType}.") };
  const metadata = body.Metadata ?? {};
  if (!isObject(metadata) || Object.values(metadata).some((v) => typeof v !== 'string')) {
    return { refusal: incompatibleJson("'Metadata' must be an object of strings.") };
  }
  return { values: { headers, attachments, metadata: metadata as Record<string, string> } };
}

/** Maps every element, or null when the value is not an array or any element does not fit. */
function arrayOf<T>(value: unknown, map: (element: unknown) => T | null): T[] | null {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) return null;
  const mapped = value.map(map);
  return mapped.every((m): m is T => m !== null) ? mapped : null;
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(body: Json, field: string): string {
  const value = body[field];
  return typeof value === 'string' ? value : '';
}

function refuse(refusal: PostmarkRefusal): ParsedEmail {
  return { ok: false, refusal };
}
