"""Makes extra UTNet parity fixtures for configurations the shared fixtures do not cover.

Run offline (not in CI) with the torch venv and a checkout of the reference implementation:

    UTNET_SRC=/path/to/UTNet (git checkout 6bdcc97) \
    /work/venv-torch/bin/python Plugins/UTNet/Tests/Generators/make_utnet_variants.py

Writes Plugins/UTNet/Tests/Fixtures/models/<name>/{model,input,reference}.safetensors + config.json.
`reference` is the float64 forward of the same weights, rounded to float32. Randomisation: PyTorch's default
init for convs, every BatchNorm with affine weight U(0.5, 1.5), bias N(0, 0.1^2), running mean N(0, 0.1^2),
running var U(0.5, 1.5); relative position tables N(0, 1); conv biases N(0, 0.2^2).
"""
import json
import os
import sys

import torch
from safetensors.torch import save_file

sys.path.insert(0, os.environ["UTNET_SRC"])
from model.utnet import UTNet  # noqa: E402

OUT = os.path.join(os.path.dirname(__file__), "..", "Fixtures", "models")

VARIANTS = {
    # Stride-2 residual blocks instead of max-pooling, no relative position bias.
    "utnet_variant_stride_norel": dict(size=64, kwargs=dict(
        in_chan=1, base_chan=4, num_classes=3, reduce_size=4, block_list="1234", num_blocks=[1, 1, 1, 1],
        num_heads=[2, 2, 2, 2], projection="interp", attn_drop=0.1, proj_drop=0.1, rel_pos=False,
        aux_loss=False, maxpool=False)),
    # Attention at full resolution (level 0), none at level 3, two blocks at level 2, 2 input channels.
    "utnet_variant_level0": dict(size=64, kwargs=dict(
        in_chan=2, base_chan=4, num_classes=2, reduce_size=4, block_list="0124", num_blocks=[1, 2, 1, 1],
        num_heads=[2, 2, 4, 2, 2], projection="interp", attn_drop=0.0, proj_drop=0.0, rel_pos=True,
        aux_loss=False, maxpool=True)),
}


def randomise(model, gen):
    with torch.no_grad():
        for name, m in model.named_modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5, generator=gen)
                m.bias.normal_(0, 0.1, generator=gen)
                m.running_mean.normal_(0, 0.1, generator=gen)
                m.running_var.uniform_(0.5, 1.5, generator=gen)
            elif isinstance(m, torch.nn.Conv2d) and m.bias is not None:
                m.bias.normal_(0, 0.2, generator=gen)
        for name, p in model.named_parameters():
            if name.endswith("relative_position_bias_table"):
                p.normal_(0, 1, generator=gen)


def main():
    for name, spec in VARIANTS.items():
        gen = torch.Generator().manual_seed(1234)
        torch.manual_seed(1234)
        model = UTNet(**spec["kwargs"]).eval()
        randomise(model, gen)
        c = spec["kwargs"]["in_chan"]
        x = torch.randn(1, c, spec["size"], spec["size"], generator=gen)
        with torch.inference_mode():
            y32 = model(x)
            y64 = model.double()(x.double()).float()
        model.float()
        d = os.path.join(OUT, name)
        os.makedirs(d, exist_ok=True)
        sd = {k: v.contiguous() for k, v in model.state_dict().items()}
        save_file(sd, os.path.join(d, "model.safetensors"), metadata={"format": "pt"})
        save_file({"x": x}, os.path.join(d, "input.safetensors"))
        save_file({"y": y64}, os.path.join(d, "reference.safetensors"))
        err = (y32 - y64).abs().max().item()
        config = {"name": name, "class": "yhygao/UTNet:model.utnet.UTNet", "kwargs": spec["kwargs"],
                  "input_shape": list(x.shape), "output_shape": list(y64.shape),
                  "state_dict_entries": len(sd), "fp32_vs_f64_max_abs": err,
                  "abs_max": y64.abs().max().item(),
                  "versions": {"torch": torch.__version__, "utnet_commit": "6bdcc97"}}
        with open(os.path.join(d, "config.json"), "w") as f:
            json.dump(config, f, indent=1)
        print(name, list(y64.shape), "entries", len(sd), "fp32 vs f64", err)


if __name__ == "__main__":
    main()
