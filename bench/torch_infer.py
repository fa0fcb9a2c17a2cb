# The PyTorch side of `npm run bench -- infer`: float32 inference of the same architecture on this CPU,
# latency at batch 1 (median and p90 over `runs`) and throughput at batch 16.
import json, resource, sys, time
import torch
from torch_models import net

cfg = json.loads(sys.argv[1])
torch.set_num_threads(cfg['threads'])
model = net(cfg['arch'], cfg['channels'], cfg['classes']).eval()
def timed(batch, runs):
    x = torch.rand(batch, cfg['channels'], cfg['size'], cfg['size'])
    with torch.no_grad():
        model(x)
        out = []
        for _ in range(runs):
            t = time.perf_counter(); model(x); out.append((time.perf_counter() - t) * 1000)
    return sorted(out)
b1 = timed(1, cfg['runs'])
b16 = timed(16, max(1, cfg['runs'] // 4))
print(json.dumps({'p50': b1[len(b1) // 2], 'p90': b1[min(len(b1) - 1, int(len(b1) * 0.9))], 'imgPerSec': 16 / (b16[len(b16) // 2] / 1000),
                  'peakRssMiB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 'detail': f'torch {torch.__version__}, {torch.get_num_threads()} thread(s)'}))
