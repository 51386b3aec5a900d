"""Reading the training series and making their labels by rule (threshold + morphology).

Shared by train.py and evaluate.py. Nothing here is learned: the labels are a fixed, documented recipe.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import SimpleITK as sitk
from scipy import ndimage

SHARED = os.environ.get("SEGD_SHARED", os.path.join(os.path.dirname(__file__), "../../../../shared"))

# Series of the shared corpus (shared/dicom, see its MANIFEST.md and PROVENANCE.tsv) used here.
# The Philips head phantom is the demo sample (Samples/ct-head-philips): it is HELD OUT, never trained on.
TRAIN_SERIES = [
    "ct_ge_tilt_variable_spacing",  # GE head CT, neurolabusc/dcm_qa_ct In/GE (BSD-2-Clause)
    "ct_siemens_j2k_empty_uids",  # Siemens upper abdomen CT, wasserth/TotalSegmentator tests (Apache-2.0)
    "ct_ge_3slice_deflate",  # GE lung-base CT, QIICR/dcmqi data/segmentations/ct-3slice (BSD-3-Clause)
    "seg_ref_highdicom_ct1/source",  # one 128x128 CT slice, ImagingDataCommons/highdicom test files (MIT)
]
HELD_OUT_SERIES = "ct_philips_head_5mm"  # neurolabusc/dcm_qa_ct In/Philips/S21570/S2010 (BSD-2-Clause)

# The label recipe.
BODY_HU = -500.0  # body candidate: HU above this
BONE_HU = 250.0  # bone: HU at or above this, inside the body
OPEN_MM = 3.0  # radius of the in-plane opening that cuts thin table / head-holder shells off the body
GROW_MM = 10.0  # how far the body region grows back over candidate voxels after the opening
MIN_PART_ML = 20.0  # body parts (3-D components after the opening) smaller than this are dropped
LABELS = {0: "background", 1: "soft tissue", 2: "bone"}


@dataclass
class Series:
    name: str
    hu: np.ndarray  # (z, y, x) float32 Hounsfield units, SimpleITK array order
    spacing: tuple[float, float, float]  # (x, y, z) mm
    origin: tuple[float, float, float]  # LPS mm
    direction: tuple[float, ...]  # row-major 3x3, columns = x, y, z axes in LPS


def read_series(name: str) -> Series:
    """One series of shared/dicom with SimpleITK (GDCM), values after rescale."""
    folder = os.path.join(SHARED, "dicom", name)
    reader = sitk.ImageSeriesReader()
    ids = reader.GetGDCMSeriesIDs(folder)
    files = reader.GetGDCMSeriesFileNames(folder, ids[0])
    if len(files) == 1:
        img = sitk.ReadImage(files[0])  # also multi-frame (enhanced) files
    else:
        reader.SetFileNames(files)
        img = reader.Execute()
    if img.GetDimension() == 4:  # a 4-D enhanced read with one time point
        img = img[:, :, :, 0]
    hu = sitk.GetArrayFromImage(img).astype(np.float32)
    direction = img.GetDirection()
    if name == "ct_ge_tilt_variable_spacing":
        # Gantry tilt: ITK cannot store the shear. The model is 2-D (slice by slice), so each slice is used as
        # an axial image with its in-plane pixel spacing; the slice-to-slice geometry is not needed.
        direction = (1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0)
    return Series(name, hu, img.GetSpacing(), img.GetOrigin(), direction)


def _disk(radius_px: float) -> np.ndarray:
    r = max(1, int(round(radius_px)))
    yy, xx = np.mgrid[-r : r + 1, -r : r + 1]
    return (xx * xx + yy * yy) <= radius_px * radius_px + 1e-6


def make_labels(s: Series) -> np.ndarray:
    """The rule labels of a series, (z, y, x) uint8: 1 soft tissue, 2 bone, 0 background.

    1. candidate = HU > -500;
    2. per slice, an opening with a disk of 3 mm radius removes thin shells (table, head holder) and
       their thin contacts with the body;
    3. 3-D connected components of that (26-connectivity) of at least 20 mL are the body parts (trunk, head,
       arms); smaller ones are dropped;
    4. per slice, the body region = the parts with their holes filled, then grown back over candidate voxels
       by up to 10 mm (a geodesic dilation: gives back the rim and thin bone the opening took, but not
       separate objects), and holes filled again;
    5. inside the body region, candidate voxels are bone when HU >= 250 and soft tissue otherwise. Air (also
       air inside the body: sinuses, bowel gas, lung) and everything outside the body region is background.
    """
    hu = s.hu
    cand = hu > BODY_HU
    disk = _disk(OPEN_MM / s.spacing[0])
    opened = np.stack([ndimage.binary_opening(c, structure=disk) for c in cand])
    lab, n = ndimage.label(opened, structure=np.ones((3, 3, 3), bool))
    out = np.zeros(hu.shape, np.uint8)
    if n == 0:
        return out
    voxel_ml = s.spacing[0] * s.spacing[1] * s.spacing[2] / 1000.0
    sizes = ndimage.sum_labels(opened, lab, index=np.arange(1, n + 1)) * voxel_ml
    keep = np.zeros(n + 1, bool)
    keep[1:] = sizes >= MIN_PART_ML
    keep[1 + int(np.argmax(sizes))] = True  # a small scan (one slice) still has its largest part
    parts = keep[lab]
    body = np.stack([ndimage.binary_fill_holes(c) for c in parts])
    in_plane = np.zeros((3, 3, 3), bool)
    in_plane[1] = [[False, True, False], [True, True, True], [False, True, False]]
    steps = max(1, int(round(GROW_MM / s.spacing[0])))
    body = ndimage.binary_dilation(body, structure=in_plane, iterations=steps, mask=cand | body)
    body = np.stack([ndimage.binary_fill_holes(c) for c in body])
    tissue = body & cand
    out[tissue] = 1
    out[tissue & (hu >= BONE_HU)] = 2
    return out
