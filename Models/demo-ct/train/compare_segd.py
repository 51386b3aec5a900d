"""Compares segd's label map of the sample with the MONAI reference inference of the same bundle, voxel by voxel.

    segd process Samples/ct-head-philips --model Models/demo-ct --output OUT --nrrd
    python Models/demo-ct/train/compare_segd.py OUT/demo-ct-*.nrrd

Prints the voxels per label of both, the number of voxels whose label differs, and the Dice per label between them.
"""
from __future__ import annotations

import sys
import warnings

import numpy as np
import torch

warnings.filterwarnings("ignore", message=".*Orientation.__init__:labels.*")
sys.path.insert(0, __import__("os").path.dirname(__import__("os").path.abspath(__file__)))

import common  # noqa: E402
from evaluate import load_network, read_sample  # noqa: E402


def read_nrrd(path: str) -> np.ndarray:
    """segd's NRRD (uint8, raw, x fastest) as a (z, y, x) array."""
    with open(path, "rb") as f:
        blob = f.read()
    head, _, body = blob.partition(b"\n\n")
    fields = dict(line.split(": ", 1) for line in head.decode().splitlines()[1:] if ": " in line)
    assert fields["type"] == "uint8" and fields["encoding"] == "raw", fields
    x, y, z = (int(v) for v in fields["sizes"].split())
    return np.frombuffer(body, np.uint8, count=x * y * z).reshape(z, y, x)


def main() -> None:
    torch.set_num_threads(1)
    segd = read_nrrd(sys.argv[1])
    monai = common.infer(load_network(), read_sample())
    assert segd.shape == monai.shape, (segd.shape, monai.shape)
    differ = int((segd != monai).sum())
    print(f"voxels: {segd.size}, labels differing: {differ} ({100.0 * differ / segd.size:.4f} %)")
    for k in (1, 2):
        print(f"label {k}: segd {int((segd == k).sum())}, MONAI {int((monai == k).sum())}, "
              f"Dice(segd, MONAI) {common.dice(segd, monai, k):.6f}")


if __name__ == "__main__":
    main()
