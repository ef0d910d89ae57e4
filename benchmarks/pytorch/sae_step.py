#!/usr/bin/python3
"""The standard SAE training step in PyTorch, side by side with SparseDictionary's (never part of CI).

Same shapes, thread count, allocator thresholds and initialisation as the .NET harness's `sparse` mode: batch 4096,
d_in 512, 4096 latents, fp32, 2 threads; glibc mallopt(M_MMAP_THRESHOLD = 1 GiB, M_TRIM_THRESHOLD = INT_MAX) through
ctypes unless SPARSEDICTIONARY_MALLOPT=0 (the .NET side reads the same variable); decoder rows unit-norm random, W_enc
= 0.1 W_dec^T, zero biases, b_enc shifted so that a chosen fraction of the latents is active. A step is forward, loss
(sum of squared error over d_in, batch mean, + 5 * L1), backward, removal of the decoder gradient parallel to each row,
Adam, decoder row renormalisation: what SaeTrainer does.

Usage (Debian: apt-get install -y python3-torch libopenblas0-pthread; build the benchmarks in Release first):
  /usr/bin/python3 benchmarks/pytorch/sae_step.py [--threads 2] [--batch 4096] [--d-in 512] [--expansion 8]
      [--activities 0.005,0.01,0.02,0.05,0.1,0.2] [--repeats 5] [--dotnet-json FILE | --no-dotnet]
Without --dotnet-json it runs the .NET harness (`sparse` mode, same arguments) first, in this same invocation, and
prints both numbers and their ratio.
"""
import argparse
import ctypes
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

INT_MAX = 2**31 - 1


def configure_allocator():
    if os.environ.get("SPARSEDICTIONARY_MALLOPT", "").strip().lower() in ("0", "false", "off", "no"):
        return "Disabled"
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.gnu_get_libc_version  # glibc only
    except (OSError, AttributeError):
        return "Unsupported"
    ok = libc.mallopt(-3, 1 << 30) == 1 and libc.mallopt(-1, INT_MAX) == 1  # M_MMAP_THRESHOLD, M_TRIM_THRESHOLD
    return "Applied" if ok else "Failed"


# Set before the first large allocation, as the .NET side does.
ALLOCATOR = configure_allocator()
import torch  # noqa: E402


def minor_faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def median_seconds(fn, repeats, warmup=1):
    # Warm up as the .NET harness does: at least `warmup` calls, and until a call page-faults at most 1024 times
    # (4 MiB: the allocator has settled on the call's working set), at most 8 calls.
    for i in range(8):
        before = minor_faults()
        fn()
        if i + 1 >= warmup and minor_faults() - before <= 1024:
            break
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


class StandardSae:
    def __init__(self, d_in, d_sae, generator):
        w = torch.randn(d_sae, d_in, generator=generator)
        w /= w.norm(dim=1, keepdim=True)
        self.W_dec = torch.nn.Parameter(w.clone())
        self.W_enc = torch.nn.Parameter(w.t().clone() * 0.1)
        self.b_enc = torch.nn.Parameter(torch.zeros(d_sae))
        self.b_dec = torch.nn.Parameter(torch.zeros(d_in))
        self.params = [self.W_enc, self.b_enc, self.W_dec, self.b_dec]
        self.opt = torch.optim.Adam(self.params, lr=1e-6)

    def step(self, x, l1=5.0):
        pre = torch.addmm(self.b_enc, x - self.b_dec, self.W_enc)
        f = torch.relu(pre)
        x_hat = torch.addmm(self.b_dec, f, self.W_dec)
        loss = (x_hat - x).square().sum(1).mean() + l1 * f.abs().sum(1).mean()
        self.opt.zero_grad()
        loss.backward()
        with torch.no_grad():
            w = self.W_dec
            unit = w / w.norm(dim=1, keepdim=True).clamp_min(1e-12)
            w.grad -= (w.grad * unit).sum(1, keepdim=True) * unit
        self.opt.step()
        with torch.no_grad():
            self.W_dec /= self.W_dec.norm(dim=1, keepdim=True).clamp_min(1e-12)

    def set_activity(self, x, activity):
        with torch.no_grad():
            self.b_enc.zero_()
            pre = ((x[:256] - self.b_dec) @ self.W_enc).double()
            self.b_enc -= pre.flatten().quantile(1 - activity).float()
            return (torch.relu(torch.addmm(self.b_enc, x - self.b_dec, self.W_enc)) > 0).double().mean().item()


