"""A vision transformer on periodic voxel grids whose attention is confined to blocks of tokens.

The second half of the RISE study: the test error of this model against the block edge
("communication length") should saturate where the SOAP radius sweep has its optimum.

Tokens. A Conv3d with kernel = stride = patch cuts the grid^3 voxels into T^3 patches
(T = grid / patch). The patches tile the periodic grid exactly, so translating a sample by
a whole patch permutes the tokens and nothing else.

Blocks. The token grid is tiled by (T / r)^3 blocks of r^3 tokens. A token attends only to
the tokens of its own block and to the CLS token. The tiling is fixed through the layers
(no shifted windows), so tokens are permuted into the block layout once, stay in it
through all layers, and each layer runs one attention call on
[batch * n_blocks, r^3 + 1, dim] (block tokens + the CLS copy). No Python loop over blocks.

CLS. The CLS token is joined to every block as a copy: in a layer, each copy attends to
its block (and the block's tokens may attend to it), then the copies' attention outputs are
averaged, so the CLS reads every block with the same weight; its MLP then runs once on the
merged CLS. With one block (r = T) this is exactly a standard pre-norm ViT layer over all
tokens + CLS. Note what the communication length does and does not bound: token-to-token
exchange never crosses a block edge, but from the second layer on the CLS carries a
summary of all blocks back into each block. `tokens_attend_cls=False` closes that channel
(tokens ignore the CLS; the CLS still reads all blocks), making the receptive field of
every token strictly its block.

Positions. The energy of a periodic glass does not depend on where the box origin is, so
an absolute position embedding ("absolute": learned, one vector per token) is a feature the
model has to learn to ignore. The default, "relative", is a learned attention bias per head
for each offset between two tokens of a block (as in Swin): it keeps the geometry inside a
block and is unchanged by any translation that maps blocks onto blocks. When a block spans
the whole token grid (r = T) offsets are taken modulo T, so that block is periodic and the
model is invariant under translations by any whole patch. "none" makes attention
permutation-invariant inside a block (the patch embedding still sees the 2^3 voxel layout).

Guarantees (no dropout, eval mode): for "relative" and "none", translating the input by a
multiple of r * patch voxels along any axis permutes the token outputs and leaves the CLS
output and the prediction unchanged up to round-off; for r = T, any multiple of patch.
Other shifts move the block boundaries and are learned only through augmentation.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import nn

POSITION_EMBEDDINGS = ("relative", "none", "absolute")


@dataclass(frozen=True)
class BlockViTConfig:
    """Hyper-parameters of a BlockViT. `block` is r: the block edge in tokens."""

    in_channels: int
    grid: int
    patch: int = 2
    embed_dim: int = 64
    depth: int = 2
    heads: int = 2
    block: int = 2
    mlp_ratio: float = 4.0
    dropout: float = 0.0
    pos_embedding: str = "relative"
    tokens_attend_cls: bool = True

    def __post_init__(self):
        for name in ("in_channels", "grid", "patch", "embed_dim", "depth", "heads", "block"):
            value = getattr(self, name)
            if int(value) != value or value < 1:
                raise ValueError(f"{name} must be a positive integer, got {value}")
        if self.grid % self.patch:
            raise ValueError(f"grid {self.grid} is not divisible by patch {self.patch}")
        if self.tokens % self.block:
            raise ValueError(f"token grid {self.tokens} (= grid {self.grid} / patch {self.patch}) "
                             f"is not divisible by block r = {self.block}")
        if self.embed_dim % self.heads:
            raise ValueError(f"embed_dim {self.embed_dim} is not divisible by heads {self.heads}")
        if self.pos_embedding not in POSITION_EMBEDDINGS:
            raise ValueError(f"pos_embedding must be one of {POSITION_EMBEDDINGS}, got {self.pos_embedding!r}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")
        if self.mlp_ratio <= 0:
            raise ValueError(f"mlp_ratio must be positive, got {self.mlp_ratio}")

    @property
    def tokens(self) -> int:
        """Token grid edge T."""
        return self.grid // self.patch

    @property
    def n_blocks(self) -> int:
        return (self.tokens // self.block) ** 3

    def as_dict(self) -> dict:
        return asdict(self)


def communication_length_A(r: int, patch: int, voxel_size_A: float) -> float:
    """Edge of one attention block in A: how far apart two tokens that exchange information
    directly can be (r patches of `patch` voxels)."""
    return float(r * patch * voxel_size_A)


def to_blocks(tokens: torch.Tensor, r: int) -> torch.Tensor:
    """[B, T, T, T, D] grid layout -> [B, n_blocks, r^3, D] block layout (blocks and the
    tokens inside a block both in C order)."""
    b, t, _, _, d = tokens.shape
    n = t // r
    x = tokens.reshape(b, n, r, n, r, n, r, d).permute(0, 1, 3, 5, 2, 4, 6, 7)
    return x.reshape(b, n**3, r**3, d)


def from_blocks(blocks: torch.Tensor, r: int) -> torch.Tensor:
    """Inverse of `to_blocks`."""
    b, nb3, _, d = blocks.shape
    n = round(nb3 ** (1.0 / 3.0))
    x = blocks.reshape(b, n, n, n, r, r, r, d).permute(0, 1, 4, 2, 5, 3, 6, 7)
    return x.reshape(b, n * r, n * r, n * r, d)


def relative_offset_index(r: int, periodic: bool) -> torch.Tensor:
    """[r^3, r^3] index into a (2r - 1)^3 table of relative offsets between tokens of a block.

    periodic: offsets modulo r (the block is the whole periodic token grid), else signed.
    """
    coords = torch.stack(torch.meshgrid(*[torch.arange(r)] * 3, indexing="ij"), -1).reshape(-1, 3)
    delta = coords[:, None, :] - coords[None, :, :]
    delta = delta % r if periodic else delta + (r - 1)
    side = 2 * r - 1
    return (delta[..., 0] * side + delta[..., 1]) * side + delta[..., 2]


class BlockSelfAttention(nn.Module):
    """Multi-head self-attention inside each block of r^3 tokens plus a CLS copy per block."""

    def __init__(self, dim: int, heads: int, r: int, periodic: bool, relative: bool,
                 tokens_attend_cls: bool, dropout: float):
        super().__init__()
        self.dim, self.heads, self.r = dim, heads, r
        self.dropout = dropout
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.proj_drop = nn.Dropout(dropout)
        self.periodic = periodic
        self.rel_bias = nn.Parameter(torch.zeros(heads, (2 * r - 1) ** 3)) if relative else None
        self.register_buffer("rel_index", relative_offset_index(r, periodic), persistent=False)
        cls_mask = torch.zeros(r**3 + 1, r**3 + 1)
        if not tokens_attend_cls:
            cls_mask[1:, 0] = float("-inf")
        self.register_buffer("cls_mask", cls_mask, persistent=False)
        self.tokens_attend_cls = tokens_attend_cls

    def attention_bias(self, dtype: torch.dtype) -> torch.Tensor | None:
        """Additive logit bias [heads, r^3 + 1, r^3 + 1] (index 0 = CLS), or None."""
        if self.rel_bias is None and self.tokens_attend_cls:
            return None
        bias = self.cls_mask.to(dtype).expand(self.heads, -1, -1)
        if self.rel_bias is not None:
            # The CLS has no position: zero bias in its row and column.
            bias = bias + F.pad(self.rel_bias[:, self.rel_index], (1, 0, 1, 0)).to(dtype)
        return bias

    def forward(self, tokens: torch.Tensor, cls: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """tokens [B, n_blocks, r^3, D] (block layout), cls [B, D] -> attention outputs of the
        same shapes; the CLS output is the mean over its per-block copies."""
        b, nb, r3, d = tokens.shape
        # The CLS copies are identical, so their q, k, v are computed once per sample and
        # their outputs averaged before the (affine) output projection: same result as
        # projecting every copy, at a fraction of the cost when blocks are small.
        qkv_cls = self.qkv(cls)[:, None, None, :].expand(b, nb, 1, 3 * d)
        qkv = torch.cat([qkv_cls, self.qkv(tokens)], dim=2)
        qkv = qkv.reshape(b * nb, r3 + 1, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        out = F.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2], attn_mask=self.attention_bias(tokens.dtype),
                                             dropout_p=self.dropout if self.training else 0.0)
        out = out.transpose(1, 2).reshape(b, nb, r3 + 1, d)
        return (self.proj_drop(self.proj(out[:, :, 1:])),
                self.proj_drop(self.proj(out[:, :, 0].mean(dim=1))))


def block_attention_loop(attn: BlockSelfAttention, tokens: torch.Tensor,
                         cls: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The attention of `attn` written the plain way: a Python loop over blocks on the grid
    layout, explicit softmax. Reference for tests and the benchmark, same weights.

    tokens [B, T, T, T, D] (grid layout), cls [B, D] -> (token outputs [B, T, T, T, D],
    CLS output [B, D]).
    """
    b, t, _, _, d = tokens.shape
    r, h = attn.r, attn.heads
    dh = d // h
    coords = torch.cartesian_prod(*[torch.arange(r)] * 3)
    bias = torch.zeros(h, r**3 + 1, r**3 + 1, dtype=tokens.dtype, device=tokens.device)
    if attn.rel_bias is not None:
        delta = coords[:, None, :] - coords[None, :, :]
        delta = delta % r if attn.periodic else delta + r - 1
        side = 2 * r - 1
        flat = (delta[..., 0] * side + delta[..., 1]) * side + delta[..., 2]
        bias[:, 1:, 1:] = attn.rel_bias[:, flat.to(tokens.device)].to(tokens.dtype)
    if not attn.tokens_attend_cls:
        bias[:, 1:, 0] = float("-inf")
    out = torch.zeros_like(tokens)
    cls_sum = torch.zeros_like(cls)
    n = t // r
    for i in range(n):
        for j in range(n):
            for k in range(n):
                where = (slice(None), slice(i * r, (i + 1) * r), slice(j * r, (j + 1) * r), slice(k * r, (k + 1) * r))
                seq = torch.cat([cls[:, None, :], tokens[where].reshape(b, r**3, d)], dim=1)
                q, key, v = F.linear(seq, attn.qkv.weight, attn.qkv.bias).chunk(3, dim=-1)
                q, key, v = (z.reshape(b, -1, h, dh).transpose(1, 2) for z in (q, key, v))
                weights = torch.softmax(q @ key.transpose(-1, -2) / math.sqrt(dh) + bias, dim=-1)
                weights = F.dropout(weights, attn.dropout, attn.training)
                o = (weights @ v).transpose(1, 2).reshape(b, -1, d)
                o = attn.proj_drop(F.linear(o, attn.proj.weight, attn.proj.bias))
                out[where] = o[:, 1:].reshape(b, r, r, r, d)
                cls_sum = cls_sum + o[:, 0]
    return out, cls_sum / n**3


