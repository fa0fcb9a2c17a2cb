# The PyTorch side of `npm run bench -- train`: training steps/s of the same architecture on random data.
import json, sys, time, resource
import torch, torch.nn.functional as F
from torch_models import net
cfg = json.loads(sys.argv[1])
torch.set_num_threads(cfg['threads'])
torch.manual_seed(0)

model = net(cfg['arch'], cfg['channels'], 10)
opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
def batch():
    return torch.rand(cfg['batch'], cfg['channels'], cfg['size'], cfg['size']), torch.arange(cfg['batch']) % 10
def step(x, y):
    opt.zero_grad(); loss = F.cross_entropy(model(x), y); loss.backward(); opt.step()
step(*batch())
data = [batch() for _ in range(cfg['steps'])]
t = time.perf_counter()
for x, y in data: step(x, y)
ms = (time.perf_counter() - t) / cfg['steps'] * 1000
print(json.dumps({'row': cfg['row'], 'batch': cfg['batch'], 'imgPerSec': cfg['batch'] / ms * 1000, 'msPerStep': ms,
                  'peakRssMiB': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  'detail': 'torch ' + torch.__version__ + ', ' + str(torch.get_num_threads()) + ' threads'}))
