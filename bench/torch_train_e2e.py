# The PyTorch side of `npm run bench -- train-e2e`: the whole job `resnet-edge train` does, end to end, on the
# same folder of PNGs — read and decode every file (grey replicated to RGB, scaled to [-1, 1]), a stratified
# seeded validation split, epochs of shuffled batches with random-crop augmentation (black padding), SGD with
# momentum, L2 weight decay on kernels only and a per-step cosine schedule, validation after every epoch
# (loss, top-1, top-5, confusion), the best model saved when it improved and a full checkpoint (model +
# optimizer) after every epoch, each written to a temporary file and renamed; at the end the best model is read
# back and evaluated once more. Prints one JSON line with the phases, timed like the trainer's.
import json, math, os, sys, time
t_start = time.perf_counter()
import numpy as np
import torch, torch.nn.functional as F
from PIL import Image
from torch_models import net

cfg = json.loads(sys.argv[1])
torch.set_num_threads(cfg['threads'])
torch.manual_seed(cfg['seed'])
rng = np.random.default_rng(cfg['seed'])
phases = {'startup': time.perf_counter() - t_start}

def timed(name, fn):
    t = time.perf_counter()
    r = fn()
    phases[name] = phases.get(name, 0.0) + time.perf_counter() - t
    return r

def load():
    root = cfg['data']
    labels = sorted(d for d in os.listdir(root) if os.path.isdir(os.path.join(root, d)) and not d.startswith('.'))
    train, val = [], []
    for k, name in enumerate(labels):
        files = sorted(os.listdir(os.path.join(root, name)))
        order = rng.permutation(len(files))
        take = min(round(len(files) * cfg['validationFraction']), len(files) - 1)
        for j, i in enumerate(order):
            (val if j < take else train).append((os.path.join(root, name, files[i]), k))
    def tensors(items):
        x = np.stack([np.asarray(Image.open(p).convert('RGB'), dtype=np.float32) for p, _ in items]) / 127.5 - 1
        return torch.from_numpy(x).permute(0, 3, 1, 2).contiguous(), torch.tensor([k for _, k in items])
    return labels, tensors(train), tensors(val)

labels, (xt, yt), (xv, yv) = timed('data', load)
k = len(labels)
model = timed('model', lambda: net(cfg['arch'], 3, k))
decay = [p for p in model.parameters() if p.dim() >= 2]
no_decay = [p for p in model.parameters() if p.dim() < 2]
opt = torch.optim.SGD([{'params': decay, 'weight_decay': cfg['weightDecay']}, {'params': no_decay, 'weight_decay': 0}],
                      lr=cfg['lr'], momentum=0.9)
n, b = len(yt), cfg['batch']
steps = n // b + (1 if n % b >= 2 else 0)
total_steps = steps * cfg['epochs']
pad = max(1, round(xt.shape[2] / 8))

def augment(x):
    # Random crop with black padding, one offset per image, as training/augment.ts draws them.
    h, w = x.shape[2], x.shape[3]
    padded = F.pad(x, (pad, pad, pad, pad), value=-1.0)
    dy = rng.integers(0, 2 * pad + 1, len(x)); dx = rng.integers(0, 2 * pad + 1, len(x))
    return torch.stack([padded[i, :, dy[i]:dy[i] + h, dx[i]:dx[i] + w] for i in range(len(x))])

def evaluate(m, x, y, bs):
    m.eval(); loss = 0.0; confusion = torch.zeros(k, k, dtype=torch.long); top5 = 0
    with torch.no_grad():
        for s in range(0, len(y), bs):
            z = m(x[s:s + bs]); t = y[s:s + bs]
            loss += F.cross_entropy(z, t, reduction='sum').item()
            confusion.index_put_((t, z.argmax(1)), torch.ones(len(t), dtype=torch.long), accumulate=True)
            top5 += (z.topk(min(5, k), 1).indices == t[:, None]).any(1).sum().item()
    m.train()
    return {'loss': loss / len(y), 'top1': confusion.diag().sum().item() / len(y), 'top5': top5 / len(y)}

def save_atomic(obj, path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    torch.save(obj, path + '.tmp'); os.replace(path + '.tmp', path)

out = cfg['out']; step = 0; best = None; images = 0
for epoch in range(cfg['epochs']):
    order = torch.from_numpy(rng.permutation(n))
    for s in range(steps):
        idx = order[s * b:(s + 1) * b]
        x, y = timed('batch', lambda: (augment(xt[idx]), yt[idx]))
        lr = 0.5 * cfg['lr'] * (1 + math.cos(math.pi * step / total_steps))
        for g in opt.param_groups: g['lr'] = lr
        def train_step():
            opt.zero_grad(); loss = F.cross_entropy(model(x), y); loss.backward(); opt.step()
            return loss.item()
        loss = timed('step', train_step)
        if not math.isfinite(loss): raise SystemExit('diverged')
        step += 1; images += len(y)
    v = timed('validation', lambda: evaluate(model, xv, yv, max(b, 64)))
    if best is None or v['top1'] > best['top1'] or (v['top1'] == best['top1'] and v['loss'] < best['loss']):
        best = {**v, 'epoch': epoch + 1}
        timed('saveBest', lambda: save_atomic(model.state_dict(), os.path.join(out, 'model', 'model.pt')))
    state = lambda: {'model': model.state_dict(), 'optimizer': opt.state_dict(), 'epoch': epoch + 1, 'step': step}
    timed('checkpoint', lambda: save_atomic(state(), os.path.join(out, 'checkpoints', 'last', 'checkpoint.pt')))

def final():
    m = net(cfg['arch'], 3, k); m.load_state_dict(torch.load(os.path.join(out, 'model', 'model.pt')))
    return evaluate(m, xv, yv, 128)
v = timed('finalEval', final)
phases['total'] = time.perf_counter() - t_start
print(json.dumps({'images': images, 'validationTop1': v['top1'], 'bestEpoch': best['epoch'],
                  'phases': {name: round(s, 3) for name, s in phases.items()},
                  'detail': 'torch ' + torch.__version__ + ', ' + str(torch.get_num_threads()) + ' threads'}))
