#!/usr/bin/env python3
"""Makes the MONAI reference fixtures for SegModelKit's pipeline tests (run offline, not in CI).

    /work/venv-torch/bin/python Tests/SegModelKitTests/Generators/make_pipeline_fixtures.py Tests/Fixtures/pipeline

Writes small little-endian float32 `.bin` files and `index.json` describing each case. Synthetic inputs are
deterministic formulas, so the Swift tests rebuild them exactly (see `PipelineFixtures.swift`).

Conventions: a source volume is given as an LPS grid (size, spacing, origin, direction columns) with voxels
x-fastest, as segd's `Imaging.Volume`. MONAI sees it as ITK's reader would: a channel-first array
[1, x, y, z] and the RAS affine diag(-1, -1, 1, 1) @ LPS affine.
"""
import json
import math
import os
import sys

import numpy as np
import torch
import monai
from monai.data import MetaTensor
from monai.inferers import sliding_window_inference
from monai.data.utils import compute_importance_map
from monai.transforms import Compose, Orientation, Spacing, ScaleIntensityRange, NormalizeIntensity

torch.set_num_threads(1)
OUT = sys.argv[1] if len(sys.argv) > 1 else "Tests/Fixtures/pipeline"
os.makedirs(OUT, exist_ok=True)
index = {"monai": monai.__version__, "torch": torch.__version__, "geometry": [], "intensity": [],
         "importance": [], "sliding": []}


def save(name, array):
    a = np.ascontiguousarray(np.asarray(array, dtype="<f4"))
    a.tofile(os.path.join(OUT, name))
    return name


def synthetic(size):
    """value(i, j, k) = sin(0.37 i) + cos(0.23 j) * 2 + 0.05 k^1.5 + ((i * 7 + j * 13 + k * 29) % 11) / 10 − 0.5.
    Returned as an array indexed [x, y, z]."""
    i, j, k = np.meshgrid(*[np.arange(n, dtype=np.float64) for n in size], indexing="ij")
    v = np.sin(0.37 * i) + np.cos(0.23 * j) * 2 + 0.05 * k ** 1.5 + ((i * 7 + j * 13 + k * 29) % 11) / 10 - 0.5
    return v.astype(np.float32)


def rotation(axis, degrees):
    a = math.radians(degrees)
    c, s = math.cos(a), math.sin(a)
    if axis == 0:
        return np.array([[1, 0, 0], [0, c, -s], [0, s, c]])
    if axis == 1:
        return np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]])
    return np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])


GEOMETRIES = [
    # name, size, spacing, origin, direction (columns = x, y, z axes in LPS), axcodes, pixdim
    ("axial", (23, 19, 17), (0.8, 0.9, 2.5), (-100.0, -80.5, 40.0), np.eye(3), "RAS", (1.1, 1.3, 1.7)),
    ("axial_keep", (20, 18, 9), (1.5, 1.5, 2.0), (10.0, 20.0, 30.0), np.eye(3), "RAS", (1.5004, 1.4995, 2.0)),
    ("oblique", (21, 18, 15), (0.7, 0.75, 1.9), (-50.0, 30.0, -20.0),
     rotation(2, 25) @ rotation(0, -15), "RAS", (1.0, 1.0, 1.5)),
    # Sagittal MR: rows run A→P… x = +P, y = −S (down), slices toward +L.
    ("sagittal", (20, 22, 13), (0.9, 0.95, 3.1), (-40.0, -90.0, 70.0),
     np.array([[0, 0, 1], [1, 0, 0], [0, -1, 0]], dtype=float), "RAS", (1.2, 1.2, 1.2)),
    ("sagittal_lps", (20, 22, 13), (0.9, 0.95, 3.1), (-40.0, -90.0, 70.0),
     np.array([[0, 0, 1], [1, 0, 0], [0, -1, 0]], dtype=float), "PLI", (1.0, 2.0, 0.0)),
]

