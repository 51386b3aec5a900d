"""Trains the segd demo model (Models/demo-ct) and writes its bundle: weights, model.json, metrics.

Offline, on the CPU, with PyTorch + MONAI (see requirements.txt); NOT run in CI. About 10-15 minutes on 2 cores.

    python Models/demo-ct/train/train.py [--steps N] [--seed S]

Reads the CT series of the shared corpus (../shared/dicom or $SEGD_SHARED) named in data.py, makes their labels by
rule (data.make_labels: threshold + morphology), trains a small MONAI 2-D UNet on axial slices in model space
(common.py: Orientation RAS, Spacing 1x1 mm in-plane, ScaleIntensityRange -1000..1000 -> 0..1), exports the
state_dict to model.safetensors (PyTorch key names), writes model.json with the weights' sha256, then runs
evaluate.py: Dice on the held-out series (never trained on) and the reference numbers of segd's test.
"""
from __future__ import annotations

import argparse
import warnings
import hashlib
import json
import os
import subprocess
import sys
import time

import numpy as np
import torch
from monai.losses import DiceCELoss
from safetensors.torch import save_file

warnings.filterwarnings("ignore", message=".*Orientation.__init__:labels.*")
HERE = os.path.dirname(os.path.abspath(__file__))
BUNDLE = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import common  # noqa: E402
import data  # noqa: E402

CROP = 128
BATCH = 8


def training_slices() -> tuple[list[np.ndarray], list[np.ndarray], list[str]]:
    images, labels, names = [], [], []
    for name in data.TRAIN_SERIES:
        s = data.read_series(name)
        lab = data.make_labels(s)
        x, _ = common.preprocess(s)
        y = common.labels_model_space(lab, s)
        x = x[0].numpy()
        for k in range(x.shape[2]):
            images.append(np.ascontiguousarray(x[:, :, k]))
            labels.append(np.ascontiguousarray(y[:, :, k]))
            names.append(name)
        print(f"  {name}: {x.shape[2]} slices, model-space {x.shape[0]}x{x.shape[1]}, "
              f"label voxels {[int((y == i).sum()) for i in range(3)]}", flush=True)
    return images, labels, names


def sample(images, labels, rng) -> tuple[torch.Tensor, torch.Tensor]:
    """A batch of random CROP x CROP crops (padded with background where a slice is smaller), random L-R flips."""
    xs = np.zeros((BATCH, 1, CROP, CROP), np.float32)  # 0 = -1000 HU after scaling, as segd pads (cval 0)
    ys = np.zeros((BATCH, 1, CROP, CROP), np.int64)
    for b in range(BATCH):
        i = rng.integers(len(images))
        img, lab = images[i], labels[i]
        h, w = img.shape
        oy = rng.integers(-max(0, CROP - h), max(1, h - CROP + 1))
        ox = rng.integers(-max(0, CROP - w), max(1, w - CROP + 1))
        sy0, sx0 = max(0, oy), max(0, ox)
        sy1, sx1 = min(h, oy + CROP), min(w, ox + CROP)
        xs[b, 0, sy0 - oy:sy1 - oy, sx0 - ox:sx1 - ox] = img[sy0:sy1, sx0:sx1]
        ys[b, 0, sy0 - oy:sy1 - oy, sx0 - ox:sx1 - ox] = lab[sy0:sy1, sx0:sx1]
        if rng.random() < 0.5:
            xs[b] = xs[b, :, ::-1, :]
            ys[b] = ys[b, :, ::-1, :]
    return torch.from_numpy(xs), torch.from_numpy(ys)


def sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def manifest(weights_sha: str) -> dict:
    tissue = {"scheme": "SCT", "value": "85756007", "meaning": "Tissue"}
    return {
        "id": "demo-ct",
        "version": "1.0.0",
        "description": "Demo: soft tissue and bone on axial CT, 2-D MONAI UNet trained on rule-derived labels "
                       "(threshold + morphology) of four public CT series. Demonstrates the pipeline only.",
        "intendedUse": "Demonstration of segd only. Not for clinical use.",
        "network": common.NETWORK,
        "weights": {"file": "model.safetensors", "sha256": weights_sha},
        "input": {"modality": "CT", "minimumSlices": 1},
        "spatialDims": 2,
        "plane": "axial",
        "orientation": common.AXCODES,
        "spacing": list(common.PIXDIM),
        "intensity": [{"name": "ScaleIntensityRange", "a_min": common.A_MIN, "a_max": common.A_MAX,
                       "b_min": 0.0, "b_max": 1.0, "clip": True}],
        "inference": {"roi_size": list(common.ROI), "overlap": common.OVERLAP, "mode": "gaussian",
                      "sigma_scale": 0.125, "sw_batch_size": common.SW_BATCH, "padding_mode": "constant",
                      "cval": 0.0},
        "output": {"activation": "softmax", "decision": "argmax"},
        "postprocessing": {},
        "labels": [
            {"index": 1, "name": "Soft tissue", "category": tissue,
             "type": {"scheme": "SCT", "value": "87784001", "meaning": "Soft tissue"}, "color": [230, 90, 70]},
            {"index": 2, "name": "Bone", "category": tissue,
             "type": {"scheme": "SCT", "value": "3138006", "meaning": "Bone"}, "color": [250, 230, 90]},
        ],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--seed", type=int, default=20261124)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    rng = np.random.default_rng(args.seed)

    print("reading and labelling the training series", flush=True)
    images, labels, _ = training_slices()
    net = common.make_network()
    print(f"network: {sum(p.numel() for p in net.parameters())} parameters", flush=True)
    loss_fn = DiceCELoss(to_onehot_y=True, softmax=True)
    opt = torch.optim.Adam(net.parameters(), lr=2e-3)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=2e-3, total_steps=args.steps, pct_start=0.1)
    net.train()
    t0 = time.time()
    running = None
    for step in range(1, args.steps + 1):
        x, y = sample(images, labels, rng)
        opt.zero_grad()
        loss = loss_fn(net(x), y)
        loss.backward()
        opt.step()
        sched.step()
        running = loss.item() if running is None else 0.95 * running + 0.05 * loss.item()
        if step % 50 == 0 or step == args.steps or step in (5, 10, 20):
            print(f"step {step}/{args.steps} loss {running:.4f} ({time.time() - t0:.0f} s)", flush=True)

    net.eval()
    weights = os.path.join(BUNDLE, "model.safetensors")
    state = {k: v.detach().contiguous() for k, v in net.state_dict().items()}
    save_file(state, weights)
    with open(os.path.join(BUNDLE, "model.json"), "w") as f:
        json.dump(manifest(sha256(weights)), f, indent=2)
        f.write("\n")
    with open(os.path.join(HERE, "training-log.json"), "w") as f:
        json.dump({"steps": args.steps, "seed": args.seed, "batch": BATCH, "crop": CROP,
                   "final_loss": running, "seconds": round(time.time() - t0), "train_series": data.TRAIN_SERIES,
                   "training_slices": len(images), "torch": torch.__version__,
                   "monai": __import__("monai").__version__}, f, indent=1)
        f.write("\n")
    print(f"wrote {weights} and model.json", flush=True)
    subprocess.run([sys.executable, os.path.join(HERE, "evaluate.py")], check=True)


if __name__ == "__main__":
    main()
