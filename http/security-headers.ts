// Security headers on every page and the API (issue 10): one policy for what fastify serves (the API, /docs,
// /report) and one for Node-RED's editor and Dashboard 2.0, set by helmet in both. Neither may be framed by
// another page (clickjacking: a page on another origin drove the field engineers' forms), nothing is
// MIME-sniffed, and no URL leaks to other sites in a referrer.
//
// No `upgrade-insecure-requests`, and no HSTS when the city serves plain HTTP: TLS then belongs to the
// proxy in front, which knows whether every client can reach HTTPS (and sends HSTS itself). With
// --tls-cert the city serves TLS itself and says so with HSTS (withHsts): 180 days, no preload, since
// preloading is a promise for every subdomain that only the domain's owner can make.
const COMMON = {
  defaultSrc: ["'self'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
  objectSrc: ["'none'"],
  fontSrc: ["'self'", 'data:'],
  imgSrc: ["'self'", 'data:'],
  upgradeInsecureRequests: null,
};

const shared = {
  strictTransportSecurity: false,
  xFrameOptions: { action: 'deny' as const },
  referrerPolicy: { policy: 'same-origin' as const },
};

/**
 * The API, the OpenAPI page and the report: no inline script at all. Swagger UI and the report style
 * elements inline, which styles allow.
 */
export const API_HEADERS = {
  ...shared,
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      ...COMMON,
      scriptSrc: ["'self'"],
      scriptSrcAttr: ["'none'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      connectSrc: ["'self'"],
    },
  },
};

/**
 * Node-RED's editor and Dashboard 2.0. Both run code they build in the page: the editor inserts each
 * node's inline `<script>` (jQuery evaluates it) and runs Monaco in blob workers; the dashboard compiles
 * ui-template components at run time (Vue's compiler uses `new Function`). Their scripts can therefore
 * not be held to 'self'; framing, sniffing, plugins and form targets still are. They talk to this origin
 * over HTTP, WebSocket (editor comms) and socket.io.
 */
export const RED_HEADERS = {
  ...shared,
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      ...COMMON,
      scriptSrc: ["'self'", "'unsafe-inline'", "'unsafe-eval'"],
      scriptSrcAttr: ["'unsafe-inline'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:', 'blob:'],
      workerSrc: ["'self'", 'blob:'],
      // CSP 3: 'self' covers ws: and wss: to this host.
      connectSrc: ["'self'"],
    },
  },
};

/** HSTS for a city that serves TLS itself (--tls-cert): 180 days, this host only, never preloaded. */
export const HSTS_MAX_AGE_S = 180 * 24 * 60 * 60;

export function withHsts<T extends { strictTransportSecurity: unknown }>(
  headers: T,
  secure: boolean,
): Omit<T, 'strictTransportSecurity'> & {
  strictTransportSecurity: false | { maxAge: number; includeSubDomains: boolean; preload: boolean };
} {
  return {
    ...headers,
    strictTransportSecurity: secure
      ? { maxAge: HSTS_MAX_AGE_S, includeSubDomains: false, preload: false }
      : false,
  };
}
