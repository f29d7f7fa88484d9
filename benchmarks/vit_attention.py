"""Block-restricted ViT attention: one batched call per layer vs a Python loop over blocks.

The same BlockViT (same weights) runs forward + backward on a random batch of voxel grids
twice per block size r: with `attention="batched"` (tokens reshaped to
[batch * n_blocks, r^3 + 1, dim], one scaled_dot_product_attention per layer) and with
`attention="loop"` (`block_attention_loop`: one small attention per block, as in the
published code). Everything else in the model (patch embedding, MLPs) is shared, so the
ratio is what training would gain. Best of `--repeats` timings, the two alternating,
after one warm-up each. Agreement: max |difference| of the outputs in float32 and in
float64 (the float64 copy of the same weights), and of the float32 parameter gradients.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/vit_attention.py [--tokens 8] [--blocks 1 2 4]
"""

from __future__ import annotations

import argparse
import copy
import os
import platform
import sys
import time
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")

import torch  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from vitrify.rise.vit import BlockViT, BlockViTConfig  # noqa: E402


def step_seconds(model: BlockViT, x: torch.Tensor, attention: str) -> float:
    model.zero_grad(set_to_none=True)
    t0 = time.perf_counter()
    model(x, attention).sum().backward()
    return time.perf_counter() - t0


def gradients(model: BlockViT, x: torch.Tensor, attention: str) -> torch.Tensor:
    model.zero_grad(set_to_none=True)
    model(x, attention).sum().backward()
    return torch.cat([p.grad.ravel() for p in model.parameters()])


def measure(args, r: int) -> dict:
    cfg = BlockViTConfig(in_channels=2, grid=args.tokens * args.patch, patch=args.patch, embed_dim=args.embed,
                         depth=args.depth, heads=args.heads, block=r, pos_embedding=args.pos)
    torch.manual_seed(args.seed)
    model = BlockViT(cfg)
    with torch.no_grad():  # O(1) random weights, the relative bias included, so no term is trivially zero
        for p in model.parameters():
            p.normal_(0.0, 0.1)
    model.eval()  # no dropout: the two paths must see the same function
    x = torch.rand(args.batch, 2, cfg.grid, cfg.grid, cfg.grid, generator=torch.Generator().manual_seed(args.seed))
    times = {"batched": [], "loop": []}
    for mode in times:
        step_seconds(model, x, mode)  # warm-up
    for _ in range(args.repeats):
        for mode in times:
            times[mode].append(step_seconds(model, x, mode))
    with torch.no_grad():
        d32 = (model(x, "batched") - model(x, "loop")).abs().max().item()
        m64 = copy.deepcopy(model).double()
        d64 = (m64(x.double(), "batched") - m64(x.double(), "loop")).abs().max().item()
    g = gradients(model, x, "batched") - gradients(model, x, "loop")
    return {"r": r, "blocks": cfg.n_blocks, "seq": r**3 + 1, "batched": min(times["batched"]),
            "loop": min(times["loop"]), "d32": d32, "d64": d64, "dgrad": g.abs().max().item()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--tokens", type=int, default=8, help="token grid edge T (grid = T * patch voxels)")
    ap.add_argument("--blocks", type=int, nargs="+", default=[1, 2, 4], help="block edges r (tokens)")
    ap.add_argument("--patch", type=int, default=2)
    ap.add_argument("--embed", type=int, default=64)
    ap.add_argument("--heads", type=int, default=2)
    ap.add_argument("--depth", type=int, default=2)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--pos", default="relative", choices=["relative", "none", "absolute"])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
          f"torch {torch.__version__}, {torch.get_num_threads()} thread(s); batch {args.batch}, "
          f"{args.tokens}^3 tokens (grid {args.tokens * args.patch}^3, patch {args.patch}), embed {args.embed}, "
          f"{args.heads} heads, {args.depth} layers, {args.pos} positions; forward + backward, best of {args.repeats}",
          flush=True)
    rows = []
    for r in args.blocks:
        row = measure(args, r)
        rows.append(row)
        print(f"  r={r}: batched {row['batched']:.3f} s, loop {row['loop']:.3f} s", flush=True)
    print()
    print("| r | blocks | tokens/block (+CLS) | batched s/batch | loop s/batch | ratio loop/batched "
          "| max abs diff out float32 | max abs diff out float64 | max abs diff grad float32 |")
    print("|---|---|---|---|---|---|---|---|---|")
    for w in rows:
        print(f"| {w['r']} | {w['blocks']} | {w['seq']} | {w['batched']:.4f} | {w['loop']:.4f} "
              f"| {w['loop'] / w['batched']:.1f} | {w['d32']:.1e} | {w['d64']:.1e} | {w['dgrad']:.1e} |")


if __name__ == "__main__":
    main()
