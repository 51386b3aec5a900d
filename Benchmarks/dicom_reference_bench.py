#!/usr/bin/env python3
"""Reference series-load timings on the same data as segd-bench-dicom (run offline, not in CI).

SimpleITK ImageSeriesReader (GDCM) and, if installed, dcm2niix. Usage:
  ~/.cache/check-seg/venv/bin/python Benchmarks/dicom_reference_bench.py [--runs N] FOLDER...
Prints median wall time, MB/s (source file bytes), slices/s and peak RSS of the Python process.
"""
import os, resource, shutil, statistics, subprocess, sys, tempfile, time

import SimpleITK as sitk

runs = 9
args = sys.argv[1:]
if args[:1] == ["--runs"]:
    runs, args = int(args[1]), args[2:]
print(f"SimpleITK {sitk.Version_VersionString()}, threads {sitk.ProcessObject.GetGlobalDefaultNumberOfThreads()}")
for folder in args:
    series = sitk.ImageSeriesReader.GetGDCMSeriesIDs(folder)
    for uid in series:
        files = sitk.ImageSeriesReader.GetGDCMSeriesFileNames(folder, uid)
        if len(files) < 2:
            continue
        size = sum(os.path.getsize(f) for f in files)
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            reader = sitk.ImageSeriesReader()
            reader.SetFileNames(files)
            image = sitk.Cast(reader.Execute(), sitk.sitkFloat32)
            times.append(time.perf_counter() - t)
        m = statistics.median(times)
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(f"simpleitk {os.path.basename(folder)}: {len(files)} slices, load median {m*1e3:.1f} ms "
              f"(min {min(times)*1e3:.1f}): {size/1e6/m:.0f} MB/s, {len(files)/m:.0f} slices/s; peak RSS {rss:.1f} MB")
    if shutil.which("dcm2niix"):
        times = []
        for _ in range(runs):
            with tempfile.TemporaryDirectory() as out:
                t = time.perf_counter()
                subprocess.run(["dcm2niix", "-b", "n", "-z", "n", "-o", out, folder], check=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                times.append(time.perf_counter() - t)
        m = statistics.median(times)
        size = sum(os.path.getsize(os.path.join(folder, f)) for f in os.listdir(folder))
        print(f"dcm2niix {os.path.basename(folder)}: whole folder (incl. NIfTI write) median {m*1e3:.1f} ms "
              f"(min {min(times)*1e3:.1f}): {size/1e6/m:.0f} MB/s of folder bytes")
