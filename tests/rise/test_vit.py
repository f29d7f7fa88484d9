"""Block-restricted ViT: batched attention = per-block loop = full attention at one block,
locality, the CLS channel, and the translation symmetry the design guarantees."""

from __future__ import annotations

import pytest
import torch

from vitrify.rise.vit import (
    BlockViT,
    BlockViTConfig,
    block_attention_loop,
    communication_length_A,
    from_blocks,
    to_blocks,
)

torch.set_num_threads(1)


def make_model(block: int, pos: str = "relative", depth: int = 1, grid: int = 8, patch: int = 2,
               tokens_attend_cls: bool = True, seed: int = 0) -> BlockViT:
    """A float64 model with all parameters random and O(1): no accidental zero bias hides a bug."""
    cfg = BlockViTConfig(in_channels=2, grid=grid, patch=patch, embed_dim=16, depth=depth, heads=2,
                         block=block, mlp_ratio=2.0, pos_embedding=pos, tokens_attend_cls=tokens_attend_cls)
    torch.manual_seed(seed)
    model = BlockViT(cfg).double().eval()
    with torch.no_grad():
        for p in model.parameters():
            p.normal_(0.0, 0.3)
    return model


def sample(n: int = 2, grid: int = 8, seed: int = 1) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    return torch.rand(n, 2, grid, grid, grid, generator=g, dtype=torch.float64)


def test_shapes_and_config_errors():
    model = make_model(block=2, depth=2)
    x = sample(3)
    assert model(x).shape == (3,)
    tokens, cls = model.encode(x)
    assert tokens.shape == (3, 4, 4, 4, 16) and cls.shape == (3, 16)
    with pytest.raises(ValueError, match="patch"):
        BlockViTConfig(in_channels=2, grid=9, patch=2)
    with pytest.raises(ValueError, match="block r = 3"):
        BlockViTConfig(in_channels=2, grid=8, patch=2, block=3)
    with pytest.raises(ValueError, match="heads"):
        BlockViTConfig(in_channels=2, grid=8, patch=2, embed_dim=10, heads=4)
    with pytest.raises(ValueError, match="expected input"):
        model(sample(1, grid=16))


def test_block_layout_round_trip():
    t = torch.arange(2 * 4**3 * 3, dtype=torch.float64).reshape(2, 4, 4, 4, 3)
    blocks = to_blocks(t, 2)
    assert blocks.shape == (2, 8, 8, 3)
    # Block 1 = block index (0, 0, 1): tokens x 0..1, y 0..1, z 2..3, in C order.
    torch.testing.assert_close(blocks[:, 1], t[:, 0:2, 0:2, 2:4].reshape(2, 8, 3))
    torch.testing.assert_close(from_blocks(blocks, 2), t)


@pytest.mark.parametrize("pos", ["relative", "none", "absolute"])
@pytest.mark.parametrize("block", [1, 2, 4])
@pytest.mark.parametrize("tokens_attend_cls", [True, False])
def test_batched_attention_equals_per_block_loop(block, pos, tokens_attend_cls):
    model = make_model(block, pos, depth=2, tokens_attend_cls=tokens_attend_cls)
    x = sample()
    tb, cb = model.encode(x, "batched")
    tl, cl = model.encode(x, "loop")
    torch.testing.assert_close(tb, tl, rtol=0, atol=1e-10)
    torch.testing.assert_close(cb, cl, rtol=0, atol=1e-10)
    # Gradients too: the loop is a valid reference for training, not only inference.
    grads = []
    for mode in ("batched", "loop"):
        model.zero_grad()
        model(x, mode).sum().backward()
        grads.append(torch.cat([p.grad.ravel() for p in model.parameters()]))
    torch.testing.assert_close(grads[0], grads[1], rtol=0, atol=1e-9)


def test_attention_function_matches_layer_call():
    model = make_model(block=2)
    attn = model.layers[0].attn
    tokens = torch.randn(2, 4, 4, 4, 16, dtype=torch.float64)
    cls = torch.randn(2, 16, dtype=torch.float64)
    loop_tok, loop_cls = block_attention_loop(attn, tokens, cls)
    bat_tok, bat_cls = attn(to_blocks(tokens, 2), cls)
    torch.testing.assert_close(from_blocks(bat_tok, 2), loop_tok, rtol=0, atol=1e-12)
    torch.testing.assert_close(bat_cls, loop_cls, rtol=0, atol=1e-12)