for name, size, spacing, origin, direction, axcodes, pixdim in GEOMETRIES:
    lps = np.eye(4)
    lps[:3, :3] = direction @ np.diag(spacing)
    lps[:3, 3] = origin
    ras = np.diag([-1.0, -1.0, 1.0, 1.0]) @ lps
    vol = synthetic(size)
    img = MetaTensor(torch.from_numpy(vol[None].copy()), affine=torch.from_numpy(ras))
    xform = Compose([Orientation(axcodes=axcodes), Spacing(pixdim=pixdim, mode="bilinear")])
    out = xform(img)
    inv = xform.inverse(out)
    index["geometry"].append({
        "name": name, "size": list(size), "spacing": list(spacing), "origin": list(origin),
        "directionRowMajor": direction.reshape(-1).tolist(), "axcodes": axcodes, "pixdim": list(pixdim),
        "outShape": list(out.shape[1:]), "outAffine": out.affine.numpy().tolist(),
        # Model-space array in C order over (axis 0, 1, 2), as segd's model-space layout.
        "forward": save(f"geometry_{name}_forward.bin", out[0].numpy()),
        # Back on the source grid, x fastest (transpose [x,y,z] → [z,y,x] C order).
        "inverse": save(f"geometry_{name}_inverse.bin", inv[0].numpy().transpose(2, 1, 0)),
    })

# Intensity transforms on a synthetic 9×7×5 volume scaled to a CT-like range, with exact zeros for `nonzero`.
vol = synthetic((9, 7, 5)) * 300.0
vol[vol < -200] = 0.0
t = torch.from_numpy(vol[None].copy())
cases = [
    ("sir_clip", {"name": "ScaleIntensityRange", "a_min": -57.0, "a_max": 164.0, "b_min": 0.0, "b_max": 1.0, "clip": True},
     ScaleIntensityRange(a_min=-57.0, a_max=164.0, b_min=0.0, b_max=1.0, clip=True)),
    ("sir_noclip", {"name": "ScaleIntensityRange", "a_min": -1000.0, "a_max": 1000.0, "b_min": -1.0, "b_max": 1.0, "clip": False},
     ScaleIntensityRange(a_min=-1000.0, a_max=1000.0, b_min=-1.0, b_max=1.0, clip=False)),
    ("sir_nob", {"name": "ScaleIntensityRange", "a_min": -100.0, "a_max": 300.0},
     ScaleIntensityRange(a_min=-100.0, a_max=300.0, b_min=None, b_max=None)),
    ("norm", {"name": "NormalizeIntensity"}, NormalizeIntensity()),
    ("norm_nonzero", {"name": "NormalizeIntensity", "nonzero": True}, NormalizeIntensity(nonzero=True)),
    ("norm_fixed", {"name": "NormalizeIntensity", "subtrahend": 40.0, "divisor": 250.0, "nonzero": True},
     NormalizeIntensity(subtrahend=40.0, divisor=250.0, nonzero=True)),
]
index["intensityInput"] = save("intensity_input.bin", vol.transpose(2, 1, 0))
index["intensityShape"] = [9, 7, 5]
for name, spec, transform in cases:
    out = transform(t.clone())
    index["intensity"].append({"name": name, "transform": spec,
                               "output": save(f"intensity_{name}.bin", np.asarray(out[0]).transpose(2, 1, 0))})

# Importance maps.
for size, sigma in [((8, 10, 6), 0.125), ((32, 24, 16), 0.125), ((16, 5, 9), 0.5), ((12, 12), 0.125)]:
    m = compute_importance_map(size, mode="gaussian", sigma_scale=sigma, device="cpu")
    index["importance"].append({"size": list(size), "sigmaScale": sigma,
                                "output": save("importance_" + "x".join(map(str, size)) + f"_{sigma}.bin", m.numpy())})


