#!/usr/bin/env bash
# The SAM 2 GPU benchmarks in the order of what they answer, each started only while the time it needs is left:
# a lent GPU comes for minutes, so the table the README reports comes first and the long runs last.
#   bash benchmarks/on_gpu.sh [OUT_DIR]        (BUDGET=seconds, default 540; STEPS="bench overhead writer long compile",
#                                               DEVICE=cuda, EXTRA=more arguments for each benchmark)
# A machine without FaceLens's requirements but with torch (a bare GPU box) gets them from wheels put in .whl/
# and .whl-cv/ beforehand (`bash benchmarks/gpu_wheels.sh`, which says how they travel), installed under /tmp.
#
# Seconds each step took on an H200 (2026-11-28; the machine's start took about 30 s more): bench 200 (three
# rounds, with --profile), overhead 130 with four variants (about 30 more each), long 230 with LONG_TRACK=3000
# (half of it encoding the 10-minute video). BUDGET must stay under the call's own limit (a call is given less
# than it asks for when less device time is left: the reply's limit_s), or the kernels below are lost.
# Compiling autotunes for many minutes (tiny alone had not finished after 430 s): give it a lease of its own, two
# calls on the warm machine, STEPS=compile each time (the second goes on from the first's kernels). The kernels it
# keeps come back as OUT_DIR/compiled.tgz where they fit (16 MiB), also from a compile cut short: put that file
# in .whl/ and a later lease's compile step starts from them instead of autotuning again.
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
    python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site \
        .whl/*.whl $(ls .whl-cv/*.whl 2>/dev/null) || exit
    export PYTHONPATH=/tmp/site:$PWD/.whl/site
fi
export PYTHONUNBUFFERED=1
export FACELENS_HOME=${FACELENS_HOME:-/tmp/facelens-gpu-home}  # the compiled kernels live in its compiled/
if [ -f .whl/compiled.tgz ]; then
    mkdir -p "$FACELENS_HOME" && tar -xzf .whl/compiled.tgz -C "$FACELENS_HOME" && echo "== compiled kernels from .whl/compiled.tgz"
fi

# step NAME SECONDS_NEEDED COMMAND...: SAM 2's per-frame "frame loading" progress bars are left out of the log.
# Each command gets EXTRA and --out NAME.json; the SAM 2 ones also --device. KEEP=seconds: stop the command that
# long before the budget's end (the compile step keeps time to pack its kernels).
step() {
    local name=$1 need=$2
    shift 2
    if [ "$(left)" -lt "$need" ]; then
        echo "== $name skipped: $(left) s left, it needs about $need s" | tee "$out/$name.txt"
        return
    fi
    echo "== $name ($(left) s left)"
    timeout "$(($(left) - ${KEEP:-0}))" "$@" $extra --out "$out/$name.json" 2>&1 | grep -v "frame loading" | tee "$out/$name.txt"
}

for s in $steps; do
    case $s in
        bench) step bench 240 python3 benchmarks/sam2_bench.py --device "$dev" --models tiny,large --long 0 --profile ;;
        # (the variants that answer what is left: raw_copy, app_encoded_in_thread, the switch interval and the
        # preloaded session were measured 2026-11-28; app_writer_in_thread is the app of those runs)
        overhead) step overhead 190 python3 benchmarks/sam2_overhead.py --device "$dev" --models tiny --reps 2 \
            --variants raw,app,app_writer_in_thread,app_face_masks,app_nothing_stored,session_streamed ;;
        # No GPU in it: the mask writer beside a thread launching torch operations, measured on the GPU
        # machine's many cores (on a 2-core machine the helper process shares the launcher's).
        writer) step writer 100 python3 benchmarks/mask_writer.py --rounds 5 ;;
        long) step long 240 python3 benchmarks/sam2_long_video.py --device "$dev" --track "${LONG_TRACK:-6000}" ;;
        compile)
            KEEP=20 step compile 300 python3 benchmarks/sam2_bench.py --device "$dev" --models tiny --long 0 --compile --rounds 1
            if [ -d "$FACELENS_HOME/compiled" ]; then
                tar -czf "$out/compiled.tgz" -C "$FACELENS_HOME" compiled
                [ "$(stat -c %s "$out/compiled.tgz")" -le $((16 << 20)) ] || { echo "== compiled.tgz is over 16 MiB: not kept"; rm "$out/compiled.tgz"; }
            fi ;;
        *) echo "unknown step $s (bench, overhead, writer, long, compile)"; exit 2 ;;
    esac
done
echo "== done in $(($(date +%s) - start)) s"
