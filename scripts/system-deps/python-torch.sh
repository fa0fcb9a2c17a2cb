#!/usr/bin/env bash
# Installs Debian's PyTorch and torchvision (1.13 / 0.14) for /usr/bin/python3: the peer of the transfer-learning
# logits-equality test (tests/transfer/torchvision-equality.test.ts) and of the PyTorch benchmarks.
# Idempotent: does nothing when torch and torchvision already import.
set -euo pipefail

if /usr/bin/python3 -c 'import torch, torchvision' 2>/dev/null; then
  echo "python-torch.sh: torch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)') already installed"
  exit 0
fi
SUDO=""
[[ $(id -u) -ne 0 ]] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3-torch python3-torchvision
