#!/usr/bin/env python3
"""Writes the NN op fixtures: PyTorch reference inputs, weights and outputs for every op NN implements.

Run offline (not in CI) with the project's torch venv:
    /work/venv-torch/bin/python Tests/NNTests/Generators/make_op_fixtures.py
Output: Tests/Fixtures/nn-ops/ops.safetensors and dtypes.safetensors (+ README.md provenance).

ops.safetensors holds, per case `<name>`, the tensors `<name>.x`, `<name>.w`, `<name>.b`, ... and the expected
output `<name>.y`; the case's parameters are a JSON string in the file's __metadata__ under the case name.
"""
import json
import os
import sys

import torch
import torch.nn.functional as F
from safetensors.torch import save_file

SEED = 20261123
torch.manual_seed(SEED)
torch.set_num_threads(1)
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "Fixtures", "nn-ops")

tensors = {}
params = {}


def r(*shape, scale=1.0):
    return (torch.randn(*shape, dtype=torch.float64) * scale)


def case(name, p, **ts):
    """Stores float64-computed tensors rounded to float32, plus params."""
    for k, v in ts.items():
        if v is None:
            continue
        tensors[f"{name}.{k}"] = v.to(torch.float32).contiguous()
    params[name] = json.dumps(p)


def f32(t):
    """Round inputs to float32 first, so the expected output is the exact-math result on the stored inputs."""
    return t.to(torch.float32).to(torch.float64)


# ---- convolutions ---------------------------------------------------------------------------------------
def conv_case(name, xs, ws, stride, padding, groups=1, bias=True):
    x, w = f32(r(*xs)), f32(r(*ws) / (ws[1] * torch.tensor(ws[2:]).prod().item()) ** 0.5)
    b = f32(r(ws[0], scale=0.2)) if bias else None
    fn = F.conv3d if len(xs) == 5 else F.conv2d
    y = fn(x, w, b, stride=stride, padding=padding, groups=groups)
    case(name, {"stride": stride, "padding": padding, "groups": groups}, x=x, w=w, b=b, y=y)


conv_case("conv2d_basic", (2, 3, 9, 8), (4, 3, 3, 3), [1, 1], [1, 1])
conv_case("conv2d_s2_nobias", (1, 3, 10, 9), (5, 3, 3, 3), [2, 2], [1, 1], bias=False)
conv_case("conv2d_depthwise", (1, 6, 8, 8), (6, 1, 3, 3), [1, 1], [1, 1], groups=6, bias=False)
conv_case("conv2d_depthwise_mult2_s2", (1, 3, 9, 8), (6, 1, 3, 3), [2, 2], [1, 1], groups=3)
conv_case("conv2d_groups2", (1, 4, 7, 7), (6, 2, 3, 3), [1, 1], [0, 0], groups=2)
conv_case("conv2d_1x1", (1, 5, 6, 7), (3, 5, 1, 1), [1, 1], [0, 0])
conv_case("conv2d_k53_s21_p21", (1, 2, 11, 9), (3, 2, 5, 3), [2, 1], [2, 1])
conv_case("conv3d_basic", (1, 3, 7, 8, 9), (4, 3, 3, 3, 3), [1, 1, 1], [1, 1, 1])
conv_case("conv3d_s2", (2, 2, 9, 8, 7), (3, 2, 3, 3, 3), [2, 2, 2], [1, 1, 1])
conv_case("conv3d_1x1", (1, 4, 5, 6, 7), (2, 4, 1, 1, 1), [1, 1, 1], [0, 0, 0])
conv_case("conv3d_patch16", (1, 1, 32, 32, 32), (8, 1, 16, 16, 16), [16, 16, 16], [0, 0, 0])
conv_case("conv3d_tiled", (1, 4, 6, 10, 12), (5, 4, 3, 3, 3), [1, 1, 1], [1, 1, 1])
conv_case("conv3d_depthwise", (1, 4, 6, 6, 6), (4, 1, 3, 3, 3), [1, 1, 1], [1, 1, 1], groups=4, bias=False)


