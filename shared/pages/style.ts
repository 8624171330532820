/**
 * The one look of everything the server shows a person: the link and error pages (a small
 * stylesheet) and the emails (the same colours as inline styles, since mail clients drop
 * <style>). The colours are those of the demo app (public/style.css), so a person who clicks
 * through from the site, or from an email, stays in one place.
 */

export const COLORS = {
  ink: '#1f2328',
  muted: '#59636e',
  line: '#d1d9e0',
  accent: '#0b5cad',
  error: '#b42318',
  paper: '#ffffff',
  page: '#f3f5f7',
} as const;

export const FONT = 'system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif';

/** The pages' stylesheet; pages allow it by hash (CSP), and nothing else. */
export const PAGE_STYLE = [
  `body{margin:0;padding:2rem 1rem;background:${COLORS.page};color:${COLORS.ink};font:16px/1.5 ${FONT}}`,
  `header,footer{max-width:28rem;margin:0 auto;font-size:.875rem}header{margin-bottom:.75rem;font-weight:600}footer{margin-top:1rem;color:${COLORS.muted}}`,
  `a{color:${COLORS.accent}}header a{color:${COLORS.ink};text-decoration:none}`,
  `main{max-width:28rem;margin:0 auto;padding:1.5rem 2rem 2rem;background:${COLORS.paper};border:1px solid ${COLORS.line};border-radius:.75rem;box-shadow:0 1px 3px rgb(0 0 0/.06)}`,
  'h1{margin:0 0 .75rem;font-size:1.25rem}form{display:grid;gap:.75rem;margin-top:1rem}',
  `label{display:grid;gap:.25rem;font-size:.875rem;color:${COLORS.muted}}`,
  `input{padding:.5rem .625rem;border:1px solid ${COLORS.line};border-radius:.375rem;font:inherit;color:${COLORS.ink}}`,
  `button,.button{display:inline-block;padding:.5rem 1rem;border:1px solid ${COLORS.accent};border-radius:.375rem;background:${COLORS.accent};color:#fff;font:inherit;text-decoration:none;cursor:pointer}`,
  `.error{color:${COLORS.error}}.next{margin-top:1.25rem}`,
].join('');

/** Inline styles of the emails, from the same colours. */
export const EMAIL_STYLE = {
  body: `margin:0;padding:24px;background:${COLORS.page};color:${COLORS.ink};font-family:${FONT.replace(/"/g, "'")}`,
  header: `max-width:520px;margin:0 auto 12px;font-size:14px;font-weight:600;color:${COLORS.ink}`,
  card: `max-width:520px;margin:0 auto;background:${COLORS.paper};border:1px solid ${COLORS.line};border-radius:12px;padding:28px`,
  heading: 'font-size:20px;margin:0 0 16px',
  paragraph: 'margin:0 0 16px;line-height:1.5',
  button: `display:inline-block;background:${COLORS.accent};color:#ffffff;padding:12px 20px;border-radius:6px;text-decoration:none;font-weight:600`,
  small: `margin:0 0 8px;font-size:13px;color:${COLORS.muted}`,
  link: `color:${COLORS.accent};word-break:break-all`,
} as const;
