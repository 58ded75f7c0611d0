// People, personal tokens and the audit trail over HTTP (issue 12), for admins; `GET /api/me` for anyone
// signed in. The People service audits its own changes (the command line makes the same ones), so these
// routes mark themselves audited rather than appending a second entry.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { parseDuration } from '../people/duration.js';
import { AccountNameSchema } from '../people/names.js';
import { type People, PeopleError, publicAccount, publicToken } from '../people/people.js';
import { RoleSchema } from '../people/roles.js';
import { needs } from './access.js';
import { actorOf } from './audit-hook.js';
import { codeOf, ErrorBody, sendError } from './errors.js';

const AccountOut = z.object({
  name: z.string(),
  role: RoleSchema,
  source: z.enum(['local', 'oidc']),
  disabled: z.boolean(),
  mustChangePassword: z.boolean(),
  createdAt: z.string(),
  lastSignInAt: z.string().nullable(),
});
const TokenOut = z.object({
  id: z.string(),
  name: z.string(),
  label: z.string().nullable(),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
});
const AuditOut = z.object({
  seq: z.number(),
  at: z.string(),
  actor: z.string(),
  role: z.string().nullable(),
  via: z.string(),
  address: z.string().nullable(),
  action: z.string(),
  target: z.string().nullable(),
  before: z.unknown(),
  after: z.unknown(),
  outcome: z.enum(['ok', 'refused']),
  hash: z.string(),
});

/** Runs a change of People's for the caller; its refusals become the one error shape. */
async function change<T>(req: FastifyRequest, reply: FastifyReply, work: () => Promise<T>) {
  try {
    const result = await work();
    req.audited = true;
    return result;
  } catch (err) {
    if (!(err instanceof PeopleError)) throw err;
    await sendError(reply, codeOf(err.status), err.message);
    return undefined;
  }
}

