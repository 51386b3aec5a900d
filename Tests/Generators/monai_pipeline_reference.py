#!/usr/bin/env python3
"""MONAI 1.6.1 references for segd's pipeline on REAL series with REAL networks (offline, not in CI).

    /work/venv-torch/bin/python Tests/Generators/monai_pipeline_reference.py bundles   [--shared ../shared]
    /work/venv-torch/bin/python Tests/Generators/monai_pipeline_reference.py reference [--shared ../shared]

Writes into Tests/Fixtures/pipeline-parity/ (override with --out):

* `bundles`: one model bundle per case (`<case>/model.json` + `<case>/model.safetensors`). The networks are the
  architectures of the PyTorch parity fixtures (../shared/fixtures/unet3d_small, unet2d_small: MONAI `UNet`, batch
  norm, 2 residual units) with 3 output classes. Their weights are NOT random: each network is trained briefly
  (a few hundred Adam steps on random windows, cross-entropy) to reproduce threshold labels of its own series in
  model space (see CASES: `train.thresholds` on the raw intensities after Orientation + Spacing), so the outputs
  are confident inside the classes and uncertain at their borders, the way a real model's are. The training
  itself is not what is tested; it only makes the weights non-degenerate. The seed is fixed, but the weights
  are committed, so the references never depend on re-training.
* `reference`: for each case, MONAI's inference chain exactly as the bundle's model.json says, as a MONAI
  inference script would write it:

      LoadImaged(ITKReader) → EnsureChannelFirstd → Orientationd(axcodes) → Spacingd(pixdim, bilinear)
      → intensity transforms (ScaleIntensityRanged / NormalizeIntensityd) → sliding_window_inference (3-D) or
      SliceInferer (2-D, slice by slice along the plane's normal) with roi_size, overlap, mode, sigma_scale,
      sw_batch_size, padding_mode, cval → Activationsd(softmax | sigmoid) → Invertd (probabilities back to the
      source grid, bilinear) → AsDiscreted(argmax) → KeepLargestConnectedComponentd (if the manifest asks)

  and saves `<case>/reference.json` (shapes, affines, windows, per-label voxel counts, probability statistics,
  the sampled voxels) with `<case>/samples.f32` (source-grid probabilities at the sampled voxels,
  [sample][channel] float32 LE), `<case>/samples.i32` (the sampled voxels' linear source index
  x + nx·(y + ny·z), int32 LE), `<case>/argmax.rle` (the argmax label map before postprocessing) and
  `<case>/labels.rle` (after). RLE = runs over the source voxels in x-fastest order, each run a label byte
  followed by its length as an unsigned LEB128 varint.

Voxel samples: 3000 uniform, 3000 on label borders (voxels whose x+1, y+1 or z+1 neighbour has another argmax
label) and the 1000 voxels with the smallest margin between the two largest probabilities (where a tiny
numerical difference could flip the argmax). Seed 20261124.
"""
import argparse
import hashlib
import json
import os
import time

import numpy as np
import torch
import monai
from monai.inferers import SliceInferer, sliding_window_inference
from monai.networks.nets import UNet
from monai.transforms import (Activationsd, AsDiscreted, Compose, EnsureChannelFirstd, Invertd,
                              KeepLargestConnectedComponent, LoadImaged, NormalizeIntensityd, Orientationd,
                              ScaleIntensityRanged, Spacingd)
from safetensors.torch import load_file, save_file

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
SEED = 20261124

TISSUE = {"scheme": "SCT", "value": "85756007", "meaning": "Tissue"}


def label(index, name, value, meaning, color):
    return {"index": index, "name": name, "category": TISSUE,
            "type": {"scheme": "SCT", "value": value, "meaning": meaning}, "color": color}


CT_LABELS = [label(1, "Soft tissue", "85756007", "Tissue", [200, 120, 100]),
             label(2, "Bone", "272673000", "Bone", [240, 240, 200])]
MR_LABELS = [label(1, "Intermediate signal", "85756007", "Tissue", [120, 160, 220]),
             label(2, "High signal", "85756007", "Tissue", [250, 200, 80])]

UNET3D = {"spatial_dims": 3, "in_channels": 1, "out_channels": 3, "channels": [4, 8, 16], "strides": [2, 2],
          "num_res_units": 2, "norm": "batch"}
