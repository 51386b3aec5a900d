#!/usr/bin/env python3
"""Export a trained PyTorch/MONAI network as a segd model bundle.

Writes BUNDLE/model.safetensors (the state_dict with PyTorch's key names, float32) and BUNDLE/model.json (your
manifest template with "network" and "weights" filled in, sha256 included), and, with --check-shape, a random
input and PyTorch's output for it so that segd can prove it computes the same numbers:

    python3 Models/export_bundle.py \\
        --class monai.networks.nets.UNet \\
        --kwargs '{"spatial_dims": 2, "in_channels": 1, "out_channels": 3, "channels": [8, 16, 32, 64],
                   "strides": [2, 2, 2], "num_res_units": 2, "norm": "batch"}' \\
        --checkpoint best_metric_model.pth --template my-model.json --out /var/lib/segd/models/my-model \\
        --check-shape 1,1,256,256
    segd model run --network /var/lib/segd/models/my-model/network.json \\
        --weights /var/lib/segd/models/my-model/model.safetensors \\
        --input /var/lib/segd/models/my-model/check/x.safetensors \\
        --compare /var/lib/segd/models/my-model/check/y.safetensors
    segd models /var/lib/segd/models            # the bundle is valid
    segctl reload                                # the daemon picks it up

The template is a model.json without "network" and "weights" (see Models/demo-ct/model.json and
docs/pipeline.md for every field: input, spatialDims, orientation, spacing, intensity, inference, output,
postprocessing, labels). The network is constructed with --kwargs and the checkpoint is loaded into it with
strict=True, so a key-name mismatch fails here rather than in segd.

Needs: torch (the CPU wheel: pip install torch==2.13.0+cpu), safetensors, and the package that defines the
class (e.g. monai). Not used by segd at run time.
"""
import argparse
import hashlib
import importlib
import json
import os
import sys


def load_class(path):
    module, _, name = path.rpartition(".")
    if not module:
        sys.exit(f"export_bundle: --class must be a dotted path such as monai.networks.nets.UNet, not {path!r}")
    return getattr(importlib.import_module(module), name)


def load_state_dict(torch, checkpoint):
    state = torch.load(checkpoint, map_location="cpu", weights_only=True)
    for key in ("state_dict", "model", "network", "model_state_dict"):
        if isinstance(state, dict) and key in state and isinstance(state[key], dict):
            state = state[key]
            break
    if not isinstance(state, dict):
        sys.exit(f"export_bundle: {checkpoint} does not hold a state_dict")
    # DataParallel / DistributedDataParallel prefix.
    if all(k.startswith("module.") for k in state):
        state = {k[len("module."):]: v for k, v in state.items()}
    return state


def main():
    ap = argparse.ArgumentParser(description="Export a PyTorch network as a segd model bundle.")
    ap.add_argument("--class", dest="cls", required=True, help="dotted Python class, e.g. monai.networks.nets.UNet")
    ap.add_argument("--kwargs", required=True, help="constructor arguments as JSON, exactly as you built the network")
    ap.add_argument("--checkpoint", required=True, help="a torch.save()d state_dict (or a dict holding one)")
    ap.add_argument("--template", required=True, help="model.json without network/weights")
    ap.add_argument("--out", required=True, help="the bundle folder to write")
    ap.add_argument("--check-shape", help="N,C,... of a random input; writes check/x.safetensors and y.safetensors")
    args = ap.parse_args()

    import torch
    from safetensors.torch import save_file

    kwargs = json.loads(args.kwargs)
    network = load_class(args.cls)(**kwargs)
    network.load_state_dict(load_state_dict(torch, args.checkpoint), strict=True)
    network.eval()

    os.makedirs(args.out, exist_ok=True)
    tensors = {k: v.detach().to(torch.float32).contiguous() for k, v in network.state_dict().items()
               if v.dtype.is_floating_point}
    weights = os.path.join(args.out, "model.safetensors")
    save_file(tensors, weights)
    with open(weights, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()

    with open(args.template) as f:
        manifest = json.load(f)
    manifest["network"] = {"class": args.cls, "kwargs": kwargs}
    manifest["weights"] = {"file": "model.safetensors", "sha256": sha}
    with open(os.path.join(args.out, "model.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    with open(os.path.join(args.out, "network.json"), "w") as f:
        json.dump(manifest["network"], f, indent=2)
        f.write("\n")
    print(f"wrote {args.out}/model.json and model.safetensors ({len(tensors)} tensors, sha256 {sha[:12]}…)")

    if args.check_shape:
        shape = [int(s) for s in args.check_shape.split(",")]
        torch.manual_seed(0)
        x = torch.randn(*shape)
        with torch.no_grad():
            y = network(x)
        check = os.path.join(args.out, "check")
        os.makedirs(check, exist_ok=True)
        save_file({"x": x.contiguous()}, os.path.join(check, "x.safetensors"))
        save_file({"y": y.contiguous()}, os.path.join(check, "y.safetensors"))
        print(f"check it: segd model run --network {args.out}/network.json --weights {weights} "
              f"--input {check}/x.safetensors --compare {check}/y.safetensors")


if __name__ == "__main__":
    main()