class BlockLayer(nn.Module):
    """Pre-norm transformer layer: block attention, then a per-token MLP (CLS included)."""

    def __init__(self, config: BlockViTConfig):
        super().__init__()
        d = config.embed_dim
        self.norm1 = nn.LayerNorm(d)
        self.attn = BlockSelfAttention(d, config.heads, config.block, periodic=config.block == config.tokens,
                                       relative=config.pos_embedding == "relative",
                                       tokens_attend_cls=config.tokens_attend_cls, dropout=config.dropout)
        self.norm2 = nn.LayerNorm(d)
        hidden = int(round(d * config.mlp_ratio))
        self.mlp = nn.Sequential(nn.Linear(d, hidden), nn.GELU(), nn.Dropout(config.dropout),
                                 nn.Linear(hidden, d), nn.Dropout(config.dropout))

    def forward(self, tokens: torch.Tensor, cls: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Block layout in and out."""
        a_tok, a_cls = self.attn(self.norm1(tokens), self.norm1(cls))
        return self._mlp(tokens + a_tok, cls + a_cls)

    def forward_loop(self, tokens: torch.Tensor, cls: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Grid layout in and out, attention by `block_attention_loop`."""
        a_tok, a_cls = block_attention_loop(self.attn, self.norm1(tokens), self.norm1(cls))
        return self._mlp(tokens + a_tok, cls + a_cls)

    def _mlp(self, tokens: torch.Tensor, cls: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        return tokens + self.mlp(self.norm2(tokens)), cls + self.mlp(self.norm2(cls))


class BlockViT(nn.Module):
    """Voxel grid [B, in_channels, grid, grid, grid] -> one scalar per sample (from the CLS)."""

    def __init__(self, config: BlockViTConfig):
        super().__init__()
        self.config = config
        d, t = config.embed_dim, config.tokens
        # Per-channel input standardisation, set from the training grids by the trainer and
        # saved with the weights (buffers), so every caller of the model feeds raw densities.
        self.register_buffer("input_mean", torch.zeros(config.in_channels))
        self.register_buffer("input_std", torch.ones(config.in_channels))
        self.patch_embed = nn.Conv3d(config.in_channels, d, kernel_size=config.patch, stride=config.patch)
        self.cls = nn.Parameter(torch.zeros(d))
        self.pos = nn.Parameter(torch.zeros(t, t, t, d)) if config.pos_embedding == "absolute" else None
        self.layers = nn.ModuleList(BlockLayer(config) for _ in range(config.depth))
        self.norm = nn.LayerNorm(d)
        self.head = nn.Linear(d, 1)
        self.reset_parameters()

    def set_input_norm(self, x: torch.Tensor) -> None:
        """Standardise each channel with the mean and standard deviation of grids x [N, C, ...]."""
        dims = [0] + list(range(2, x.dim()))
        mean = x.double().mean(dim=dims)
        std = x.double().std(dim=dims)
        self.input_mean.copy_(mean.to(self.input_mean))
        self.input_std.copy_(torch.where(std > 0, std, torch.ones_like(std)).to(self.input_std))

    def reset_parameters(self) -> None:
        """ViT-style: truncated normal (std 0.02) weights and embeddings, zero biases."""
        for name, p in self.named_parameters():
            if "norm" in name:
                continue
            if name.endswith(".bias"):
                nn.init.zeros_(p)
            else:
                nn.init.trunc_normal_(p, std=0.02, a=-0.04, b=0.04)

    def embed(self, x: torch.Tensor) -> torch.Tensor:
        """Patch tokens in grid layout [B, T, T, T, D]."""
        c = self.config
        if x.dim() != 5 or tuple(x.shape[1:]) != (c.in_channels, c.grid, c.grid, c.grid):
            raise ValueError(f"expected input [batch, {c.in_channels}, {c.grid}, {c.grid}, {c.grid}], "
                             f"got {list(x.shape)}")
        x = (x - self.input_mean[:, None, None, None]) / self.input_std[:, None, None, None]
        tokens = self.patch_embed(x).permute(0, 2, 3, 4, 1)
        return tokens + self.pos if self.pos is not None else tokens

    def encode(self, x: torch.Tensor, attention: str = "batched") -> tuple[torch.Tensor, torch.Tensor]:
        """Final token states [B, T, T, T, D] (grid layout, before the last norm) and CLS [B, D].

        attention: "batched" (one attention call per layer) or "loop" (`block_attention_loop`).
        """
        tokens = self.embed(x)
        cls = self.cls.expand(x.shape[0], -1)
        r = self.config.block
        if attention == "batched":
            tokens = to_blocks(tokens, r)
            for layer in self.layers:
                tokens, cls = layer(tokens, cls)
            return from_blocks(tokens, r), cls
        if attention == "loop":
            for layer in self.layers:
                tokens, cls = layer.forward_loop(tokens, cls)
            return tokens, cls
        raise ValueError(f"attention must be 'batched' or 'loop', got {attention!r}")

    def forward(self, x: torch.Tensor, attention: str = "batched") -> torch.Tensor:
        _, cls = self.encode(x, attention)
        return self.head(self.norm(cls)).squeeze(-1)


def n_parameters(model: nn.Module) -> int:
    return int(sum(p.numel() for p in model.parameters()))