UNET2D = {"spatial_dims": 2, "in_channels": 1, "out_channels": 3, "channels": [4, 8, 16, 32],
          "strides": [2, 2, 2], "num_res_units": 2, "norm": "batch"}

# Each case: a series of ../shared/dicom, a manifest (minus weights) and how its weights were trained.
CASES = {
    # 3-D: axial head CT 0.45×0.45×5 mm → 1.2×1.2×2.5 mm (down in-plane, up across slices), gaussian, overlap 0.5.
    "ct3d": {
        "series": "ct_philips_head_5mm",
        "manifest": {
            "id": "parity-ct3d", "description": "MONAI UNet 3-D, briefly trained on CT thresholds (parity test)",
            "network": {"class": "monai.networks.nets.UNet", "kwargs": UNET3D},
            "input": {"modality": "CT", "minimumSlices": 8},
            "spatialDims": 3, "orientation": "RAS", "spacing": [1.2, 1.2, 2.5],
            "intensity": [{"name": "ScaleIntensityRange", "a_min": -200, "a_max": 1300, "b_min": 0, "b_max": 1,
                           "clip": True}],
            "inference": {"roi_size": [64, 64, 32], "overlap": 0.5, "mode": "gaussian", "sigma_scale": 0.125,
                          "sw_batch_size": 2, "padding_mode": "constant", "cval": 0},
            "output": {"activation": "softmax", "decision": "argmax"},
            "postprocessing": {"keepLargestComponent": [2]},
            "labels": CT_LABELS,
        },
        # label 1 where -100 ≤ HU < 250, label 2 where HU ≥ 250 (bone), else 0.
        "train": {"thresholds": [-100, 250], "steps": 60, "lr": 0.01, "batch": 2, "crop": [32, 32, 16]},
    },
    # 2-D axial slice-wise: the same CT to 0.9×0.9 mm in-plane, slices kept (pixdim 0), gaussian, overlap 0.25.
    "ct2d": {
        "series": "ct_philips_head_5mm",
        "manifest": {
            "id": "parity-ct2d", "description": "MONAI UNet 2-D axial, briefly trained on CT thresholds (parity test)",
            "network": {"class": "monai.networks.nets.UNet", "kwargs": UNET2D},
            "input": {"modality": "CT", "minimumSlices": 1},
            "spatialDims": 2, "plane": "axial", "orientation": "RAS", "spacing": [0.9, 0.9, 0],
            "intensity": [{"name": "ScaleIntensityRange", "a_min": -200, "a_max": 1300, "b_min": 0, "b_max": 1,
                           "clip": True}],
            "inference": {"roi_size": [96, 96], "overlap": 0.25, "mode": "gaussian", "sigma_scale": 0.125,
                          "sw_batch_size": 4, "padding_mode": "constant", "cval": 0},
            "output": {"activation": "softmax", "decision": "argmax"},
            "postprocessing": {},
            "labels": CT_LABELS,
        },
        "train": {"thresholds": [-100, 250], "steps": 60, "lr": 0.01, "batch": 4, "crop": [64, 64]},
    },
    # 3-D on a sagittal MR (rows A→P, columns S→I, slices along L/R): Orientation permutes and flips every
    # axis, Spacing resamples all three (1.02×1.02×4.8 mm → 1.6×1.6×2.4 mm in RAS), z-score normalisation.
    "mr3d": {
        "series": "mr_siemens_t1_sag_hfs",
        "manifest": {
            "id": "parity-mr3d", "description": "MONAI UNet 3-D, briefly trained on MR thresholds (parity test)",
            "network": {"class": "monai.networks.nets.UNet", "kwargs": UNET3D},
            "input": {"modality": "MR", "minimumSlices": 8},
            "spatialDims": 3, "orientation": "RAS", "spacing": [2.4, 1.6, 1.6],
            "intensity": [{"name": "NormalizeIntensity", "nonzero": True}],
            "inference": {"roi_size": [32, 64, 64], "overlap": 0.25, "mode": "gaussian", "sigma_scale": 0.125,
                          "sw_batch_size": 2, "padding_mode": "replicate", "cval": 0},
            "output": {"activation": "softmax", "decision": "argmax"},
            "postprocessing": {},
            "labels": MR_LABELS,
        },
        # thresholds on the raw MR signal: quantiles of the voxels, computed below (q = 0.45, 0.85).
        "train": {"quantiles": [0.45, 0.85], "steps": 60, "lr": 0.01, "batch": 2, "crop": [16, 32, 32]},
    },
}


