# Writes the small committed .pth fixtures of tests/transfer/readers.test.ts (run once with Debian's torch:
# /usr/bin/python3 scripts/make-transfer-fixtures.py). The readers' tests then need no Python.
#   tiny.pth  a state dict: a float32 conv weight, a non-contiguous (transposed) float32 matrix, an int64 counter
#   evil.pth  a state dict with one entry whose unpickling would call os.system: the reader must refuse it
#   module.pth  a whole nn.Module (torch.save(model)): classes, not plain tensors: refused
import os
import torch

here = os.path.join(os.path.dirname(__file__), "..", "tests", "fixtures", "transfer")
os.makedirs(here, exist_ok=True)
torch.manual_seed(0)
conv = torch.arange(2 * 3 * 2 * 2, dtype=torch.float32).reshape(2, 3, 2, 2) / 10
mat = torch.arange(6, dtype=torch.float32).reshape(2, 3).t()  # stride (1, 3): non-contiguous
torch.save({"conv.weight": conv, "mat": mat, "bn.num_batches_tracked": torch.tensor(7)}, os.path.join(here, "tiny.pth"))


class Evil:
    def __reduce__(self):
        return (os.system, ("touch /tmp/resnet-edge-pwned",))


torch.save({"conv.weight": conv, "evil": Evil()}, os.path.join(here, "evil.pth"))
torch.save(torch.nn.Sequential(torch.nn.Linear(2, 2)), os.path.join(here, "module.pth"))
