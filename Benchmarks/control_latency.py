#!/usr/bin/env python3
"""Latency of `segctl status` while segd processes a batch of series (issue 7: p99 <= 200 ms under load).

Builds nothing: it runs an already built release segd/segctl (default .build/release, which must also hold the
plugin libraries the model needs, e.g. libSegdPluginUNet.so for Models/demo-ct). It

  1. writes a temporary configuration (watch folder, output, spool, state, a model folder with the model bundle);
  2. makes N distinct series from one small real series: copies with new Study, Series and SOP Instance UIDs
     (rewritten with dcmodify from DCMTK);
  3. starts `segd run`, copies the N series into the watch folder;
  4. while they are processed, runs `segctl status` every --interval seconds, timing each call end to end
     (process start to exit), until every job is final or --timeout passes;
  5. prints the distribution (n, min, p50, p90, p99, max, mean) and the jobs done, and exits 1 when p99 is over
     --limit-ms or a status call failed.

Usage:  for p in segd segctl SegdPluginUNet; do swift build -c release --product $p; done
        python3 Benchmarks/control_latency.py [--bin .build/release] [--series 50] [--interval 0.1]
Python 3 standard library only. Not part of CI.
"""
import argparse
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FINAL = ("done", "failed", "quarantined", "unrouted", "cancelled")


def new_uid():
    """A fresh UID under the UUID-derived root 2.25 (ISO/IEC 9834-8)."""
    return "2.25.%d" % uuid.uuid4().int


def make_series(source, target, count):
    """`count` copies of the DICOM files in `source`, each with its own Study/Series UIDs and new SOP UIDs."""
    files = sorted(f for f in os.listdir(source) if f.lower().endswith(".dcm") or "." not in f)
    if not files:
        sys.exit("control_latency: no DICOM files in %s" % source)
    folders = []
    for i in range(count):
        folder = os.path.join(target, "series-%03d" % i)
        os.makedirs(folder)
        study, series = new_uid(), new_uid()
        for name in files:
            path = os.path.join(folder, name)
            shutil.copyfile(os.path.join(source, name), path)
            subprocess.run(["dcmodify", "-nb", "-m", "(0020,000d)=" + study, "-m", "(0020,000e)=" + series,
                            "-m", "(0008,0018)=" + new_uid(), path], check=True, stdout=subprocess.DEVNULL)
        folders.append(folder)
    return folders, len(files)


def write_config(root, model):
    models = os.path.join(root, "models")
    os.makedirs(models)
    shutil.copytree(model, os.path.join(models, os.path.basename(model.rstrip("/"))),
                    ignore=shutil.ignore_patterns("train", "*.md"))
    with open(os.path.join(model, "model.json")) as f:
        model_id = re.search(r'"id"\s*:\s*"([^"]+)"', f.read()).group(1)
    socket = os.path.join(root, "control.sock")
    text = f"""[paths]
state = "{root}/state"
spool = "{root}/spool"
quarantine = "{root}/quarantine"
archive = "{root}/archive"
models = "{models}"
[processing]
retention = "delete"
[control]
socket = "{socket}"
[[watch]]
path = "{root}/in"
output = "{root}/out"
quietSeconds = 2
[[rule]]
name = "ct"
models = ["{model_id}"]
when = [ {{ field = "Modality", equals = "CT" }} ]
"""
    config = os.path.join(root, "segd.conf")
    with open(config, "w") as f:
        f.write(text)
    return config, socket


