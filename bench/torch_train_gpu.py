# The PyTorch side of `npm run bench -- train-gpu`: training img/s of the same network, on CUDA when torch has a
# device there, else on the CPU (cfg "device": "auto" | "cuda" | "cpu"; "threads" for the CPU). Prints one JSON
# line; {"available": false, ...} when the device asked for is missing, so the caller can say so.
import json, sys, time
import torch, torch.nn.functional as F
from torch_models import net
cfg = json.loads(sys.argv[1])
want = cfg.get('device', 'auto')
if want == 'auto':
    want = 'cuda' if torch.cuda.is_available() else 'cpu'
if want == 'cuda' and not torch.cuda.is_available():
    print(json.dumps({'available': False, 'detail': 'torch ' + torch.__version__ + ': torch.cuda.is_available() is False'})); sys.exit(0)
cuda = want == 'cuda'
if not cuda:
    torch.set_num_threads(int(cfg.get('threads', 1)))
dev = torch.device(want); torch.manual_seed(0)
if cuda:
    torch.backends.cudnn.benchmark = True
model = net(cfg['arch'], cfg['channels'], 10).to(dev)
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
x = torch.rand(cfg['batch'], cfg['channels'], cfg['size'], cfg['size'], device=dev); y = torch.arange(cfg['batch'], device=dev) % 10
def step():
    opt.zero_grad(set_to_none=True); loss = F.cross_entropy(model(x), y); loss.backward(); opt.step()
def sync():
    if cuda: torch.cuda.synchronize()
for _ in range(2 if not cuda else 5): step()
sync()
if cuda: torch.cuda.reset_peak_memory_stats()
t = time.perf_counter()
for _ in range(cfg['steps']): step()
sync()
ms = (time.perf_counter() - t) / cfg['steps'] * 1000
where = torch.cuda.get_device_name(0) if cuda else 'CPU, %d threads' % torch.get_num_threads()
print(json.dumps({'available': True, 'device': want, 'imgPerSec': cfg['batch'] / ms * 1000, 'msPerStep': ms,
                  'peakBytes': torch.cuda.max_memory_allocated() if cuda else None, 'detail': 'torch ' + torch.__version__ + ' on ' + where}))
