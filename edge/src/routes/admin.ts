// Admin routes: everything that changes the worker's state. Each needs `Authorization: Bearer <ADMIN_TOKEN>`.
import { Hono } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env.ts';
import { settingsOf } from '../settings.ts';
import { ApiError } from '../errors.ts';
import { currentModel, parseModelRef, servedVersion } from '../model/loader.ts';
import { waitUntilOf } from '../wait-until.ts';

async function digest(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)));
}

/** Compares SHA-256 digests with an XOR loop: the time depends on neither the tokens' lengths nor their content. */
export async function tokensEqual(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([digest(given), digest(expected)]);
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  const expected = settingsOf(c.env).adminToken;
  const header = c.req.header('authorization') ?? '';
  const given = /^Bearer (.+)$/i.exec(header)?.[1] ?? '';
  if (!expected)
    throw new ApiError(401, 'unauthorized', 'admin routes are disabled: the ADMIN_TOKEN secret is not set');
  if (!(await tokensEqual(given, expected))) {
    throw new ApiError(401, 'unauthorized', 'send Authorization: Bearer <admin token>');
  }
  await next();
});

export const adminRoutes = new Hono<AppEnv>()
  .use('*', requireAdmin)
  /** Re-read the pointer now instead of waiting for the re-check interval. */
  .post('/reload', async (c) => {
    const settings = settingsOf(c.env);
    const { name } = parseModelRef(c.req.query('model') ?? settings.modelName);
    const before = servedVersion(name) ?? null;
    const { manifest } = await currentModel(c.env.MODELS, name, {
      recheckMs: settings.recheckMs,
      force: true,
      keepAlive: waitUntilOf(c),
    });
    return c.json({
      model: { name, version: manifest.version },
      previous_version: before,
      changed: before !== manifest.version,
    });
  });
