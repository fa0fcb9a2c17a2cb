# The PyTorch twins of our TF.js ResNets (projection shortcuts, as the TF.js models: option B), shared by the
# benchmarks' Python sides.
import torch.nn as nn, torch.nn.functional as F

class Basic(nn.Module):
    def __init__(s, cin, w, stride):
        super().__init__()
        s.c1 = nn.Conv2d(cin, w, 3, stride, 1, bias=False); s.b1 = nn.BatchNorm2d(w)
        s.c2 = nn.Conv2d(w, w, 3, 1, 1, bias=False); s.b2 = nn.BatchNorm2d(w)
        s.sc = nn.Sequential(nn.Conv2d(cin, w, 1, stride, bias=False), nn.BatchNorm2d(w)) if stride != 1 or cin != w else None
    def forward(s, x):
        y = F.relu(s.b1(s.c1(x))); y = s.b2(s.c2(y))
        return F.relu(y + (x if s.sc is None else s.sc(x)))

def net(arch, cin, classes):
    if arch.startswith('resnet') and arch[6:] in ('20', '32', '44', '56', '110'):
        n = (int(arch[6:]) - 2) // 6; widths = [16, 32, 64]; blocks = [n] * 3
        stem = [nn.Conv2d(cin, 16, 3, 1, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU()]; c = 16
    elif arch in ('resnet18', 'resnet34'):
        widths = [64, 128, 256, 512]; blocks = {'resnet18': [2, 2, 2, 2], 'resnet34': [3, 4, 6, 3]}[arch]
        stem = [nn.Conv2d(cin, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(3, 2, 1)]; c = 64
    else:
        raise SystemExit('bench: no PyTorch twin for ' + arch)
    layers = list(stem)
    for i, (w, b) in enumerate(zip(widths, blocks)):
        for j in range(b):
            layers.append(Basic(c, w, 2 if (i > 0 and j == 0) else 1)); c = w
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(c, classes)]
    return nn.Sequential(*layers)