def conv_weights(in_ch, out_ch, dims):
    """Deterministic 3-wide kernel weights w[o, c, taps…] = ((o*5 + c*3 + flat tap index * 7) % 13 − 6) / 20,
    bias b[o] = (o − 1) / 4."""
    taps = 3 ** dims
    w = np.zeros((out_ch, in_ch, taps), dtype=np.float32)
    for o in range(out_ch):
        for c in range(in_ch):
            for t_ in range(taps):
                w[o, c, t_] = ((o * 5 + c * 3 + t_ * 7) % 13 - 6) / 20.0
    b = np.array([(o - 1) / 4.0 for o in range(out_ch)], dtype=np.float32)
    return torch.from_numpy(w.reshape((out_ch, in_ch) + (3,) * dims)), torch.from_numpy(b)


def conv_predictor(in_ch, out_ch, dims):
    w, b = conv_weights(in_ch, out_ch, dims)
    conv = torch.nn.functional.conv3d if dims == 3 else torch.nn.functional.conv2d
    return lambda x: torch.tanh(conv(x.double(), w.double(), b.double(), padding=1).float())


SLIDING = [
    # name, spatial size, in, out, roi, overlap, mode, sigma, batch, padding, cval
    ("c25", (23, 19, 17), 1, 3, (8, 10, 6), 0.25, "constant", 0.125, 1, "constant", 0.0),
    ("g25", (23, 19, 17), 1, 3, (8, 10, 6), 0.25, "gaussian", 0.125, 3, "constant", 0.0),
    ("c50", (23, 19, 17), 2, 2, (8, 10, 6), 0.5, "constant", 0.125, 2, "constant", 0.0),
    ("g50", (23, 19, 17), 2, 2, (8, 10, 6), 0.5, "gaussian", 0.125, 4, "constant", 0.0),
    ("g50_small", (7, 19, 5), 1, 2, (9, 8, 8), 0.5, "gaussian", 0.3, 2, "constant", -0.5),
    ("g25_replicate", (7, 13, 5), 1, 2, (9, 8, 6), 0.25, "gaussian", 0.125, 1, "replicate", 0.0),
    ("c25_reflect", (6, 13, 5), 1, 2, (9, 8, 8), 0.25, "constant", 0.125, 1, "reflect", 0.0),
    ("g50_circular", (6, 13, 5), 1, 2, (9, 8, 8), 0.5, "gaussian", 0.125, 1, "circular", 0.0),
]
for name, size, cin, cout, roi, overlap, mode, sigma, batch, padding, cval in SLIDING:
    x = np.stack([synthetic(size) * (0.5 + c) for c in range(cin)])[None]
    predictor = conv_predictor(cin, cout, 3)
    calls = []

    def counted(p, predictor=predictor, calls=calls):
        calls.append(p.shape[0])
        return predictor(p)

    y = sliding_window_inference(torch.from_numpy(x), roi, batch, counted, overlap=overlap, mode=mode,
                                 sigma_scale=sigma, padding_mode=padding, cval=cval)
    index["sliding"].append({
        "name": name, "size": list(size), "inChannels": cin, "outChannels": cout, "roi": list(roi),
        "overlap": overlap, "mode": mode, "sigmaScale": sigma, "swBatchSize": batch, "paddingMode": padding,
        "cval": cval, "windows": int(sum(calls)), "calls": len(calls),
        # [C][x][y][z] C order: segd's model-space layout with channels outermost.
        "output": save(f"sliding_{name}.bin", y[0].numpy()),
    })