def convt_case(name, xs, ws, stride, padding, outpad, bias=True):
    x, w = f32(r(*xs)), f32(r(*ws) / (ws[0]) ** 0.5)
    b = f32(r(ws[1], scale=0.2)) if bias else None
    fn = F.conv_transpose3d if len(xs) == 5 else F.conv_transpose2d
    y = fn(x, w, b, stride=stride, padding=padding, output_padding=outpad)
    case(name, {"stride": stride, "padding": padding, "outputPadding": outpad}, x=x, w=w, b=b, y=y)


convt_case("convT3d_k3s2p1op1", (1, 4, 5, 6, 7), (4, 3, 3, 3, 3), [2, 2, 2], [1, 1, 1], [1, 1, 1])
convt_case("convT3d_k2s2_nobias", (1, 4, 4, 5, 6), (4, 3, 2, 2, 2), [2, 2, 2], [0, 0, 0], [0, 0, 0], bias=False)
convt_case("convT2d_k3s2p1op1", (1, 3, 6, 7), (3, 2, 3, 3), [2, 2], [1, 1], [1, 1])
convt_case("convT2d_k2s2", (2, 3, 5, 4), (3, 4, 2, 2), [2, 2], [0, 0], [0, 0])
convt_case("convT2d_k3s1p1", (1, 3, 5, 6), (3, 2, 3, 3), [1, 1], [1, 1], [0, 0])

# ---- norms -------------------------------------------------------------------------------------------------
for name, xs in [("bn2d", (2, 5, 6, 7)), ("bn3d", (1, 4, 3, 4, 5))]:
    c = xs[1]
    x = f32(r(*xs) * 2 + 0.5)
    mean, var = f32(r(c) * 0.5), f32(torch.rand(c, dtype=torch.float64) + 0.5)
    w, b = f32(torch.rand(c, dtype=torch.float64) + 0.5), f32(r(c, scale=0.2))
    y = F.batch_norm(x, mean, var, w, b, training=False, eps=1e-5)
    case(name, {"eps": 1e-5}, x=x, mean=mean, var=var, w=w, b=b, y=y)

for name, xs, affine in [("in3d_affine", (2, 3, 4, 5, 6), True), ("in3d_plain", (1, 4, 5, 5, 5), False),
                         ("in2d_affine", (1, 3, 7, 9), True)]:
    c = xs[1]
    x = f32(r(*xs) * 3 + 1)
    w = f32(torch.rand(c, dtype=torch.float64) + 0.5) if affine else None
    b = f32(r(c, scale=0.2)) if affine else None
    y = F.instance_norm(x, weight=w, bias=b, eps=1e-5)
    case(name, {"eps": 1e-5, "affine": affine}, x=x, w=w, b=b, y=y)

for name, affine in [("ln_affine", True), ("ln_plain", False)]:
    x = f32(r(2, 7, 16) * 2 + 0.3)
    w = f32(torch.rand(16, dtype=torch.float64) + 0.5) if affine else None
    b = f32(r(16, scale=0.2)) if affine else None
    y = F.layer_norm(x, [16], w, b, eps=1e-5)
    case(name, {"eps": 1e-5, "affine": affine}, x=x, w=w, b=b, y=y)

# ---- activations -------------------------------------------------------------------------------------------
xa = f32(r(2, 3, 5, 7) * 3)
case("relu", {}, x=xa, y=F.relu(xa))
case("leaky001", {"slope": 0.01}, x=xa, y=F.leaky_relu(xa, 0.01))
case("leaky01", {"slope": 0.1}, x=xa, y=F.leaky_relu(xa, 0.1))
case("gelu", {}, x=xa, y=F.gelu(xa))
a1 = f32(torch.tensor([0.25], dtype=torch.float64))
case("prelu1", {}, x=xa, w=a1, y=F.prelu(xa, a1))
a3 = f32(torch.tensor([0.1, 0.3, -0.2], dtype=torch.float64))
case("prelu3", {}, x=xa, w=a3, y=F.prelu(xa, a3))
xs = f32(r(2, 3, 10) * 4)
case("softmax", {}, x=xs, y=F.softmax(xs, dim=-1))

