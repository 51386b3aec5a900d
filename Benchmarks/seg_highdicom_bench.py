#!/usr/bin/env python3
"""highdicom reference timing for segd-bench-seg (run by the benchmark with check-seg's venv python).

Usage: seg_highdicom_bench.py FILE_LIST LABELS_RAW NX NY NZ NLABELS RUNS OUT_SEG
FILE_LIST holds the source paths in slice order; LABELS_RAW is the uint8 label map, x fastest then y then z.
Prints one JSON line: {"highdicom": version, "times": [...], "frames": n}.
"""
import json, sys, time

import highdicom as hd
import numpy as np
import pydicom
from pydicom.sr.codedict import codes


def main():
    file_list, raw, nx, ny, nz, nlabels, runs, out = sys.argv[1:9]
    nx, ny, nz, nlabels, runs = int(nx), int(ny), int(nz), int(nlabels), int(runs)
    paths = [l.strip() for l in open(file_list) if l.strip()]
    sources = [pydicom.dcmread(p) for p in paths]
    labels = np.fromfile(raw, dtype=np.uint8).reshape(nz, ny, nx)
    algorithm = hd.AlgorithmIdentificationSequence(
        name="synthetic", family=codes.cid7162.ArtificialIntelligence, version="1.0")
    descriptions = [
        hd.seg.SegmentDescription(
            segment_number=i, segment_label=f"label {i}",
            segmented_property_category=codes.SCT.Tissue, segmented_property_type=codes.SCT.Tissue,
            algorithm_type=hd.seg.SegmentAlgorithmTypeValues.AUTOMATIC, algorithm_identification=algorithm)
        for i in range(1, nlabels + 1)
    ]
    times, frames = [], 0
    for _ in range(runs):
        t0 = time.perf_counter()
        seg = hd.seg.Segmentation(
            source_images=sources, pixel_array=labels, segmentation_type=hd.seg.SegmentationTypeValues.BINARY,
            segment_descriptions=descriptions, series_instance_uid=hd.UID(), series_number=901,
            sop_instance_uid=hd.UID(), instance_number=1, manufacturer="bench", manufacturer_model_name="bench",
            software_versions="1", device_serial_number="1")
        seg.save_as(out)
        times.append(time.perf_counter() - t0)
        frames = int(seg.NumberOfFrames)
    print(json.dumps({"highdicom": hd.__version__, "times": times, "frames": frames}))


if __name__ == "__main__":
    main()
