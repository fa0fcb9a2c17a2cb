#!/usr/bin/env node
// The CLI is written in TypeScript and run through tsx's loader, so there is no build step between
// editing the code and running it (the worker is bundled by wrangler's esbuild the same way).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/src/main.ts');
process.exitCode = await main(process.argv.slice(2));