# ---- linear / matmul ---------------------------------------------------------------------------------------
x = f32(r(2, 5, 12)); w = f32(r(7, 12) / 12 ** 0.5); b = f32(r(7, scale=0.2))
case("linear_bias", {}, x=x, w=w, b=b, y=F.linear(x, w, b))
case("linear_nobias", {}, x=x, w=w, y=F.linear(x, w))
a = f32(r(2, 3, 5, 4)); bb = f32(r(2, 3, 6, 4))
case("matmul_bt_alpha", {"transposeB": True, "alpha": 0.5}, a=a, b=bb, y=torch.matmul(a, bb.transpose(-1, -2)) * 0.5)
a = f32(r(3, 4, 5)); bb = f32(r(3, 5, 6))
case("matmul_batched", {"transposeB": False, "alpha": 1.0}, a=a, b=bb, y=torch.matmul(a, bb))
a = f32(r(2, 4, 5)); bb = f32(r(5, 3))
case("matmul_shared_b", {"transposeB": False, "alpha": 1.0}, a=a, b=bb, y=torch.matmul(a, bb))

# ---- interpolation -----------------------------------------------------------------------------------------
def interp_case(name, xs, mode, size=None, scale=None, ac=None):
    x = f32(r(*xs))
    kw = {"mode": mode}
    if mode != "nearest":
        kw["align_corners"] = ac
    y = F.interpolate(x, size=size, scale_factor=scale, **kw)
    case(name, {"mode": mode, "size": size, "scale": scale, "alignCorners": bool(ac)}, x=x, y=y)


interp_case("nearest2d_size", (1, 2, 5, 4), "nearest", size=[7, 9])
interp_case("nearest2d_down", (1, 2, 9, 10), "nearest", size=[4, 3])
interp_case("nearest2d_scale2", (1, 2, 5, 4), "nearest", scale=[2.0, 2.0])
interp_case("nearest3d_scale15", (1, 2, 3, 4, 5), "nearest", scale=[1.5, 1.5, 1.5])
for ac in (True, False):
    t = "T" if ac else "F"
    interp_case(f"bilinear_ac{t}_size", (1, 2, 5, 4), "bilinear", size=[9, 7], ac=ac)
    interp_case(f"bilinear_ac{t}_down", (1, 3, 16, 16), "bilinear", size=[8, 8], ac=ac)
    interp_case(f"bilinear_ac{t}_scale2", (2, 2, 5, 6), "bilinear", scale=[2.0, 2.0], ac=ac)
    interp_case(f"bilinear_ac{t}_scale07", (1, 1, 10, 7), "bilinear", scale=[0.7, 0.7], ac=ac)
    interp_case(f"trilinear_ac{t}_size", (1, 2, 4, 5, 3), "trilinear", size=[7, 6, 8], ac=ac)
    interp_case(f"trilinear_ac{t}_scale2", (1, 2, 3, 4, 5), "trilinear", scale=[2.0, 2.0, 2.0], ac=ac)

# ---- pooling / padding -------------------------------------------------------------------------------------
x = f32(r(2, 3, 8, 9)); case("maxpool2d_k2", {"kernel": [2, 2], "stride": [2, 2]}, x=x, y=F.max_pool2d(x, 2))
x = f32(r(1, 2, 6, 8, 7)); case("maxpool3d_k2", {"kernel": [2, 2, 2], "stride": [2, 2, 2]}, x=x, y=F.max_pool3d(x, 2))
x = f32(r(1, 2, 7, 8, 9)); case("maxpool3d_k3s2", {"kernel": [3, 3, 3], "stride": [2, 2, 2]}, x=x, y=F.max_pool3d(x, 3, 2))
x = f32(r(1, 2, 3, 4, 5)); case("reppad3d", {"padding": [1, 0, 0, 2, 1, 1]}, x=x, y=F.pad(x, [1, 0, 0, 2, 1, 1], mode="replicate"))
x = f32(r(1, 2, 4, 5)); case("reppad2d", {"padding": [2, 1, 1, 0]}, x=x, y=F.pad(x, [2, 1, 1, 0], mode="replicate"))