# ---------------------------------------------------------------------------------------------------------------
# MONAI transforms from a manifest


def intensity_transform(spec, key):
    name = spec["name"]
    if name == "ScaleIntensityRange":
        return ScaleIntensityRanged(keys=key, a_min=spec["a_min"], a_max=spec["a_max"], b_min=spec.get("b_min"),
                                    b_max=spec.get("b_max"), clip=spec.get("clip", False))
    if name == "NormalizeIntensity":
        return NormalizeIntensityd(keys=key, subtrahend=spec.get("subtrahend"), divisor=spec.get("divisor"),
                                   nonzero=spec.get("nonzero", False), channel_wise=spec.get("channel_wise", False))
    raise SystemExit(f"no MONAI equivalent written for intensity transform {name}")


def preprocessing(manifest, with_intensity=True):
    t = [LoadImaged(keys="image", reader="ITKReader", image_only=False), EnsureChannelFirstd(keys="image"),
         Orientationd(keys="image", axcodes=manifest["orientation"],
                      labels=(("L", "R"), ("P", "A"), ("I", "S")))]
    if manifest.get("spacing") is not None:
        t.append(Spacingd(keys="image", pixdim=manifest["spacing"], mode="bilinear"))
    if with_intensity:
        t += [intensity_transform(s, "image") for s in manifest["intensity"]]
    return Compose(t)


def network(manifest):
    n = manifest["network"]
    assert n["class"] == "monai.networks.nets.UNet", n["class"]
    return UNet(**n["kwargs"])


def slice_axis(manifest):
    """The model axis a 2-D model slices along: the one whose axis code lies on the plane's normal."""
    normal = {"axial": "SI", "coronal": "AP", "sagittal": "LR"}[manifest["plane"]]
    return next(i for i, c in enumerate(manifest["orientation"]) if c in normal)


def infer(manifest, net, x):
    """Sliding-window inference as the manifest says; x is [1, C, s0, s1, s2]. Returns (output, windows run)."""
    inf = manifest["inference"]
    windows = []

    def counted(p):
        windows.append(p.shape[0])
        return net(p)

    common = dict(sw_batch_size=inf["sw_batch_size"], overlap=inf["overlap"], mode=inf["mode"],
                  sigma_scale=inf["sigma_scale"], padding_mode=inf["padding_mode"], cval=inf["cval"])
    if manifest["spatialDims"] == 3:
        y = sliding_window_inference(x, inf["roi_size"], predictor=counted, **common)
    else:
        inferer = SliceInferer(roi_size=inf["roi_size"], spatial_dim=slice_axis(manifest), progress=False, **common)
        y = inferer(x, counted)
    return y, int(sum(windows))


# ---------------------------------------------------------------------------------------------------------------
# bundles


def training_labels(case, raw):
    tr = case["train"]
    if "thresholds" in tr:
        lo, hi = tr["thresholds"]
    else:
        lo, hi = np.quantile(raw, tr["quantiles"])
        tr["thresholds_resolved"] = [float(lo), float(hi)]
    return (raw >= lo).astype(np.int64) + (raw >= hi).astype(np.int64)


