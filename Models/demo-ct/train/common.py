"""The preprocessing and inference of the demo model, exactly as model.json declares them (MONAI 1.6.1).

Used by train.py (training slices), evaluate.py (held-out Dice, segd reference numbers).
"""
from __future__ import annotations

import numpy as np
import torch
from monai.data import MetaTensor
from monai.inferers import sliding_window_inference
from monai.networks.nets import UNet
from monai.transforms import Compose, Orientation, ScaleIntensityRange, Spacing

from data import Series

# Everything below is written into model.json by train.py; segd's pipeline reproduces it.
AXCODES = "RAS"
PIXDIM = (1.0, 1.0, 0.0)  # 1 mm in-plane; 0 keeps the source slice spacing (2-D model, slice by slice)
A_MIN, A_MAX = -1000.0, 1000.0  # ScaleIntensityRange to [0, 1], clipped
ROI = (256, 256)  # sliding window in the axial plane
OVERLAP = 0.25
SW_BATCH = 4
NETWORK = {
    "class": "monai.networks.nets.UNet",
    "kwargs": {
        "spatial_dims": 2,
        "in_channels": 1,
        "out_channels": 3,
        "channels": [8, 16, 32, 64],
        "strides": [2, 2, 2],
        "num_res_units": 2,
        "norm": "batch",
    },
}


def make_network() -> UNet:
    k = NETWORK["kwargs"]
    return UNet(spatial_dims=k["spatial_dims"], in_channels=k["in_channels"], out_channels=k["out_channels"],
                channels=tuple(k["channels"]), strides=tuple(k["strides"]), num_res_units=k["num_res_units"],
                norm=k["norm"])


def ras_affine(s: Series) -> np.ndarray:
    """MONAI's affine for an ITK-read image: LPS index-to-world, x and y flipped to RAS."""
    lps = np.eye(4)
    lps[:3, :3] = np.array(s.direction).reshape(3, 3) @ np.diag(s.spacing)
    lps[:3, 3] = s.origin
    return np.diag([-1.0, -1.0, 1.0, 1.0]) @ lps


def to_meta(array_zyx: np.ndarray, s: Series) -> MetaTensor:
    """A (z, y, x) SimpleITK-order array as MONAI sees it after LoadImage: [1, x, y, z] with the RAS affine."""
    a = np.ascontiguousarray(array_zyx.transpose(2, 1, 0))[None]
    return MetaTensor(torch.from_numpy(a.astype(np.float32)), affine=torch.from_numpy(ras_affine(s)))


def spatial(mode: str) -> Compose:
    return Compose([Orientation(axcodes=AXCODES), Spacing(pixdim=PIXDIM, mode=mode)])


def preprocess(s: Series) -> tuple[MetaTensor, Compose]:
    """The model-space image [1, X, Y, Z] and the transform (for its inverse)."""
    pre = Compose([Orientation(axcodes=AXCODES), Spacing(pixdim=PIXDIM, mode="bilinear"),
                   ScaleIntensityRange(a_min=A_MIN, a_max=A_MAX, b_min=0.0, b_max=1.0, clip=True)])
    return pre(to_meta(s.hu, s)), pre


def labels_model_space(labels_zyx: np.ndarray, s: Series) -> np.ndarray:
    """Rule labels resampled to model space with nearest neighbour: [X, Y, Z] uint8."""
    out = spatial("nearest")(to_meta(labels_zyx.astype(np.float32), s))
    return out[0].numpy().round().astype(np.uint8)


@torch.inference_mode()
def infer(net: UNet, s: Series) -> np.ndarray:
    """The reference inference, as segd's pipeline declares it: preprocess, 2-D gaussian sliding window per
    axial slice, softmax, back to the source grid with the inverse of the spatial transforms, argmax.
    Returns the label map in SimpleITK order (z, y, x)."""
    net.eval()
    x, pre = preprocess(s)
    parts = []
    for k in range(x.shape[3]):
        sl = x.as_tensor()[None, :, :, :, k]
        parts.append(sliding_window_inference(sl, ROI, SW_BATCH, net, overlap=OVERLAP, mode="gaussian",
                                              sigma_scale=0.125, padding_mode="constant", cval=0.0)[0])
    y = torch.stack(parts, dim=-1)
    p = torch.softmax(y, dim=0)
    p = MetaTensor(p, affine=x.affine, applied_operations=x.applied_operations)
    back = pre.inverse(p).as_tensor().numpy()  # [C, x, y, z] on the source grid
    return np.ascontiguousarray(np.argmax(back, axis=0).astype(np.uint8).transpose(2, 1, 0))


def dice(a: np.ndarray, b: np.ndarray, label: int) -> float:
    x, y = a == label, b == label
    d = x.sum() + y.sum()
    return float(2.0 * (x & y).sum() / d) if d else 1.0
