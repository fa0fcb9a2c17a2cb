#!/usr/bin/env bash
# Issue 13's one-shot on a lent GPU machine: ResNet-20 on the full Fashion-MNIST with the long recipe
# (bench/accuracy.ts --recipe long: batch 128, SGD 0.1 momentum 0.9, weight decay 1e-4, one warm-up epoch then
# cosine, crop + flip + erase, 40 epochs), then the int8 quantization and an evaluation, everything into $OUT.
# scripts/pack-device-train.sh copies this into .gpu-train/run-fmnist.sh beside what it unpacks; run it from the
# repository root there:
#   bash .gpu-train/run-fmnist.sh [--backend NAME] [--time-limit MIN] [--epochs N] [--subset N] [train flags…]
#     --backend     webgpu (default) | wasm | cpu | …   (the CLI's `train --backend`)
#     --time-limit  minutes of training (default 9; the trainer stops at the last epoch boundary that fits, then
#                   evaluates on the test set as usual). The run tool kills a command at 600 s: keep training
#                   plus the minute of unpacking, quantizing and evaluating inside that
#     --epochs      the recipe's budget (default 40)
#     --subset N    smoke test: the first N training and N test images only
#     anything else is passed to `train` as it is (e.g. --max-train-samples 512 --gpu-step tfjs)
# $OUT gets (at most 8 files come back): env.txt, run.log (every step's log), train.json (the TrainResult, test
# top-1 included), run.json, quantize.json (float vs int8 top-1 on the 10,000 test images), model.tflite,
# eval.json (confusion matrix; skipped when time is short) and run.tar.gz (the run folder as training left it:
# model, checkpoint for `train --resume`, metrics, report). Written as each step ends, so a command stopped at
# its limit still brings back what was done. Exit 3: a GPU is there but Dawn sees only a software adapter.
set -uo pipefail
pack=$(cd "$(dirname "$0")" && pwd)
OUT=${OUT:-/tmp/fmnist-out}
work=${RESNET_EDGE_PACK_WORK:-/tmp/resnet-edge-pack}
backend=webgpu time_limit=9 epochs=40 subset=0 extra=()
while (($#)); do
  case $1 in
    --backend) backend=$2 && shift 2 ;;
    --time-limit) time_limit=$2 && shift 2 ;;
    --epochs) epochs=$2 && shift 2 ;;
    --subset) subset=$2 && shift 2 ;;
    *) extra+=("$1") && shift ;;
  esac
done
mkdir -p "$OUT" "$work"
log=$OUT/run.log
say() { echo "run-fmnist [$(date -u +%T), ${SECONDS}s]: $*" | tee -a "$log" >&2; }

# shellcheck source=scripts/device-setup.sh
source "$pack/setup.sh"
say "unpacking into $work"
rm -rf "$work/run" && mkdir -p "$work/data"
unpack_app || exit 1
for f in "$pack"/fashion-mnist/*.xz; do
  name=$(basename "$f" .xz)
  [[ -s $work/data/$name ]] || xz -dc "$f" > "$work/data/$name" || exit 1
done
cli=$app/resnet-edge.mjs

# A smoke test's IDX files: the first N records, with the count in the header rewritten.
if ((subset > 0)); then
  mkdir -p "$work/subset"
  "$node" -e '
    const fs = require("fs"), [src, dst, n] = process.argv.slice(1);
    for (const f of fs.readdirSync(src)) {
      const b = fs.readFileSync(`${src}/${f}`), dims = b[3], count = Math.min(Number(n), b.readUInt32BE(4));
      let record = 1; for (let d = 1; d < dims; d++) record *= b.readUInt32BE(4 + 4 * d);
      const head = 4 + 4 * dims, out = Buffer.from(b.subarray(0, head + count * record));
      out.writeUInt32BE(count, 4); fs.writeFileSync(`${dst}/${f}`, out);
    }' "$work/data" "$work/subset" "$subset" || exit 1
  data=$work/subset
else
  data=$work/data
fi

[[ $backend == webgpu ]] && setup_vulkan
describe_machine
echo "backend: $backend, time limit: $time_limit min, epochs: $epochs, subset: $subset, extra: ${extra[*]:-}" >> "$OUT/env.txt"
if [[ $backend == webgpu ]]; then require_hardware_adapter; else cat "$OUT/env.txt" >&2; fi

run=$work/run
say "train"
"$node" "$cli" train --arch resnet20 \
  --data "$data/train-images-idx3-ubyte" --test-data "$data/t10k-images-idx3-ubyte" \
  --spec "$pack/fashion-mnist.spec.json" --validation-fraction 0 \
  --epochs "$epochs" --batch-size 128 --warmup-epochs 1 --lr 0.1 --optimizer sgd --momentum 0.9 \
  --weight-decay 1e-4 --schedule cosine --augment crop,flip,erase \
  --time-limit "$time_limit" --backend "$backend" --out "$run" "${extra[@]}" --json \
  > "$OUT/train.json" 2> >(tee -a "$log" >&2)
status=$?
cp "$run/run.json" "$OUT/" 2>/dev/null
if ((status != 0)); then
  say "train exited $status"
  exit "$status"
fi
tar -C "$work" -czf "$OUT/run.tar.gz" run
"$node" -e '
  const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
  console.error(`run-fmnist: ${r.epochs} epoch(s), ${r.stopped}, test top-1 ${(r.test.top1 * 100).toFixed(2)} %, ${r.trainImagesPerSecond.toFixed(0)} img/s, ${r.phases.total.toFixed(0)} s`);
' "$OUT/train.json" 2>&1 | tee -a "$log" >&2

# The int8 model's accuracy is measured by the shared int8 interpreter (CPU); its float side on wasm, since
# quantize's calibration reads tensors synchronously, which webgpu cannot ("OffscreenCanvas is not defined").
# Then the confusion matrix, if the command's 600 s leave room for it.
say "quantize"
"$node" "$cli" quantize --run "$run" --backend wasm --json > "$OUT/quantize.json" 2> >(tee -a "$log" >&2)
quantized=$?
cp "$run/quantized/model.tflite" "$OUT/" 2>/dev/null
if ((SECONDS < ${RESNET_EDGE_EVAL_BEFORE_S:-540})); then
  say "eval"
  "$node" "$cli" eval --run "$run" --backend "$backend" --out "$OUT/eval.json" 2> >(tee -a "$log" >&2) |
    tee -a "$log" >&2
else
  say "eval skipped: ${SECONDS}s gone, the run tool stops the command at 600 s"
fi
# The reply carries the end of the output: the numbers last.
"$node" -e '
  const fs = require("fs"), read = (f) => { try { return JSON.parse(fs.readFileSync(f, "utf8")); } catch { return undefined; } };
  const t = read(process.argv[1]), q = read(process.argv[2]), pct = (v) => (v * 100).toFixed(2) + " %";
  console.error(`run-fmnist: backend ${t.backend}, ${t.epochs} epoch(s) (${t.stopped}), ${t.trainImagesPerSecond.toFixed(0)} img/s, train command ${t.phases.total.toFixed(0)} s; test top-1 ${pct(t.test.top1)}` +
    (q?.comparison ? `; quantized on ${q.comparison.samples} images: float ${pct(q.comparison.floatTop1)} → int8 ${pct(q.comparison.int8Top1)}` : "; no quantization result"));
' "$OUT/train.json" "$OUT/quantize.json" 2>&1 | tee -a "$log" >&2
say "done: $(cd "$OUT" && ls | tr '\n' ' ')"
exit "$quantized"
