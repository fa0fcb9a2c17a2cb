// `resnet-edge serve`: the worker in real workerd (wrangler dev) over the local R2 folder that `publish`
// writes by default, so what was published locally is what is served.
import { defineCommand } from '../command.ts';
import { intOpt, stringOpt } from '../options.ts';
import { startLocalWorker, untilAborted } from '../serve-worker.ts';
import { DEFAULT_LOCAL_STATE } from '@resnet-edge/registry/store-url';

export const serveCommand = defineCommand<void>({
  usage: 'serve [--port 8787] [--persist-to DIR] [--model NAME]',
  details: `Publish into the same folder first: \`resnet-edge publish DIR --store r2-local:DIR\` (the default store).
Stops on Ctrl-C.`,
  reports: false,
  options: {
    port: { type: 'string', valueName: 'N', description: 'port on 127.0.0.1', default: '8787' },
    'persist-to': {
      type: 'string',
      valueName: 'DIR',
      description: `local R2 state folder (default ${DEFAULT_LOCAL_STATE})`,
    },
    model: {
      type: 'string',
      valueName: 'NAME',
      description: 'model the worker serves by default',
      default: 'fashion-mnist',
    },
  },
  async run(args, io) {
    const worker = await startLocalWorker({
      port: intOpt(args, 'port', 8787, { min: 1, max: 65535 }),
      persistTo: stringOpt(args, 'persist-to') ?? DEFAULT_LOCAL_STATE,
      modelName: stringOpt(args, 'model') ?? 'fashion-mnist',
      front: true,
      log: (l) => (process.env.RESNET_EDGE_DEBUG ? io.log(l) : undefined),
    });
    io.log(`worker listening on ${worker.url}  (upload page: ${worker.url}/ · API: POST ${worker.url}/v1/classify)`);
    io.log(`admin token for this session: ${worker.adminToken}   — Ctrl-C stops`);
    await untilAborted(io.signal);
    await worker.stop();
  },
});

export default serveCommand;