@pytest.mark.parametrize("pos", ["none", "relative"])
def test_one_block_is_full_attention_over_all_tokens_and_cls(pos):
    model = make_model(block=4, pos=pos)
    attn = model.layers[0].attn
    mha = torch.nn.MultiheadAttention(16, 2, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        mha.in_proj_weight.copy_(attn.qkv.weight)
        mha.in_proj_bias.copy_(attn.qkv.bias)
        mha.out_proj.weight.copy_(attn.proj.weight)
        mha.out_proj.bias.copy_(attn.proj.bias)
    mha.eval()
    tokens = torch.randn(2, 4, 4, 4, 16, dtype=torch.float64)
    cls = torch.randn(2, 16, dtype=torch.float64)
    seq = torch.cat([cls[:, None], tokens.reshape(2, 64, 16)], dim=1)
    bias = attn.attention_bias(torch.float64)
    mask = None if bias is None else bias.repeat(2, 1, 1)  # [batch * heads, L, L]
    ref, _ = mha(seq, seq, seq, attn_mask=mask, need_weights=False)
    out_tok, out_cls = attn(to_blocks(tokens, 4), cls)
    torch.testing.assert_close(out_cls, ref[:, 0], rtol=0, atol=1e-12)
    torch.testing.assert_close(out_tok[:, 0], ref[:, 1:], rtol=0, atol=1e-12)


def block_of_voxels(b: tuple[int, int, int], r: int, patch: int) -> tuple[slice, ...]:
    edge = r * patch
    return (slice(None), slice(None), *(slice(i * edge, (i + 1) * edge) for i in b))


def test_one_layer_is_local_to_blocks_but_cls_sees_everything():
    model = make_model(block=2, depth=1)
    x = sample()
    y = x.clone()
    y[block_of_voxels((1, 0, 1), 2, 2)] += torch.rand_like(y[block_of_voxels((1, 0, 1), 2, 2)])
    tx, cx = model.encode(x)
    ty, cy = model.encode(y)
    changed = torch.zeros(4, 4, 4, dtype=torch.bool)
    changed[2:4, 0:2, 2:4] = True
    diff = (tx - ty).abs().amax(dim=(0, 4))
    assert diff[~changed].max() == 0.0
    assert diff[changed].min() > 1e-6
    assert (cx - cy).abs().max() > 1e-6


@pytest.mark.parametrize("tokens_attend_cls", [True, False])
def test_the_cls_carries_information_between_blocks_unless_closed(tokens_attend_cls):
    model = make_model(block=2, depth=2, tokens_attend_cls=tokens_attend_cls)
    x = sample()
    y = x.clone()
    y[block_of_voxels((0, 0, 0), 2, 2)] += 0.5
    tx, _ = model.encode(x)
    ty, _ = model.encode(y)
    far = (tx - ty)[:, 2:, 2:, 2:].abs().max()
    if tokens_attend_cls:
        assert far > 1e-6  # layer 2 tokens read the CLS, which read block (0, 0, 0) in layer 1
    else:
        assert far == 0.0


@pytest.mark.parametrize("pos", ["relative", "none"])
def test_whole_block_translation_permutes_tokens_and_keeps_the_prediction(pos):
    model = make_model(block=2, pos=pos, depth=2)
    x = sample()
    shift = 4  # one block = r * patch voxels
    for axis in (2, 3, 4):
        moved = torch.roll(x, shift, dims=axis)
        t0, c0 = model.encode(x)
        t1, c1 = model.encode(moved)
        torch.testing.assert_close(t1, torch.roll(t0, shift // 2, dims=axis - 1), rtol=0, atol=1e-12)
        torch.testing.assert_close(c1, c0, rtol=0, atol=1e-12)
    moved = torch.roll(torch.roll(x, 4, dims=2), -4, dims=4)
    torch.testing.assert_close(model(moved), model(x), rtol=0, atol=1e-12)


def test_what_is_not_invariant():
    x = sample()
    # Shifting by one patch moves the block boundaries (r < T): not a symmetry of the model.
    model = make_model(block=2, pos="relative", depth=2)
    assert (model(torch.roll(x, 2, dims=2)) - model(x)).abs().max() > 1e-6
    # An absolute position embedding breaks even whole-block translations.
    model = make_model(block=2, pos="absolute", depth=2)
    assert (model(torch.roll(x, 4, dims=2)) - model(x)).abs().max() > 1e-6


@pytest.mark.parametrize("pos", ["relative", "none"])
def test_a_single_periodic_block_is_invariant_under_any_whole_patch_shift(pos):
    model = make_model(block=4, pos=pos, depth=2)
    x = sample()
    for axis, shift in ((2, 2), (3, 6), (4, -2)):
        torch.testing.assert_close(model(torch.roll(x, shift, dims=axis)), model(x), rtol=0, atol=1e-12)


def test_float32_agreement_and_communication_length():
    model = make_model(block=2, depth=2).float()
    x = sample().float()
    assert (model(x, "batched") - model(x, "loop")).abs().max() < 1e-5
    assert communication_length_A(2, 2, 1.0) == pytest.approx(4.0)
    assert communication_length_A(4, 2, 0.75) == pytest.approx(6.0)


def test_input_standardisation_is_part_of_the_model():
    """set_input_norm makes the model see per-channel standardised grids, and the statistics
    travel with the state dict (a reloaded model predicts the same from raw densities)."""
    x = sample(6)
    x[:, 1] = 5.0 + 0.1 * x[:, 1]  # channels on very different scales
    model = make_model(block=2)
    model.set_input_norm(x)
    mean = x.mean(dim=(0, 2, 3, 4))
    std = x.std(dim=(0, 2, 3, 4))
    torch.testing.assert_close(model.input_mean, mean)
    torch.testing.assert_close(model.input_std, std)
    plain = make_model(block=2)  # same weights, identity standardisation
    standardised = (x - mean[None, :, None, None, None]) / std[None, :, None, None, None]
    torch.testing.assert_close(model(x), plain(standardised))
    again = make_model(block=2, seed=5)
    again.load_state_dict(model.state_dict())
    torch.testing.assert_close(again(x), model(x))
