"""Evaluates the demo model bundle with the MONAI reference inference (common.infer).

    python Models/demo-ct/train/evaluate.py [--save-labels DIR]

1. Held-out Dice: the Philips head phantom series (shared/dicom/ct_philips_head_5mm, never trained on), the
   model's labels against the rule labels (data.make_labels), per label, on the source grid. Also the Dice on the
   training series, for comparison (these are NOT held out).
2. segd's reference numbers: voxels per label of the MONAI inference on the bundled sample
   Samples/ct-head-philips (the same pixels, JPEG-LS), which Tests/SegdCLITests/DemoModelTests.swift compares with
   `segd process`.
Writes Models/demo-ct/metrics.json and Tests/Fixtures/demo-ct/reference.json. With --save-labels, also the label
maps as raw uint8 (z, y, x) files for a voxel-by-voxel comparison with segd's NRRD output.
"""
from __future__ import annotations

import argparse
import warnings
import hashlib
import json
import os
import sys

import numpy as np
import SimpleITK as sitk
import torch
from safetensors.torch import load_file

warnings.filterwarnings("ignore", message=".*Orientation.__init__:labels.*")
HERE = os.path.dirname(os.path.abspath(__file__))
BUNDLE = os.path.dirname(HERE)
REPO = os.path.dirname(os.path.dirname(BUNDLE))
sys.path.insert(0, HERE)

import common  # noqa: E402
import data  # noqa: E402


def load_network() -> torch.nn.Module:
    with open(os.path.join(BUNDLE, "model.json")) as f:
        m = json.load(f)
    assert m["network"] == common.NETWORK, "model.json's network differs from common.NETWORK"
    path = os.path.join(BUNDLE, m["weights"]["file"])
    digest = hashlib.sha256(open(path, "rb").read()).hexdigest()
    assert digest == m["weights"]["sha256"], "weights sha256 differs from model.json"
    net = common.make_network()
    net.load_state_dict(load_file(path), strict=True)
    return net.eval()


def read_sample() -> data.Series:
    folder = os.path.join(REPO, "Samples", "ct-head-philips")
    reader = sitk.ImageSeriesReader()
    reader.SetFileNames(reader.GetGDCMSeriesFileNames(folder))
    img = reader.Execute()
    return data.Series("Samples/ct-head-philips", sitk.GetArrayFromImage(img).astype(np.float32),
                       img.GetSpacing(), img.GetOrigin(), img.GetDirection())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--save-labels", help="folder for raw uint8 (z, y, x) label maps")
    args = ap.parse_args()
    torch.set_num_threads(2)
    net = load_network()
    names = {k: v for k, v in data.LABELS.items() if k > 0}

    metrics: dict = {"held_out": {}, "training_series_not_held_out": {}, "labels": names}
    for name in [data.HELD_OUT_SERIES] + data.TRAIN_SERIES:
        s = data.read_series(name)
        rule = data.make_labels(s)
        pred = common.infer(net, s)
        d = {names[k]: round(common.dice(pred, rule, k), 4) for k in names}
        key = "held_out" if name == data.HELD_OUT_SERIES else "training_series_not_held_out"
        metrics[key][name] = d
        print(f"{'HELD OUT ' if key == 'held_out' else 'train    '}{name}: Dice {d}", flush=True)
        if args.save_labels:
            os.makedirs(args.save_labels, exist_ok=True)
            pred.tofile(os.path.join(args.save_labels, name.replace("/", "_") + ".monai.u8"))
            rule.tofile(os.path.join(args.save_labels, name.replace("/", "_") + ".rule.u8"))
    with open(os.path.join(BUNDLE, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=1)
        f.write("\n")

    sample = read_sample()
    pred = common.infer(net, sample)
    counts = {str(k): int((pred == k).sum()) for k in names}
    ref = {
        "what": "voxels per label of the MONAI 1.6.1 reference inference of Models/demo-ct on Samples/ct-head-philips "
                "(Models/demo-ct/train/evaluate.py: SimpleITK read, Orientation RAS, Spacing (1, 1, keep) bilinear, "
                "ScaleIntensityRange, 2-D gaussian sliding window per axial slice, softmax, inverse spatial "
                "transforms, argmax on the source grid)",
        "weights_sha256": hashlib.sha256(open(os.path.join(BUNDLE, "model.safetensors"), "rb").read()).hexdigest(),
        "size_xyz": [int(sample.hu.shape[2]), int(sample.hu.shape[1]), int(sample.hu.shape[0])],
        "voxels": counts,
        "versions": {"torch": torch.__version__, "monai": __import__("monai").__version__,
                     "SimpleITK": sitk.Version_VersionString()},
    }
    out = os.path.join(REPO, "Tests", "Fixtures", "demo-ct")
    os.makedirs(out, exist_ok=True)
    with open(os.path.join(out, "reference.json"), "w") as f:
        json.dump(ref, f, indent=1)
        f.write("\n")
    if args.save_labels:
        pred.tofile(os.path.join(args.save_labels, "sample.monai.u8"))
    print(f"sample: voxels per label {counts}", flush=True)


if __name__ == "__main__":
    main()