export const peopleApiPlugin: FastifyPluginAsync<{ people: People }> = async (app, { people }) => {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['people'];

  api.get(
    '/api/me',
    {
      ...needs('viewer'),
      schema: {
        tags,
        summary: 'Who is signed in, with the CSRF token a page sends its writes with (x-csrf-token)',
        response: {
          200: z.object({ name: z.string(), role: RoleSchema, via: z.string(), csrf: z.string().nullable() }),
        },
      },
    },
    async (req) => ({
      name: req.caller!.name,
      role: req.caller!.role,
      via: req.caller!.via,
      csrf: req.caller!.session?.csrf ?? null,
    }),
  );

  api.get(
    '/api/people',
    { ...needs('admin'), schema: { tags, response: { 200: z.array(AccountOut) } } },
    async () => (await people.accounts()).map(publicAccount),
  );

  api.post(
    '/api/people',
    {
      ...needs('admin', 'person.add'),
      schema: {
        tags,
        summary: 'Add a local account; its one-time password is in the answer, once',
        body: z.object({ name: AccountNameSchema, role: RoleSchema }),
        response: {
          201: z.object({ account: AccountOut, oneTimePassword: z.string() }),
          400: ErrorBody,
          409: ErrorBody,
        },
      },
    },
    async (req, reply) => {
      const added = await change(req, reply, () =>
        people.addLocal(req.body.name, req.body.role, actorOf(req)),
      );
      if (!added) return reply;
      return reply
        .code(201)
        .send({ account: publicAccount(added.account), oneTimePassword: added.oneTimePassword as string });
    },
  );

  api.patch(
    '/api/people/:name',
    {
      ...needs('admin', 'person.change'),
      schema: {
        tags,
        summary: "Change a person's role, or disable or enable their account (their sessions end)",
        params: z.object({ name: z.string() }),
        body: z
          .object({ role: RoleSchema.optional(), disabled: z.boolean().optional() })
          .refine((b) => b.role !== undefined || b.disabled !== undefined, 'give role, disabled or both'),
        response: { 200: AccountOut, 400: ErrorBody, 404: ErrorBody },
      },
    },
    async (req, reply) => {
      const by = actorOf(req);
      const { name } = req.params;
      const done = await change(req, reply, async () => {
        let account = req.body.role ? await people.setRole(name, req.body.role, by) : undefined;
        if (req.body.disabled !== undefined) account = await people.setDisabled(name, req.body.disabled, by);
        return account!;
      });
      return done ? publicAccount(done) : reply;
    },
  );

  api.post(
    '/api/people/:name/reset',
    {
      ...needs('admin', 'person.reset'),
      schema: {
        tags,
        summary: 'A new one-time password for a local account (its sessions end)',
        params: z.object({ name: z.string() }),
        response: {
          200: z.object({ name: z.string(), oneTimePassword: z.string() }),
          404: ErrorBody,
          409: ErrorBody,
        },
      },
    },
    async (req, reply) => {
      const once = await change(req, reply, () => people.resetPassword(req.params.name, actorOf(req)));
      return once === undefined ? reply : { name: req.params.name, oneTimePassword: once };
    },
  );

  api.get(
    '/api/tokens',
    {
      ...needs('admin'),
      schema: {
        tags,
        querystring: z.object({ name: z.string().optional() }),
        response: { 200: z.array(TokenOut) },
      },
    },
    async (req) => (await people.store.tokens(req.query.name)).map(publicToken),
  );

  api.post(
    '/api/tokens',
    {
      ...needs('admin', 'token.issue'),
      schema: {
        tags,
        summary: "A personal bearer token acting with its person's role; the token is in the answer, once",
        body: z.object({
          name: z.string().optional().describe('whose token: the caller when left out'),
          expires: z
            .string()
            .optional()
            .describe('lifetime such as 12h, 30d or 1y (at most 10y); none when left out'),
          label: z.string().max(100).optional(),
        }),
        response: {
          201: TokenOut.extend({ token: z.string() }),
          400: ErrorBody,
          404: ErrorBody,
          409: ErrorBody,
        },
      },
    },
    async (req, reply) => {
      const lifetime = req.body.expires === undefined ? undefined : parseDuration(req.body.expires);
      if (lifetime && !lifetime.ok) return sendError(reply, 'bad-request', `expires: ${lifetime.reason}`);
      const expiresInMs = lifetime?.ok ? lifetime.ms : undefined;
      const name = req.body.name ?? req.caller!.name;
      const issued = await change(req, reply, () =>
        people.issueToken(name, { expiresInMs, label: req.body.label }, actorOf(req)),
      );
      if (!issued) return reply;
      return reply.code(201).send({ ...publicToken(issued.record), token: issued.token });
    },
  );

  api.delete(
    '/api/tokens/:id',
    {
      ...needs('admin', 'token.revoke'),
      schema: { tags, params: z.object({ id: z.string() }), response: { 200: TokenOut, 404: ErrorBody } },
    },
    async (req, reply) => {
      const revoked = await change(req, reply, () => people.revokeToken(req.params.id, actorOf(req)));
      return revoked ? publicToken(revoked) : reply;
    },
  );

  api.get(
    '/api/audit',
    {
      ...needs('admin'),
      schema: {
        tags,
        summary: 'The audit trail, newest first, a page at a time (next: the `before` of the next page)',
        querystring: z.object({
          actor: z.string().optional(),
          action: z.string().optional().describe('an action (device.create) or an area (device)'),
          target: z.string().optional(),
          from: z.iso.datetime({ offset: true }).optional(),
          to: z.iso.datetime({ offset: true }).optional(),
          before: z.coerce.number().int().positive().optional(),
          limit: z.coerce.number().int().min(1).max(1000).default(100),
        }),
        response: { 200: z.object({ entries: z.array(AuditOut), next: z.number().nullable() }) },
      },
    },
    async (req) => {
      const q = req.query;
      const entries = await people.store.auditPage({
        ...q,
        from: q.from === undefined ? undefined : Date.parse(q.from),
        to: q.to === undefined ? undefined : Date.parse(q.to),
      });
      const last = entries.at(-1);
      return {
        entries: entries.map(({ prevHash: _, ...e }) => ({ ...e, at: new Date(e.at).toISOString() })),
        next: entries.length === q.limit && last && last.seq > 1 ? last.seq : null,
      };
    },
  );
};
