# Sourced by the lent GPU machine's run scripts (device-run-fmnist.sh, device-run-train-gpu.sh), which
# scripts/pack-device-train.sh copies into the pack beside this file as setup.sh. The caller defines `pack` (the
# pack's folder), `work` (a scratch folder), `OUT`, `log` and `say`; these functions set `node` and `app`.

# Node (xz'd) and the bundled app (scripts/bundle-cli.sh's output) into $work.
unpack_app() {
  rm -rf "$work/app" && mkdir -p "$work/app"
  xz -dc "$pack/node.xz" > "$work/node" && chmod +x "$work/node" || return 1
  xz -dc "$pack/app.tar.xz" | tar -C "$work/app" -xf - || return 1
  node=$work/node
  app=$work/app
}

# The Vulkan loader and glvnd (NVIDIA's Vulkan ICD is libGLX_nvidia.so.0): only where they are missing, since
# dpkg -x writes into /. Then the driver's own ICD, when the machine has one (lavapipe is the CLI's default).
setup_vulkan() {
  if ! ldconfig -p | grep -q 'libvulkan.so.1 ' || ! ldconfig -p | grep -q 'libGLdispatch.so.0 '; then
    say "installing the Vulkan/glvnd loaders from $pack/debs"
    for f in "$pack"/debs/*.deb; do dpkg -x "$f" /; done
    ldconfig
  fi
  local nvidia=/usr/local/nvidia/share
  if [[ -z ${VK_DRIVER_FILES:-} && -f $nvidia/vulkan/icd.d/nvidia_icd.json ]]; then
    export VK_DRIVER_FILES=$nvidia/vulkan/icd.d/nvidia_icd.json
    export __EGL_VENDOR_LIBRARY_FILENAMES=$nvidia/glvnd/egl_vendor.d/10_nvidia.json
  elif [[ -z ${VK_DRIVER_FILES:-} ]] && ! compgen -G '/usr/share/vulkan/icd.d/nvidia_icd*.json' >/dev/null &&
    ! compgen -G '/etc/vulkan/icd.d/nvidia_icd*.json' >/dev/null && ldconfig -p | grep -q 'libGLX_nvidia.so.0 '; then
    # A driver without its ICD file: the one infra/docker/nvidia_icd.json gives the trainer image.
    printf '{"file_format_version":"1.0.0","ICD":{"library_path":"libGLX_nvidia.so.0","api_version":"1.3.0"}}\n' \
      > "$work/nvidia_icd.json"
    export VK_DRIVER_FILES=$work/nvidia_icd.json
  fi
  export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-/tmp}
}

# The machine, into $OUT/env.txt.
describe_machine() {
  {
    echo "date: $(date -u +%FT%TZ)"
    echo "node: $("$node" --version)"
    echo "cpu: $(nproc) × $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
    echo "gpu: $(nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader 2>/dev/null || echo none)"
    echo "VK_DRIVER_FILES: ${VK_DRIVER_FILES:-unset}"
  } > "$OUT/env.txt"
}

# Which adapter Dawn finds, before minutes go into the work: on a machine with an NVIDIA GPU, a software adapter
# (or none) means the Vulkan set-up failed, and the run stops here (exit 3) instead of crawling on llvmpipe.
require_hardware_adapter() {
  local adapter
  adapter=$("$node" --input-type=module -e '
    const { create } = await import(process.argv[1]);
    if (!process.env.VK_DRIVER_FILES && process.argv[2]) process.env.VK_DRIVER_FILES = process.argv[2];
    const a = await create([]).requestAdapter();
    const i = a?.info ?? {};
    console.log(a ? [i.vendor, i.architecture, i.device, i.description].filter(Boolean).join(" / ") : "none");
  ' "$app/node_modules/webgpu/index.js" "$([[ -f /opt/resnet-edge/mesa/lvp_icd.json ]] && echo /opt/resnet-edge/mesa/lvp_icd.json)" 2>>"$log")
  echo "webgpu adapter: ${adapter:-none}" >> "$OUT/env.txt"
  cat "$OUT/env.txt" >&2
  if nvidia-smi -L >/dev/null 2>&1 && [[ ${RESNET_EDGE_ALLOW_SOFTWARE_GPU:-} != 1 ]] &&
    { [[ ${adapter:-none} == none ]] || grep -qiE 'llvmpipe|lavapipe|swiftshader|software' <<< "$adapter"; }; then
    say "the GPU is not reachable through Vulkan (adapter: ${adapter:-none}); stopping (see run.log)"
    exit 3
  fi
}
