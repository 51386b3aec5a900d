#!/usr/bin/env python3
"""PyTorch eager reference timings of the full-size MONAI configurations of ../shared/baselines.md, on THIS machine.

Run offline (not in CI) with a venv holding torch==2.13.0+cpu and monai==1.6.1:
    python Benchmarks/torch_reference_bench.py unet3d|unet2d|basicunet3d|unetr|utnet [runs]
utnet needs the official code (github.com/yhygao/UTNet, commit 6bdcc97, not part of segd): UTNET_SRC=/path/to/UTNet.
Random weights (PyTorch's default initialisation), batch 1, 2 threads, eval mode, inference_mode; median of
`runs` (default 5) after 2 warm-ups, and the process's peak RSS. Compare with UNet-bench / UNETR-bench.
"""
import os
import resource
import statistics
import sys
import time

import torch
from monai.networks.nets import UNETR, BasicUNet, UNet

torch.set_num_threads(2)
name = sys.argv[1]
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
if name == "unet3d":
    model = UNet(spatial_dims=3, in_channels=1, out_channels=2, channels=(16, 32, 64, 128, 256),
                 strides=(2, 2, 2, 2), num_res_units=2, norm="batch")
    x = torch.randn(1, 1, 96, 96, 96)
elif name == "unet2d":
    model = UNet(spatial_dims=2, in_channels=1, out_channels=2, channels=(32, 64, 128, 256, 512),
                 strides=(2, 2, 2, 2), num_res_units=2, norm="batch")
    x = torch.randn(1, 1, 256, 256)
elif name == "basicunet3d":
    model = BasicUNet(spatial_dims=3, in_channels=1, out_channels=2)
    x = torch.randn(1, 1, 96, 96, 96)
elif name == "unetr":
    model = UNETR(in_channels=1, out_channels=14, img_size=(96, 96, 96), feature_size=16, hidden_size=768,
                  mlp_dim=3072, num_heads=12, norm_name="instance", res_block=True)
    x = torch.randn(1, 1, 96, 96, 96)
elif name == "utnet":
    # The `-m UTNet` configuration of the repository's train_deep.py with its option defaults (baselines.md).
    sys.path.insert(0, os.environ["UTNET_SRC"])
    from model.utnet import UTNet
    model = UTNet(1, 32, 4, reduce_size=8, block_list="1234", num_blocks=[1, 1, 1, 1], num_heads=[4, 4, 4, 4],
                  projection="interp", attn_drop=0.1, proj_drop=0.1, rel_pos=True, aux_loss=False, maxpool=True)
    x = torch.randn(1, 1, 256, 256)
else:
    sys.exit(f"unknown model {name}; choose unet3d, unet2d, basicunet3d, unetr or utnet")
model.eval()
with torch.inference_mode():
    for _ in range(2):
        model(x)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        model(x)
        times.append((time.perf_counter() - t0) * 1000)
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{name}: torch {torch.__version__} median {statistics.median(times):.0f} ms (min {min(times):.0f}), peak RSS {rss:.0f} MiB")
