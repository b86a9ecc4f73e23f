// `ticketlab serve`: a read-only web app over a run root. Every route is a GET; runs, levels and files are found
// through the SQLite index (a request names a run id, a level number and a layer name, each checked against what
// the index and the run's files hold, never a path), so nothing outside the root's runs can be reached.
// JSON API under /api, live progress as server-sent events at /api/events, the page and its scripts from a fixed
// asset table (assets.ts).
import fs from 'node:fs';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { dashboardAssets } from './assets.js';
import { DashboardStore, NotFound } from './store.js';
import { LiveProgress } from './live.js';
import { maskImage } from './mask-image.js';
import { UserError } from '../util/errors.js';

export interface DashboardOptions {
  root: string;
  /** How often running runs' progress is read (ms). */
  pollMs?: number;
}

const idQuery = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 500 } },
  additionalProperties: false,
} as const;

const levelQuery = {
  type: 'object',
  required: ['id', 'level'],
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 500 },
    level: { type: 'integer', minimum: 0, maximum: 1000 },
  },
  additionalProperties: false,
} as const;

export async function createDashboard(o: DashboardOptions): Promise<FastifyInstance> {
  // Unknown query parameters are a 400, not silently dropped (ajv's removeAdditional off).
  const app = Fastify({
    logger: false,
    forceCloseConnections: true,
    routerOptions: { ignoreTrailingSlash: true },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true } },
  });
  const store = new DashboardStore(o.root);
  const live = new LiveProgress(store, o.pollMs ?? 1000);
  app.addHook('onClose', async () => {
    live.stop();
    store.close();
  });

  // Errors as JSON: a bad query is 400, an unknown run or file 404, a run that cannot be read 422, with its message.
  app.setErrorHandler((err: Error & { validation?: unknown; statusCode?: number }, _req, reply) => {
    if (err.validation) return reply.code(400).send({ error: `bad request: ${err.message}` });
    if (err instanceof NotFound) return reply.code(404).send({ error: err.message });
    if (err instanceof UserError) return reply.code(422).send({ error: err.message });
    if (err.statusCode && err.statusCode < 500) return reply.code(err.statusCode).send({ error: err.message });
    return reply.code(500).send({ error: `internal error: ${err.message}` });
  });
  app.get('/favicon.ico', (_req, reply) => reply.code(204).send());
  app.setNotFoundHandler((_req, reply) => reply.code(404).send({ error: 'not found' }));

  for (const [url, asset] of dashboardAssets())
    app.get(url, (_req, reply) => reply.type(asset.type).send(fs.createReadStream(asset.file)));

  app.get(
    '/api/runs',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            kind: { type: 'string', maxLength: 100 },
            model: { type: 'string', maxLength: 200 },
            status: { type: 'string', maxLength: 40 },
            q: { type: 'string', maxLength: 200 },
            hparam: { type: 'string', pattern: '^[A-Za-z0-9_.-]+=.*$', maxLength: 300 },
            page: { type: 'integer', minimum: 1, default: 1 },
            per_page: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
          },
          additionalProperties: false,
        },
      },
    },
    (req) => {
      const q = req.query as {
        kind?: string;
        model?: string;
        status?: string;
        q?: string;
        hparam?: string;
        page: number;
        per_page: number;
      };
      const hp = q.hparam === undefined ? undefined : q.hparam.split('=');
      return store.runs({
        kind: q.kind || undefined,
        model: q.model || undefined,
        status: q.status || undefined,
        search: q.q || undefined,
        hparam: hp ? { key: hp[0]!, value: hp.slice(1).join('=') } : undefined,
        page: q.page,
        perPage: q.per_page,
      });
    },
  );

  app.get('/api/run', { schema: { querystring: idQuery } }, (req) => store.run((req.query as { id: string }).id));
  app.get('/api/experiment', { schema: { querystring: idQuery } }, (req) =>
    store.experiment((req.query as { id: string }).id),
  );
  app.get('/api/curve', { schema: { querystring: levelQuery } }, (req) => {
    const q = req.query as { id: string; level: number };
    return store.curve(q.id, q.level);
  });
  app.get('/api/layers', { schema: { querystring: levelQuery } }, (req) => {
    const q = req.query as { id: string; level: number };
    return store.layers(q.id, q.level);
  });
  app.get(
    '/api/mask.png',
    {
      schema: {
        querystring: {
          type: 'object',
          required: ['id', 'level', 'layer'],
          properties: {
            id: { type: 'string', minLength: 1, maxLength: 500 },
            level: { type: 'integer', minimum: 0, maximum: 1000 },
            layer: { type: 'string', minLength: 1, maxLength: 300 },
            against: { type: 'integer', minimum: 0, maximum: 1000 },
          },
          additionalProperties: false,
        },
      },
    },
    (req, reply: FastifyReply) => {
      const q = req.query as { id: string; level: number; layer: string; against?: number };
      const mask = store.mask(q.id, q.level, q.layer);
      const other = q.against === undefined ? null : store.mask(q.id, q.against, q.layer);
      return reply.type('image/png').header('cache-control', 'no-store').send(maskImage(mask, other));
    },
  );
  app.get('/api/studies', () => store.studies());
  app.get(
    '/api/study',
    {
      schema: {
        querystring: {
          type: 'object',
          required: ['kind'],
          properties: { kind: { type: 'string', pattern: '^[a-z][a-z0-9-]*$', maxLength: 40 } },
          additionalProperties: false,
        },
      },
    },
    (req) => store.study((req.query as { kind: string }).kind),
  );
  app.get('/api/events', (req, reply) => {
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
    });
    const send = (event: string, data: unknown) =>
      reply.raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    const unsubscribe = live.subscribe(send);
    req.raw.on('close', unsubscribe);
  });
  await app.ready();
  return app;
}