def make_bundle(name, case, shared, out):
    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    manifest = dict(case["manifest"])
    series = os.path.join(shared, "dicom", case["series"])
    raw = preprocessing(manifest, with_intensity=False)({"image": series})["image"][0].numpy()
    x = preprocessing(manifest)({"image": series})["image"][0].numpy()
    y = training_labels(case, raw)
    net = network(manifest)
    net.train()
    tr = case["train"]
    opt = torch.optim.Adam(net.parameters(), lr=tr["lr"])
    roi = tr["crop"]  # random windows smaller than the inference window: the network is fully convolutional
    two_d = manifest["spatialDims"] == 2
    axis = slice_axis(manifest) if two_d else None
    if two_d:  # model-space slices as a batch of 2-D images
        x = np.moveaxis(x, axis, 0)
        y = np.moveaxis(y, axis, 0)
    losses = []
    for step in range(tr["steps"]):
        xs, ys = [], []
        for _ in range(tr["batch"]):
            if two_d:
                k = rng.integers(0, x.shape[0])
                xi, yi = x[k], y[k]
            else:
                xi, yi = x, y
            sl = tuple(slice(s, s + r) for s, r in
                       ((int(rng.integers(0, max(1, n - r + 1))), r) for n, r in zip(xi.shape, roi)))
            xc, yc = xi[sl], yi[sl]
            pad = [(0, r - n) for n, r in zip(xc.shape, roi)]
            xs.append(np.pad(xc, pad, mode="edge"))
            ys.append(np.pad(yc, pad, mode="edge"))
        xb = torch.from_numpy(np.stack(xs)[:, None].astype(np.float32))
        yb = torch.from_numpy(np.stack(ys))
        loss = torch.nn.functional.cross_entropy(net(xb), yb)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
        if step % 20 == 0:
            print(name, "step", step, "loss", losses[-1], flush=True)
    net.eval()
    folder = os.path.join(out, name)
    os.makedirs(folder, exist_ok=True)
    weights = os.path.join(folder, "model.safetensors")
    save_file({k: v.contiguous() for k, v in net.state_dict().items()}, weights)
    sha = hashlib.sha256(open(weights, "rb").read()).hexdigest()
    full = {"id": manifest["id"], "version": "1.0.0", "description": manifest["description"],
            "intendedUse": "segd parity tests only; not for clinical use"}
    full.update({k: v for k, v in manifest.items() if k not in full})
    full["weights"] = {"file": "model.safetensors", "sha256": sha}
    order = ["id", "version", "description", "intendedUse", "network", "weights", "input", "spatialDims", "plane",
             "orientation", "spacing", "intensity", "inference", "output", "postprocessing", "labels"]
    full = {k: full[k] for k in order if k in full}
    with open(os.path.join(folder, "model.json"), "w") as f:
        json.dump(full, f, indent=1)
        f.write("\n")
    fractions = [float((y == c).mean()) for c in range(3)]
    prov = {"series": case["series"], "seed": SEED, "train": tr, "label_fractions_in_model_space": fractions,
            "loss_first_10": float(np.mean(losses[:10])), "loss_last_10": float(np.mean(losses[-10:])),
            "torch": torch.__version__, "monai": monai.__version__}
    with open(os.path.join(folder, "training.json"), "w") as f:
        json.dump(prov, f, indent=1)
        f.write("\n")
    print(name, "trained:", prov["loss_first_10"], "→", prov["loss_last_10"], "classes", fractions)


# ---------------------------------------------------------------------------------------------------------------
# references


def rle(labels_xfast):
    flat = labels_xfast.reshape(-1)
    change = np.flatnonzero(np.diff(flat)) + 1
    starts = np.concatenate([[0], change])
    lengths = np.diff(np.concatenate([starts, [flat.size]]))
    out = bytearray()
    for s, n in zip(starts, lengths):
        out.append(int(flat[s]))
        n = int(n)
        while True:
            b = n & 0x7F
            n >>= 7
            out.append(b | (0x80 if n else 0))
            if not n:
                break
    return bytes(out)