def run_dotnet(args):
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    dll = os.path.join(root, "benchmarks", "SparseDictionary.Benchmarks", "bin", "Release", "net10.0", "SparseDictionary.Benchmarks.dll")
    if not os.path.exists(dll):
        sys.exit(f"{dll} not found: dotnet build benchmarks/SparseDictionary.Benchmarks -c Release")
    out = os.path.join(tempfile.mkdtemp(), "dotnet.json")
    cmd = ["dotnet", dll, "sparse", "--device", "cpu", "--threads", str(args.threads), "--batch", str(args.batch), "--d-in", str(args.d_in),
           "--expansion", str(args.expansion), "--activities", args.activities, "--repeats", str(args.repeats), "--json", out]
    print("running:", " ".join(cmd), flush=True)
    subprocess.run(cmd, check=True)
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batch", type=int, default=4096)
    p.add_argument("--d-in", type=int, default=512)
    p.add_argument("--expansion", type=int, default=8)
    p.add_argument("--activities", default="0.005,0.01,0.02,0.05,0.1,0.2")
    p.add_argument("--repeats", type=int, default=5)
    p.add_argument("--dotnet-json")
    p.add_argument("--no-dotnet", action="store_true")
    args = p.parse_args()

    dotnet = None
    if not args.no_dotnet:
        path = args.dotnet_json or run_dotnet(args)
        with open(path) as fh:
            dotnet = json.load(fh)

    torch.set_num_threads(args.threads)
    d_sae = args.d_in * args.expansion
    g = torch.Generator().manual_seed(1)
    sae = StandardSae(args.d_in, d_sae, g)
    x = torch.randn(args.batch, args.d_in, generator=g)
    print(f"\nPyTorch {torch.__version__} ({torch.__config__.parallel_info().splitlines()[0]}), {args.threads} threads, allocator {ALLOCATOR}; "
          f"batch {args.batch}, d_in {args.d_in}, d_sae {d_sae}, fp32")
    a_ = torch.randn(args.batch, args.d_in, generator=g)
    w_ = torch.randn(args.d_in, d_sae, generator=g)
    t_mm = median_seconds(lambda: a_ @ w_, args.repeats)
    print(f"PyTorch matmul [B,d_in]x[d_in,d_sae]: {t_mm * 1000:.1f} ms ({2 * args.batch * args.d_in * d_sae / t_mm / 1e9:.1f} GFLOP/s)\n")

    print("| L0/d_sae | PyTorch step (ms) | .NET autograd step (ms) | .NET closed-form step, auto (ms) | .NET sparse step (ms) | PyTorch / .NET autograd | PyTorch / .NET sparse |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for target in [float(v) for v in args.activities.split(",")]:
        activity = sae.set_activity(x, target)
        t_py = median_seconds(lambda: sae.step(x), args.repeats)
        row = f"| {activity:.2%} | {t_py * 1000:.0f} |"
        if dotnet is not None:
            rows = [r for r in dotnet if r.get("Section") == "sparse step" and r.get("Activity") is not None and abs(r["Activity"] - target) / target < 0.3]
            pick = lambda prefix: next((r["Seconds"] for r in rows if r["Operation"].startswith(prefix)), float("nan"))
            t_auto, t_dense, t_sparse = pick("autograd step"), pick("closed-form dense"), pick("closed-form sparse")
            t_closed = t_sparse if target <= 0.2 else t_dense  # SparseStepMaxActivity default
            row += f" {t_auto * 1000:.0f} | {t_closed * 1000:.0f} | {t_sparse * 1000:.0f} | {t_py / t_auto:.2f} | {t_py / t_sparse:.2f} |"
        print(row, flush=True)


if __name__ == "__main__":
    main()
