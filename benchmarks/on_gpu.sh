#!/usr/bin/env bash
# The SAM 2 GPU benchmarks in the order of what they answer, each started only while the time it needs is left:
# a lent GPU comes for minutes, so the table the README reports comes first and the long runs last.
#   bash benchmarks/on_gpu.sh [OUT_DIR]        (BUDGET=seconds, default 540; STEPS="bench overhead writer long compile",
#                                               DEVICE=cuda, EXTRA=more arguments for each benchmark)
# A machine without FaceLens's requirements but with torch (a bare GPU box) gets them from wheels put in .whl/
# beforehand (`pip download --python-version 3.12 --only-binary :all: -d .whl ...`), installed under /tmp.
set -u
cd "$(dirname "$0")/.."
out=${1:-benchmarks/results}
mkdir -p "$out"
budget=${BUDGET:-540}
steps=${STEPS:-"bench overhead writer long compile"}
dev=${DEVICE:-cuda}
extra=${EXTRA:-}  # DEVICE=cpu EXTRA=--quick LONG_TRACK=60 tries this script on a laptop
start=$(date +%s)
left() { echo $((budget - ($(date +%s) - start))); }

if [ -d .whl ] && ! python3 -c "import sqlalchemy, av, sam2" 2>/dev/null; then
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl || exit
    export PYTHONPATH=/tmp/site:$PWD/.whl/site
fi
export PYTHONUNBUFFERED=1

# step NAME SECONDS_NEEDED COMMAND...: SAM 2's per-frame "frame loading" progress bars are left out of the log.
# Each command gets EXTRA and --out NAME.json; the SAM 2 ones also --device.
step() {
    local name=$1 need=$2
    shift 2
    if [ "$(left)" -lt "$need" ]; then
        echo "== $name skipped: $(left) s left, it needs about $need s" | tee "$out/$name.txt"
        return
    fi
    echo "== $name ($(left) s left)"
    timeout "$(left)" "$@" $extra --out "$out/$name.json" 2>&1 | grep -v "frame loading" | tee "$out/$name.txt"
}

for s in $steps; do
    case $s in
        bench) step bench 240 python3 benchmarks/sam2_bench.py --device "$dev" --models tiny,large --long 0 ;;
        overhead) step overhead 150 python3 benchmarks/sam2_overhead.py --device "$dev" ;;
        # No GPU in it: the mask writer beside a thread launching torch operations, measured on the GPU
        # machine's many cores (on a 2-core machine the helper process shares the launcher's).
        writer) step writer 100 python3 benchmarks/mask_writer.py --rounds 5 ;;
        long) step long 240 python3 benchmarks/sam2_long_video.py --device "$dev" --track "${LONG_TRACK:-6000}" ;;
        compile) step compile 420 python3 benchmarks/sam2_bench.py --device "$dev" --models tiny --long 0 --compile ;;
        *) echo "unknown step $s (bench, overhead, writer, long, compile)"; exit 2 ;;
    esac
done
echo "== done in $(($(date +%s) - start)) s"