def reference(name, shared, out):
    folder = os.path.join(out, name)
    manifest = json.load(open(os.path.join(folder, "model.json")))
    case = CASES[name]
    series = os.path.join(shared, "dicom", case["series"])
    t0 = time.time()
    pre = preprocessing(manifest)
    data = pre({"image": series})
    source = data["image"].meta  # the source grid as ITK read it (affine in RAS)
    net = network(manifest)
    net.load_state_dict(load_file(os.path.join(folder, "model.safetensors")))
    net.eval()
    with torch.inference_mode():
        y, windows = infer(manifest, net, data["image"].as_tensor()[None])
    data["pred"] = monai.data.MetaTensor(y[0], meta=data["image"].meta,
                                         applied_operations=data["image"].applied_operations)
    act = manifest["output"]["activation"]
    post = Compose([Activationsd(keys="pred", softmax=act == "softmax", sigmoid=act == "sigmoid"),
                    Invertd(keys="pred", transform=pre, orig_keys="image", nearest_interp=False,
                            to_tensor=True)])
    data = post(data)
    probs = data["pred"].as_tensor().numpy()  # [C, x, y, z] on the source grid
    assert manifest["output"]["decision"] == "argmax"
    argmax = AsDiscreted(keys="pred", argmax=True)({"pred": data["pred"]})["pred"]
    final = argmax
    keep = manifest.get("postprocessing", {}).get("keepLargestComponent")
    if keep:
        labels_ = [l["index"] for l in manifest["labels"]] if keep is True else keep
        conn = manifest["postprocessing"].get("keepLargestConnectivity", 26)
        final = KeepLargestConnectedComponent(applied_labels=labels_, is_onehot=False, independent=True,
                                              connectivity=None if conn == 26 else 1)(argmax.clone())  # it works in place
    argmax = argmax[0].numpy().astype(np.uint8)
    final = np.asarray(final[0]).astype(np.uint8)
    seconds = time.time() - t0

    c = probs.shape[0]
    flat = probs.transpose(0, 3, 2, 1).reshape(c, -1)  # [C][v], v = x + nx·(y + ny·z)
    am = argmax.transpose(2, 1, 0)  # [z][y][x]
    border = np.zeros(am.shape, dtype=bool)
    for axis in range(3):
        d = np.diff(am, axis=axis) != 0
        lo = [slice(None)] * 3
        lo[axis] = slice(0, -1)
        border[tuple(lo)] |= d
    border = np.flatnonzero(border.reshape(-1))
    top2 = np.sort(flat, axis=0)[-2:]
    margin = top2[1] - top2[0]
    rng = np.random.default_rng(SEED)
    uniform = rng.choice(flat.shape[1], 3000, replace=False)
    on_border = rng.choice(border, min(3000, border.size), replace=False)
    near_tie = np.argsort(margin, kind="stable")[:1000]
    samples = np.unique(np.concatenate([uniform, on_border, near_tie])).astype(np.int32)
    samples.astype("<i4").tofile(os.path.join(folder, "samples.i32"))
    np.ascontiguousarray(flat[:, samples].T.astype("<f4")).tofile(os.path.join(folder, "samples.f32"))
    with open(os.path.join(folder, "argmax.rle"), "wb") as f:
        f.write(rle(argmax.transpose(2, 1, 0)))
    with open(os.path.join(folder, "labels.rle"), "wb") as f:
        f.write(rle(final.transpose(2, 1, 0)))

    x_model = data["image"]
    info = {
        "case": name, "series": case["series"], "monai": monai.__version__, "torch": torch.__version__,
        "itk": __import__("itk").Version.GetITKVersion(),
        "sourceShape": list(probs.shape[1:]), "sourceAffineRAS": np.asarray(source["original_affine"]).tolist(),
        "modelShape": list(x_model.shape[1:]), "modelAffineRAS": np.asarray(x_model.affine).tolist(),
        "channels": c, "windows": windows, "samples": int(samples.size),
        "argmaxCounts": np.bincount(argmax.reshape(-1), minlength=c).tolist(),
        "labelCounts": np.bincount(final.reshape(-1), minlength=c).tolist(),
        "borderVoxels": int(border.size),
        "marginBelow1e-4": int((margin < 1e-4).sum()), "marginBelow1e-6": int((margin < 1e-6).sum()),
        "probabilityMeanPerChannel": flat.mean(axis=1).tolist(),
        "seconds": round(seconds, 1),
    }
    with open(os.path.join(folder, "reference.json"), "w") as f:
        json.dump(info, f, indent=1)
        f.write("\n")
    print(name, json.dumps({k: info[k] for k in ["modelShape", "windows", "argmaxCounts", "labelCounts",
                                                 "marginBelow1e-4", "seconds"]}))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["bundles", "reference"])
    ap.add_argument("--shared", default=os.path.join(REPO, "..", "shared"))
    ap.add_argument("--out", default=os.path.join(REPO, "Tests", "Fixtures", "pipeline-parity"))
    ap.add_argument("--cases", nargs="*", default=list(CASES))
    a = ap.parse_args()
    torch.set_num_threads(1)  # OpenMP threads stall badly on a shared, oversubscribed machine
    for name in a.cases:
        if a.what == "bundles":
            make_bundle(name, CASES[name], a.shared, a.out)
        else:
            reference(name, a.shared, a.out)


if __name__ == "__main__":
    main()
