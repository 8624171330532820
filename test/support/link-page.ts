/** The pages an emailed link opens, read as a browser reads them (test/auth in-process, test/e2e over HTTP). */

/** The form of a link's page, as a browser reads it: where it posts and its hidden token. */
export function pageForm(html: string): { action: string; token: string } {
  const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
  const token = /<input type="hidden" name="token" value="([^"]*)"/.exec(html)?.[1];
  if (action === undefined || token === undefined) throw new Error(`the page has no token form:\n${html.slice(0, 500)}`);
  return { action: decodeEntities(action), token: decodeEntities(token) };
}

function decodeEntities(text: string): string {
  return text.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
