#!/usr/bin/env bash
# Fill .whl/ (git-ignored) with what benchmarks/on_gpu.sh needs on a lent GPU machine that has Python 3.12 and
# torch but none of FaceLens's other requirements; carry it there with the call (`carry: [".whl"]`).
#   bash benchmarks/gpu_wheels.sh          (PY=3.12; the machine itself cannot download)
# The list is what sam2_bench.py, sam2_overhead.py and sam2_long_video.py import, less torch, torchvision and
# triton (the machine's own), at the versions requirements.txt pins (the others: those .venv has). sam2 is published as source only: its wheel
# is built here without its optional CUDA extension (SAM 2 says it runs without it) and tagged pure Python.
set -euo pipefail
cd "$(dirname "$0")/.."
py=${PY:-3.12}
pip=.venv/bin/pip
[ -x "$pip" ] || pip="python3 -m pip"
pin() { grep -i "^$1==" requirements.txt | head -1; }
mkdir -p .whl .whl-cv
# compiled: the machine's Python's own builds (numpy and pillow come with its torchvision). OpenCV goes in a
# folder of its own: a call carries at most 64 MiB, so it travels in a first call (`carry: [".whl-cv"]`, command
# `true`) and stays on the warm machine for the second (`carry: [".whl"]`); its headless build is enough here.
$pip download -q --python-version "$py" --only-binary :all: --no-deps -d .whl-cv opencv-python-headless==4.11.0.86
$pip download -q --python-version "$py" --only-binary :all: --no-deps -d .whl \
    "$(pin av)" "$(pin pycocotools)" "$(pin SQLAlchemy)" MarkupSafe==3.0.4 PyYAML==6.0.4
# pure Python (some published as source only): built here, for any Python 3
$pip wheel -q --no-deps -w .whl "$(pin alembic)" "$(pin hydra-core)" Mako==1.4.3 omegaconf==2.3.1 \
    antlr4-python3-runtime==4.9.3 iopath==0.1.10 portalocker==4.4.2 tqdm==4.70.1 typing_extensions==4.16.0
build=$(mktemp -d)
SAM2_BUILD_CUDA=0 $pip wheel -q --no-deps --no-build-isolation "$(pin sam2)" -w "$build"
python3 - "$build"/sam2-*.whl .whl <<'EOF'
# The same files under the py3-none-any tag (nothing in it is compiled), so that Python 3.12 installs it.
import base64, hashlib, sys, zipfile
from pathlib import Path

src, out = Path(sys.argv[1]), Path(sys.argv[2])
name = src.name.split("-")
dst = out / f"{name[0]}-{name[1]}-py3-none-any.whl"
with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
    files = {i.filename: zin.read(i) for i in zin.infolist()}
    if any(f.endswith(".so") for f in files):
        sys.exit(f"{src.name} holds compiled code: it cannot be tagged pure Python")
    wheel = next(f for f in files if f.endswith(".dist-info/WHEEL"))
    files[wheel] = b"".join(b"Tag: py3-none-any\n" if l.startswith(b"Tag:") else
                            b"Root-Is-Purelib: true\n" if l.startswith(b"Root-Is-Purelib") else l
                            for l in files[wheel].splitlines(keepends=True))
    record = next(f for f in files if f.endswith(".dist-info/RECORD"))
    lines = []
    for line in files[record].decode().splitlines():
        path = line.split(",")[0]
        if path in files and path != record:
            digest = base64.urlsafe_b64encode(hashlib.sha256(files[path]).digest()).rstrip(b"=").decode()
            line = f"{path},sha256={digest},{len(files[path])}"
        lines.append(line)
    files[record] = ("\n".join(lines) + "\n").encode()
    for f, data in files.items():
        zout.writestr(f, data)
print(f"wrote {dst}")
EOF
rm -rf "$build"
du -sh .whl .whl-cv