def percentile(sorted_values, p):
    """Nearest-rank percentile."""
    if not sorted_values:
        return float("nan")
    rank = max(1, int(-(-p * len(sorted_values) // 100)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def queue_counts(status_text):
    """The `queue` line of human `segctl status`: {state: count}."""
    for line in status_text.splitlines():
        if line.startswith("queue"):
            return {s: int(n) for s, n in re.findall(r"([a-z-]+) (\d+)", line[5:])}
    return {}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", default=os.path.join(REPO, ".build/release"), help="folder of segd, segctl, plugins")
    ap.add_argument("--series", type=int, default=50, help="series to process (default 50)")
    ap.add_argument("--source", default=os.path.join(REPO, "Tests/Fixtures/dicom/seg_ref_dcmqi_23x38x3/source"),
                    help="the real series to copy (a folder of DICOM files)")
    ap.add_argument("--model", default=os.path.join(REPO, "Models/demo-ct"), help="model bundle folder")
    ap.add_argument("--interval", type=float, default=0.1, help="seconds between status calls (default 0.1)")
    ap.add_argument("--timeout", type=float, default=1800, help="stop measuring after this many seconds")
    ap.add_argument("--limit-ms", type=float, default=200, help="fail when p99 is above this (default 200)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary folder (config, log, outputs)")
    args = ap.parse_args()

    segd, segctl = os.path.join(args.bin, "segd"), os.path.join(args.bin, "segctl")
    for p in (segd, segctl):
        if not os.access(p, os.X_OK):
            sys.exit(f"control_latency: {p} is not built; build segd, segctl and SegdPluginUNet with"
                     " swift build -c release --product NAME (or pass --bin)")
    if shutil.which("dcmodify") is None:
        sys.exit("control_latency: dcmodify is missing; install dcmtk (Packaging/setup.sh)")

    root = tempfile.mkdtemp(prefix="segd-latency-")
    daemon = None
    try:
        config, socket = write_config(root, os.path.abspath(args.model))
        folders, per_series = make_series(args.source, os.path.join(root, "staging"), args.series)
        env = dict(os.environ, NO_COLOR="1")
        env.pop("SEGD_SOCKET", None)
        env.pop("SEGD_PLUGIN_PATH", None)
        env.pop("NOTIFY_SOCKET", None)
        log = open(os.path.join(root, "segd.log"), "w")
        daemon = subprocess.Popen([segd, "run", "--config", config], stdout=log, stderr=log, env=env)
        status_cmd = [segctl, "status", "--socket", socket]
        deadline = time.monotonic() + 60
        while subprocess.run(status_cmd, capture_output=True, env=env).returncode != 0:
            if daemon.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"control_latency: segd did not come up; see {root}/segd.log")
            time.sleep(0.2)

        # Drop: copy every series into the watch folder, as a PACS would (files appear one by one).
        watch = os.path.join(root, "in")
        started = time.monotonic()
        for folder in folders:
            target = os.path.join(watch, os.path.basename(folder))
            os.makedirs(target)
            for name in sorted(os.listdir(folder)):
                shutil.copyfile(os.path.join(folder, name), os.path.join(target, name))
        print(f"dropped {len(folders)} series of {per_series} files in {time.monotonic() - started:.1f} s; "
              f"timing `segctl status` every {args.interval * 1000:.0f} ms", flush=True)

        samples, failures, counts = [], 0, {}
        last_report = time.monotonic()
        while time.monotonic() - started < args.timeout:
            t0 = time.perf_counter()
            r = subprocess.run(status_cmd, capture_output=True, text=True, env=env)
            elapsed = time.perf_counter() - t0
            if r.returncode != 0:
                failures += 1
                print(f"status failed ({r.returncode}): {r.stderr.strip()}", file=sys.stderr)
            else:
                samples.append(elapsed * 1000)
                counts = queue_counts(r.stdout)
            if sum(counts.get(s, 0) for s in FINAL) >= args.series:
                break
            if time.monotonic() - last_report > 10:
                last_report = time.monotonic()
                print(f"  {time.monotonic() - started:5.0f} s  {len(samples)} samples  queue {counts}", flush=True)
            time.sleep(max(0.0, args.interval - elapsed))
        wall = time.monotonic() - started

        s = sorted(samples)
        p99 = percentile(s, 99)
        print(f"\nsegctl status under load ({args.series} series, {os.path.basename(args.model.rstrip('/'))}):")
        print(f"  n={len(s)}  min={s[0]:.1f}  p50={percentile(s, 50):.1f}  p90={percentile(s, 90):.1f}  "
              f"p99={p99:.1f}  max={s[-1]:.1f}  mean={sum(s) / len(s):.1f}  (ms)" if s else "  no samples")
        print(f"  failed calls: {failures}")
        print(f"  jobs: {', '.join(f'{k} {v}' for k, v in sorted(counts.items()))} after {wall:.0f} s")
        ok = bool(s) and p99 <= args.limit_ms and failures == 0
        print(f"  {'PASS' if ok else 'FAIL'}: p99 {p99:.1f} ms (limit {args.limit_ms:.0f} ms)")
        return 0 if ok else 1
    finally:
        if daemon is not None and daemon.poll() is None:
            daemon.send_signal(signal.SIGTERM)
            try:
                daemon.wait(timeout=60)
            except subprocess.TimeoutExpired:
                daemon.kill()
        if args.keep:
            print(f"kept {root}")
        else:
            shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
