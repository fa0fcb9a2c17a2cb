# The peer side of tests/transfer/torchvision-equality.test.ts: randomly initialised torchvision ResNets
# (weights=None, fixed seed, BatchNorm statistics randomised so their mapping is exercised too), saved as .pth
# (torch.save) and .safetensors, and their eval-mode float32 logits on the images the test preprocessed.
#   /usr/bin/python3 torchvision_twin.py OUT_DIR INPUT.bin N H W ARCH...
# INPUT.bin: N×H×W×3 float32 little-endian (NHWC, already normalised). Writes OUT_DIR/ARCH.{pth,safetensors,logits.bin}.
import json
import struct
import sys

import torch
import torchvision


def save_safetensors(state, path):
    header, blobs, offset = {}, [], 0
    for name, t in state.items():
        t = t.detach().contiguous()
        dtype = {torch.float32: "F32", torch.int64: "I64"}[t.dtype]
        raw = t.numpy().tobytes()
        header[name] = {"dtype": dtype, "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for b in blobs:
            f.write(b)


def main():
    out, inp, n, h, w, *archs = sys.argv[1:]
    n, h, w = int(n), int(h), int(w)
    with open(inp, "rb") as f:
        x = torch.frombuffer(bytearray(f.read()), dtype=torch.float32).reshape(n, h, w, 3).permute(0, 3, 1, 2).contiguous()
    torch.set_num_threads(1)
    for i, arch in enumerate(archs):
        torch.manual_seed(1234 + i)
        model = getattr(torchvision.models, arch)(weights=None)
        with torch.no_grad():
            for m in model.modules():
                if isinstance(m, torch.nn.BatchNorm2d):
                    m.weight.uniform_(0.5, 1.5)
                    m.bias.uniform_(-0.2, 0.2)
                    m.running_mean.uniform_(-0.2, 0.2)
                    m.running_var.uniform_(0.5, 2.0)
        model.eval()
        torch.save(model.state_dict(), f"{out}/{arch}.pth")
        save_safetensors(model.state_dict(), f"{out}/{arch}.safetensors")
        with torch.no_grad():
            logits = model(x).to(torch.float32).contiguous()
        with open(f"{out}/{arch}.logits.bin", "wb") as f:
            f.write(logits.numpy().tobytes())


main()
