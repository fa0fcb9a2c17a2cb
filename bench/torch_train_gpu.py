# The PyTorch CUDA side of `npm run bench -- train-gpu`: training img/s of the same network on the same GPU.
# Prints {"available": false, ...} when torch has no CUDA device, so the caller can say so.
import json, sys, time
import torch, torch.nn.functional as F
from torch_models import net
cfg = json.loads(sys.argv[1])
if not torch.cuda.is_available():
    print(json.dumps({'available': False, 'detail': 'torch ' + torch.__version__ + ': torch.cuda.is_available() is False'})); sys.exit(0)
dev = torch.device('cuda'); torch.manual_seed(0); torch.backends.cudnn.benchmark = True
model = net(cfg['arch'], cfg['channels'], 10).to(dev)
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
x = torch.rand(cfg['batch'], cfg['channels'], cfg['size'], cfg['size'], device=dev); y = torch.arange(cfg['batch'], device=dev) % 10
def step():
    opt.zero_grad(set_to_none=True); loss = F.cross_entropy(model(x), y); loss.backward(); opt.step()
for _ in range(5): step()
torch.cuda.synchronize(); torch.cuda.reset_peak_memory_stats()
t = time.perf_counter()
for _ in range(cfg['steps']): step()
torch.cuda.synchronize()
ms = (time.perf_counter() - t) / cfg['steps'] * 1000
print(json.dumps({'available': True, 'imgPerSec': cfg['batch'] / ms * 1000, 'msPerStep': ms, 'peakBytes': torch.cuda.max_memory_allocated(),
                  'detail': 'torch ' + torch.__version__ + ' on ' + torch.cuda.get_device_name(0)}))
