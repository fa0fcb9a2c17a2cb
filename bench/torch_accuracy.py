# The PyTorch twin of `npm run bench -- accuracy`: the same ResNet-20 (projection shortcuts, as our TF.js model),
# the same data, preprocessing, augmentation, optimiser and schedule as `resnet-edge train`'s defaults.
import gzip, json, math, resource, sys, time
import numpy as np
import torch, torch.nn.functional as F
from torch_models import net

cfg = json.loads(sys.argv[1])
torch.set_num_threads(cfg['threads'])
torch.manual_seed(42); rng = np.random.default_rng(42)

def idx(path, offset):
    with gzip.open(path, 'rb') as f: return np.frombuffer(f.read(), np.uint8, offset=offset)

def load(prefix):
    x = idx(f"{cfg['data']}/{prefix}-images-idx3-ubyte.gz", 16).reshape(-1, 1, 28, 28)
    y = idx(f"{cfg['data']}/{prefix}-labels-idx1-ubyte.gz", 8).astype(np.int64)
    return torch.from_numpy(((x.astype(np.float32) / 255 - 0.286) / 0.353)), torch.from_numpy(y)

xtr, ytr = load('train'); xte, yte = load('t10k')
if cfg.get('maxTrain'): keep = rng.permutation(len(xtr))[:cfg['maxTrain']]; xtr, ytr = xtr[keep], ytr[keep]
BLACK = (0 - 0.286) / 0.353

model = net('resnet20', 1, 10)
# Our initialisers, not PyTorch's defaults (Kaiming-uniform with a = √5): tfjs' heNormal for convolutions (normal
# with std √(2 / fan_in), truncated at 2 std), glorotUniform and zero bias for the head; BatchNorm 1 and 0 on both.
for m in model.modules():
    if isinstance(m, torch.nn.Conv2d):
        std = math.sqrt(2 / (m.in_channels * m.kernel_size[0] * m.kernel_size[1]))
        torch.nn.init.trunc_normal_(m.weight, 0, std, -2 * std, 2 * std)
    elif isinstance(m, torch.nn.Linear):
        torch.nn.init.xavier_uniform_(m.weight); torch.nn.init.zeros_(m.bias)

decay = [p for n, p in model.named_parameters() if p.dim() > 1]   # conv and dense kernels only
rest = [p for n, p in model.named_parameters() if p.dim() <= 1]
opt = torch.optim.SGD([{'params': decay, 'weight_decay': 1e-4}, {'params': rest, 'weight_decay': 0}], lr=0.1, momentum=0.9)
batch, epochs = 64, cfg['epochs']
steps = epochs * math.ceil(len(xtr) / batch)

def random_crop(x):
    padded = F.pad(x, (4, 4, 4, 4), value=BLACK)
    out = torch.empty_like(x)
    offs = rng.integers(0, 9, size=(len(x), 2))
    for k, (dy, dx) in enumerate(offs): out[k] = padded[k, :, dy:dy + 28, dx:dx + 28]
    return out

t0 = time.perf_counter(); step = 0; seen = 0
for epoch in range(epochs):
    model.train()
    for start in range(0, len(xtr), batch):
        order = order if start else torch.from_numpy(rng.permutation(len(xtr)))
        idx_b = order[start:start + batch]
        for g in opt.param_groups: g['lr'] = 0.1 * 0.5 * (1 + math.cos(math.pi * step / steps))
        x = random_crop(xtr[idx_b]); y = ytr[idx_b]
        opt.zero_grad(); F.cross_entropy(model(x), y).backward(); opt.step()
        step += 1; seen += len(idx_b)
    print(f'torch epoch {epoch + 1}/{epochs} {time.perf_counter() - t0:.0f}s', file=sys.stderr, flush=True)
train_s = time.perf_counter() - t0
model.eval(); correct = 0
with torch.no_grad():
    for start in range(0, len(xte), 500): correct += (model(xte[start:start + 500]).argmax(1) == yte[start:start + 500]).sum().item()
print(json.dumps({'row': 'PyTorch ' + torch.__version__, 'top1': correct / len(xte), 'seconds': time.perf_counter() - t0,
                  'imgPerSec': seen / train_s, 'detail': f"{torch.get_num_threads()} threads, peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MiB"}))
