/**
 * A database URL fit for a log line or a message: its password masked. A module of its own, with
 * no imports, so that the CLI's argument parser can use it without loading a backend.
 */
export function redactDatabaseUrl(raw: string): string {
  try {
    const url = new URL(raw);
    if (url.password !== '') url.password = '***';
    return url.toString();
  } catch {
    return '(an unparsable URL)';
  }
}