# 2-D: slice by slice along model axis 2, as a loop of 2-D sliding windows (what MONAI's SliceInferer does).
for name, size, roi, overlap, mode in [("2d_g25", (19, 23, 4), (8, 10), 0.25, "gaussian"),
                                       ("2d_c50", (19, 23, 4), (12, 30), 0.5, "constant")]:
    x = synthetic(size) * 0.5  # channel 0 scaled as in the 3-D cases
    predictor = conv_predictor(1, 2, 2)
    slices = []
    for k in range(size[2]):
        s = torch.from_numpy(np.ascontiguousarray(x[:, :, k]))[None, None]
        slices.append(sliding_window_inference(s, roi, 2, predictor, overlap=overlap, mode=mode)[0].numpy())
    y = np.stack(slices, axis=-1)  # [C, x, y, z]
    index["sliding"].append({
        "name": name, "size": list(size), "inChannels": 1, "outChannels": 2, "roi": list(roi), "overlap": overlap,
        "mode": mode, "sigmaScale": 0.125, "swBatchSize": 2, "paddingMode": "constant", "cval": 0.0,
        "sliceAxis": 2, "output": save(f"sliding_{name}.bin", y),
    })

# The whole chain, as a MONAI inference script does it: Orientation → Spacing → ScaleIntensityRange →
# sliding_window_inference(gaussian) → softmax → inverse of the spatial transforms → argmax on the source grid.
index["chain"] = []
CHAINS = [
    # name, size, spacing, origin, direction, pixdim, roi, overlap, out channels, 2-D slice axis
    ("chain3d", (32, 30, 16), (0.9, 0.8, 2.2), (-30.0, 20.0, -15.0), rotation(2, -20) @ rotation(1, 10),
     (1.3, 1.2, 1.9), (16, 16, 12), 0.5, 3, None),
    ("chain2d", (30, 28, 8), (0.9, 0.8, 2.5), (10.0, -20.0, 5.0), np.eye(3), (1.2, 1.1, 0.0), (12, 16), 0.25, 2, 2),
]
for name, size, spacing, origin, direction, pixdim, roi, overlap, cout, slice_axis in CHAINS:
    lps = np.eye(4)
    lps[:3, :3] = direction @ np.diag(spacing)
    lps[:3, 3] = origin
    ras = np.diag([-1.0, -1.0, 1.0, 1.0]) @ lps
    img = MetaTensor(torch.from_numpy((synthetic(size) * 30.0)[None].copy()), affine=torch.from_numpy(ras))
    pre = Compose([Orientation(axcodes="RAS"), Spacing(pixdim=pixdim, mode="bilinear"),
                   ScaleIntensityRange(a_min=-20.0, a_max=80.0, b_min=0.0, b_max=1.0, clip=True)])
    x = pre(img)
    if slice_axis is None:
        y = sliding_window_inference(x.as_tensor()[None], roi, 2, conv_predictor(1, cout, 3), overlap=overlap,
                                     mode="gaussian")[0]
    else:
        predictor = conv_predictor(1, cout, 2)
        parts = []
        for k in range(x.shape[3]):
            s = x.as_tensor()[None, :, :, :, k]
            parts.append(sliding_window_inference(s, roi, 2, predictor, overlap=overlap, mode="gaussian")[0])
        y = torch.stack(parts, dim=-1)
    p = torch.softmax(y, dim=0)
    p = MetaTensor(p, affine=x.affine, applied_operations=x.applied_operations)
    back = pre.inverse(p)
    probs = back.as_tensor().numpy()  # [C, x, y, z]
    labels = np.argmax(probs, axis=0).astype(np.uint8)
    np.ascontiguousarray(labels.transpose(2, 1, 0)).tofile(os.path.join(OUT, f"{name}_labels.u8"))
    index["chain"].append({
        "name": name, "size": list(size), "spacing": list(spacing), "origin": list(origin),
        "directionRowMajor": direction.reshape(-1).tolist(), "pixdim": list(pixdim), "roi": list(roi),
        "overlap": overlap, "outChannels": cout, "sliceAxis": slice_axis, "modelShape": list(x.shape[1:]),
        # Probabilities on the source grid, [C][z][y][x] (x fastest per channel).
        "probabilities": save(f"{name}_probabilities.bin", probs.transpose(0, 3, 2, 1)),
        "labels": f"{name}_labels.u8",
    })

with open(os.path.join(OUT, "index.json"), "w") as f:
    json.dump(index, f, indent=1)
print("wrote", OUT)
