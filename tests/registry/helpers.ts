// Test fixtures for the registry: real stores (s3rver behind the enforcing proxy; Miniflare's local R2)
// and model folders whose manifests pass the schema with real sha256s.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import type { Manifest } from '../../shared/src/registry/manifest.ts';
import { startDevS3Server, type DevS3Server } from '../helpers/dev-s3-server.ts';
import { R2LocalStore } from '@resnet-edge/registry/r2-local-store';
import { S3Store } from '@resnet-edge/registry/s3-store';
import type { ObjectStore } from '@resnet-edge/registry/store';
import { FASHION_TEST_SPEC } from '../helpers/fashion-spec.ts';

export interface StoreFixture {
  kind: 's3' | 'r2-local';
  open(): ObjectStore;
  /** Overwrites an object behind the registry's back (no conditions, no checks). */
  tamper(key: string, bytes: Uint8Array): Promise<void>;
  stop(): Promise<void>;
}

export async function s3Fixture(): Promise<StoreFixture & { server: DevS3Server }> {
  const server = await startDevS3Server();
  const open = () =>
    new S3Store({
      bucket: server.bucket,
      prefix: 'team/',
      endpoint: server.endpoint,
      credentials: server.credentials,
      maxAttempts: 2,
    });
  return {
    kind: 's3',
    server,
    open,
    async tamper(key, bytes) {
      // Straight to s3rver, past the proxy.
      const raw = new S3Store({
        bucket: server.bucket,
        prefix: 'team/',
        endpoint: server.backendEndpoint,
        credentials: server.credentials,
      });
      await raw.put(key, bytes);
      await raw.close();
    },
    stop: () => server.stop(),
  };
}

export async function r2Fixture(): Promise<StoreFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'resnet-edge-r2-'));
  const admin = new R2LocalStore(dir);
  return {
    kind: 'r2-local',
    open: () => new R2LocalStore(dir),
    tamper: async (key, bytes) => void (await admin.put(key, bytes)),
    stop: () => admin.close(),
  };
}

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A model folder as `resnet-edge quantize` writes it; model.tflite is random bytes (the registry does not parse it). */
export function makeModelDir(
  version: string,
  opts: { name?: string; size?: number; top1?: number } = {},
): { dir: string; model: Uint8Array; manifest: Manifest } {
  const dir = mkdtempSync(join(tmpdir(), 'resnet-edge-model-'));
  const model = new Uint8Array(randomBytes(opts.size ?? 4096));
  writeFileSync(join(dir, 'model.tflite'), model);
  const manifest: Manifest = {
    schemaVersion: 1,
    name: opts.name ?? 'fashion-mnist',
    version,
    arch: 'resnet20',
    labels: ['t-shirt_top', 'trouser', 'pullover'],
    preprocess: FASHION_TEST_SPEC,
    inputShape: [1, 28, 28, 1],
    outputActivation: 'softmax',
    accuracy: {
      float: { top1: opts.top1 ?? 0.9, samples: 500 },
      int8: { top1: (opts.top1 ?? 0.9) - 0.002, samples: 500 },
    },
    files: { 'model.tflite': { sha256: sha256(model), size: model.byteLength } },
    training: { dataFingerprint: 'f'.repeat(64) },
    createdAt: new Date().toISOString(),
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return { dir, model, manifest };
}