# ---- multi-head self-attention (UNETR's SABlock arithmetic) ------------------------------------------------
tokens, hidden, heads = 10, 16, 4
x = f32(r(1, tokens, hidden)); wqkv = f32(r(3 * hidden, hidden) / hidden ** 0.5)
wo = f32(r(hidden, hidden) / hidden ** 0.5); bo = f32(r(hidden, scale=0.2))
qkv = F.linear(x, wqkv).reshape(1, tokens, 3, heads, hidden // heads).permute(2, 0, 3, 1, 4)
q, k, v = qkv[0], qkv[1], qkv[2]
att = torch.softmax(torch.einsum("blxd,blyd->blxy", q, k) * (hidden // heads) ** -0.5, dim=-1)
o = torch.einsum("bhxy,bhyd->bhxd", att, v).permute(0, 2, 1, 3).reshape(1, tokens, hidden)
case("mhsa", {"heads": heads}, x=x, wqkv=wqkv, wo=wo, bo=bo, y=F.linear(o, wo, bo))

# attention with an additive bias applied BEFORE the scale (UTNet's order), bias broadcast over the batch
q = f32(r(2, 3, 12, 4)); k = f32(r(2, 3, 5, 4)); v = f32(r(2, 3, 5, 6)); bias = f32(r(3, 12, 5))
att = torch.softmax((q @ k.transpose(-1, -2) + bias) * 0.5, dim=-1)
case("attention_bias", {"scale": 0.5}, q=q, k=k, v=v, bias=bias, y=att @ v)

# more stride-1 shapes for the padded-slab path: non-square kernel, no padding, padding beyond k // 2
conv_case("conv2d_k53_p21_s1", (1, 3, 9, 11), (4, 3, 5, 3), [1, 1], [2, 1])
conv_case("conv3d_k3_p0", (1, 2, 5, 6, 7), (3, 2, 3, 3, 3), [1, 1, 1], [0, 0, 0])
conv_case("conv3d_k3_p2", (1, 2, 4, 5, 6), (3, 2, 3, 3, 3), [1, 1, 1], [2, 2, 2])
conv_case("conv3d_k2_p0", (2, 3, 4, 5, 6), (2, 3, 2, 2, 2), [1, 1, 1], [0, 0, 0])
# more output channels than positions per plane (the "wide channels" stride-1 path)
conv_case("conv2d_wide", (1, 5, 3, 3), (16, 5, 3, 3), [1, 1], [1, 1])
conv_case("conv3d_wide", (1, 4, 2, 2, 3), (24, 4, 3, 3, 3), [1, 1, 1], [1, 1, 1])

os.makedirs(OUT, exist_ok=True)
save_file(tensors, os.path.join(OUT, "ops.safetensors"), metadata=params)

# ---- dtype conversion file ---------------------------------------------------------------------------------
v = torch.tensor([0.0, 1.0, -2.5, 0.1, 65504.0, -1e-3, 3.140625], dtype=torch.float32)
save_file({
    "f32": v.clone(),
    "f16": v.to(torch.float16),
    "bf16": v.to(torch.bfloat16),
    "f16_as_f32": v.to(torch.float16).to(torch.float32),
    "bf16_as_f32": v.to(torch.bfloat16).to(torch.float32),
    "i64": torch.tensor([[0, -1, 2], [3 << 40, 5, -7]], dtype=torch.int64),
}, os.path.join(OUT, "dtypes.safetensors"), metadata={"format": "pt"})
print(f"torch {torch.__version__}, seed {SEED}, {len(params)} cases, {len(tensors)} tensors", file=sys.stderr)
