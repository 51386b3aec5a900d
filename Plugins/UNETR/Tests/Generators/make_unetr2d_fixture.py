"""Makes the unetr2d_tiny parity fixture (run offline, not in CI):
    /work/venv-torch/bin/python make_unetr2d_fixture.py ../Fixtures/models/unetr2d_tiny
MONAI UNETR with spatial_dims=2 (no shared fixture exists for 2-D). Parameters: default init, then every
float tensor re-drawn like ../shared/fixtures (weights U(+-sqrt(3/fan_in)), biases N(0, 0.2^2), norm weights
U(0.5, 1.5), position embeddings N(0, 0.5^2)). Writes model/input/reference safetensors (reference = float64
forward rounded to float32) and config.json."""
import json, math, os, sys
import torch
from safetensors.torch import save_file
from monai.networks.nets import UNETR

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
kwargs = dict(in_channels=1, out_channels=2, img_size=[32, 32], feature_size=4, hidden_size=32, mlp_dim=64,
              num_heads=4, norm_name="instance", res_block=True, spatial_dims=2)
torch.manual_seed(20261123)
model = UNETR(**kwargs).eval()
with torch.no_grad():
    for name, p in model.named_parameters():
        if name.endswith("position_embeddings"):
            p.copy_(torch.randn_like(p) * 0.5)
        elif p.dim() >= 2:
            fan_in = p[0].numel() if "transp_conv" not in name else p.shape[0] * p[0, 0].numel() / 8
            b = math.sqrt(3.0 / fan_in)
            p.copy_(torch.empty_like(p).uniform_(-b, b))
        elif "norm" in name and name.endswith("weight"):
            p.copy_(torch.empty_like(p).uniform_(0.5, 1.5))
        else:
            p.copy_(torch.randn_like(p) * 0.2)
x = torch.randn(1, 1, 32, 32)
with torch.inference_mode():
    ref = model.double()(x.double()).float()
sd = {k: v.float().contiguous() for k, v in model.state_dict().items()}
save_file(sd, os.path.join(out, "model.safetensors"), metadata={"format": "pt"})
save_file({"x": x.contiguous()}, os.path.join(out, "input.safetensors"))
save_file({"y": ref.contiguous()}, os.path.join(out, "reference.safetensors"))
json.dump({"name": "unetr2d_tiny", "class": "monai.networks.nets.UNETR", "kwargs": kwargs,
           "input_shape": list(x.shape), "output_shape": list(ref.shape),
           "versions": {"torch": torch.__version__, "monai": __import__("monai").__version__}},
          open(os.path.join(out, "config.json"), "w"), indent=1)
print("wrote", out, "max|y| =", ref.abs().max().item())
