import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// No Docker engine or hadolint here: check the Dockerfile's structure and that everything it references exists.
const root = join(import.meta.dirname, '../..');
const lines = readFileSync(join(root, 'infra/docker/Dockerfile'), 'utf8')
  .replace(/\\\n/g, ' ')
  .split('\n')
  .filter((l) => /^[A-Z]+\s/.test(l));
const instr = (name: string) =>
  lines.filter((l) => l.startsWith(`${name} `)).map((l) => l.slice(name.length + 1).trim());

describe('trainer Dockerfile', () => {
  it('uses the CUDA 11.2 / cuDNN 8 base and pins tfjs-node-gpu', () => {
    expect(instr('FROM')).toEqual(['nvidia/cuda:11.2.2-cudnn8-runtime-ubuntu20.04']);
    expect(instr('RUN').join(' ')).toMatch(/@tensorflow\/tfjs-node-gpu@\d+\.\d+\.\d+/);
    expect(instr('RUN').join(' ')).toContain('npm ci --omit=dev');
  });
  it('gives the container the Vulkan driver WebGPU needs', () => {
    expect(instr('ENV').join(' ')).toMatch(/NVIDIA_DRIVER_CAPABILITIES=\S*graphics/);
    expect(instr('RUN').join(' ')).toContain('libvulkan1');
    const icd = JSON.parse(readFileSync(join(root, 'infra/docker/nvidia_icd.json'), 'utf8')) as {
      ICD: { library_path: string };
    };
    expect(icd.ICD.library_path).toBe('libGLX_nvidia.so.0');
  });
  it('every COPY source exists in the repo', () => {
    const sources = instr('COPY').flatMap((args) => args.split(/\s+/).slice(0, -1));
    expect(sources.length).toBeGreaterThan(5);
    for (const src of sources) expect(existsSync(join(root, src)), src).toBe(true);
  });
  it('runs as a non-root user with the retrain entrypoint on an existing file', () => {
    expect(instr('USER')).toEqual(['trainer']);
    const entry = JSON.parse(instr('ENTRYPOINT')[0] ?? '[]') as string[];
    expect(entry).toEqual(['node', 'bin/resnet-edge.js']);
    expect(JSON.parse(instr('CMD')[0] ?? '[]')).toEqual(['retrain']);
    expect(existsSync(join(root, entry[1] ?? ''))).toBe(true);
  });
  it('what the entrypoint loads at run time survives `npm ci --omit=dev`', () => {
    // bin/resnet-edge.js runs the TypeScript sources through tsx: it must be a production dependency.
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    expect(readFileSync(join(root, 'bin', 'resnet-edge.js'), 'utf8')).toContain("from 'tsx/esm/api'");
    expect(pkg.dependencies?.tsx).toBeDefined();
  });
});
