// The few HTML pages fastify serves itself (sign-in, new password): plain forms, no script (the API's
// content security policy allows none inline), readable on a phone and on an operations centre's screen.
const esc = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c,
  );

export { esc as escapeHtml };

const STYLE = `
body{font-family:system-ui,sans-serif;background:#101820;color:#e8eef2;display:grid;place-items:center;min-height:100vh;margin:0}
main{background:#1b2631;padding:2rem 2.5rem;border-radius:10px;width:min(24rem,90vw);box-shadow:0 4px 24px #0008}
h1{font-size:1.4rem;margin:0 0 1rem}label{display:block;margin:.8rem 0 .3rem}
input{width:100%;box-sizing:border-box;padding:.55rem;border-radius:6px;border:1px solid #4a5968;background:#0d141b;color:inherit;font-size:1rem}
button,.button{margin-top:1.2rem;width:100%;padding:.65rem;border:0;border-radius:6px;background:#2e86de;color:#fff;font-size:1rem;cursor:pointer;display:block;text-align:center;text-decoration:none}
.alt{background:#3d4b59}.error{background:#5c1f1f;border-left:4px solid #e74c3c;padding:.6rem;border-radius:4px}
.note{color:#9fb0bf;font-size:.9rem}`;

export function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)} · citygauge</title><link rel="icon" href="data:,"><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}
