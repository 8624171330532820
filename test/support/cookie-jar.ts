/**
 * A browser's cookie store, reduced to what the auth cookies use (Path and Max-Age), for tests
 * that call the API without a browser: in-process (test/auth) or over HTTP (test/e2e).
 */

interface StoredCookie {
  readonly value: string;
  readonly path: string;
}

export interface SetCookie {
  readonly name: string;
  readonly value: string;
  readonly attributes: ReadonlyMap<string, string>;
}

export function parseSetCookie(line: string): SetCookie {
  const [pair, ...attrs] = line.split(';');
  const eq = pair.indexOf('=');
  const attributes = new Map<string, string>();
  for (const attr of attrs) {
    const [k, ...v] = attr.trim().split('=');
    attributes.set(k.toLowerCase(), v.join('='));
  }
  return { name: pair.slice(0, eq).trim(), value: decodeURIComponent(pair.slice(eq + 1).trim()), attributes };
}

function pathMatches(cookiePath: string, requestPath: string): boolean {
  if (requestPath === cookiePath) return true;
  const prefix = cookiePath.endsWith('/') ? cookiePath : `${cookiePath}/`;
  return requestPath.startsWith(prefix);
}

/** A browser's cookie store, reduced to what these cookies use: Path and Max-Age. */
export class CookieJar {
  private readonly cookies = new Map<string, StoredCookie>();

  apply(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      const c = parseSetCookie(line);
      const maxAge = c.attributes.get('max-age');
      if (maxAge !== undefined && Number(maxAge) <= 0) this.cookies.delete(c.name);
      else this.cookies.set(c.name, { value: c.value, path: c.attributes.get('path') || '/' });
    }
  }

  get(name: string): string | undefined {
    return this.cookies.get(name)?.value;
  }

  set(name: string, value: string, path = '/'): void {
    this.cookies.set(name, { value, path });
  }

  delete(name: string): void {
    this.cookies.delete(name);
  }

  /** The Cookie header a browser would send to `path` ('' when none applies). */
  header(path: string): string {
    return [...this.cookies.entries()]
      .filter(([, c]) => pathMatches(c.path, path))
      .map(([name, c]) => `${name}=${encodeURIComponent(c.value)}`)
      .join('; ');
  }

  copy(): CookieJar {
    const jar = new CookieJar();
    for (const [name, c] of this.cookies) jar.set(name, c.value, c.path);
    return jar;
  }
}
