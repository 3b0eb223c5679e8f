"""scaled_dot_product_attention, MultiheadAttention and the Transformer family against PyTorch
with the same state dicts (float64 outputs, input and parameter gradients), gradcheck."""
from __future__ import annotations

import numpy as np
import pytest
from nn_parity import RNG, compare, gradcheck

import deepgrad as dg
import deepgrad.nn.functional as F
from deepgrad import nn

Q = RNG.standard_normal((2, 3, 5, 4))
K = RNG.standard_normal((2, 3, 6, 4))
V = RNG.standard_normal((2, 3, 6, 7))
BOOL_MASK = RNG.random((5, 6)) > 0.3
BOOL_MASK[:, 0] = True  # every query sees at least one key

SDPA = {
    "plain": ({}, [Q, K, V]),
    "causal_scale": ({"is_causal": True, "scale": 0.3}, [Q, K, V]),
    "bool_mask": ({"attn_mask": BOOL_MASK}, [Q, K, V]),
    "gqa": ({"enable_gqa": True}, [RNG.standard_normal((2, 6, 5, 4)), K, V]),
}


@pytest.mark.parametrize("name", list(SDPA))
def test_sdpa_matches_torch(name):
    torch = pytest.importorskip("torch")
    kw, arrays = SDPA[name]
    tkw = {k: torch.tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    compare(lambda *a: F.scaled_dot_product_attention(*a, **kw),
            lambda *a: torch.nn.functional.scaled_dot_product_attention(*a, **tkw), arrays)


def test_sdpa_float_mask_gradient_and_gradcheck():
    torch = pytest.importorskip("torch")
    mask = RNG.standard_normal((2, 1, 5, 6))
    compare(lambda q, k, v, m: F.scaled_dot_product_attention(q, k, v, attn_mask=m),
            lambda q, k, v, m: torch.nn.functional.scaled_dot_product_attention(
                q, k, v, attn_mask=m), [Q, K, V, mask])
    gradcheck(lambda q, k, v: F.scaled_dot_product_attention(q, k, v, is_causal=True),
              [Q[:1], K[:1], V[:1]])


def test_sdpa_dropout_zeroes_weights_and_rescales():
    q = dg.tensor(np.zeros((1, 1, 200, 4)))
    v = dg.tensor(np.ones((1, 1, 50, 3)))
    out = F.scaled_dot_product_attention(q, dg.tensor(np.zeros((1, 1, 50, 4))), v,
                                         dropout_p=0.5).numpy()
    # uniform weights 1/50 each; kept ones scaled by 2, so each row averages ~1
    assert abs(out.mean() - 1.0) < 0.05 and out.std() > 0.05


MHA = [{}, {"add_bias_kv": True, "add_zero_attn": True}, {"kdim": 3, "vdim": 5},
       {"bias": False, "batch_first": True}]


def _sync(ours, theirs):
    sd = theirs.state_dict()
    assert list(ours.state_dict()) == list(sd)
    ours.load_state_dict({k: v.numpy() for k, v in sd.items()})


def _param_grads_match(ours, theirs, loss, tloss):
    loss.backward()
    tloss.backward()
    tgrads = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.numpy(), tgrads[name].grad.numpy(), rtol=1e-8,
                                   atol=1e-11, err_msg=name)


@pytest.mark.parametrize("kw", MHA, ids=["packed", "bias_kv_zero_attn", "kdim_vdim",
                                         "no_bias_batch_first"])
def test_multihead_attention_matches_torch(kw):
    torch = pytest.importorskip("torch")
    ours = nn.MultiheadAttention(8, 2, **kw).double()
    theirs = torch.nn.MultiheadAttention(8, 2, **kw).double()
    _sync(ours, theirs)
    q, k, v = (RNG.standard_normal((5, 3, 8)), RNG.standard_normal((6, 3, kw.get("kdim", 8))),
               RNG.standard_normal((6, 3, kw.get("vdim", 8))))
    if kw.get("batch_first"):
        q, k, v = (a.transpose(1, 0, 2).copy() for a in (q, k, v))
    kpm = np.zeros((3, 6), bool)
    kpm[1, 4:] = True
    am = RNG.random((5, 6)) > 0.8
    am[:, 0] = False
    for extra in ({}, {"key_padding_mask": kpm, "attn_mask": am}, {"need_weights": False},
                  {"average_attn_weights": False, "attn_mask": RNG.standard_normal((6, 5, 6))}):
        tex = {n: torch.tensor(a) if isinstance(a, np.ndarray) else a for n, a in extra.items()}
        compare(lambda a, b, c, e=extra: ours(a, b, c, **e),
                lambda a, b, c, e=tex: theirs(a, b, c, **e), [q, k, v])
    compare(lambda a, b, c: ours(a, b, c)[0], lambda a, b, c: theirs(a, b, c)[0],
            [q[:, 0], k[:, 0], v[:, 0]])  # unbatched
    _param_grads_match(ours, theirs, ours(dg.tensor(q), dg.tensor(k), dg.tensor(v))[0].sum(),
                       theirs(torch.tensor(q), torch.tensor(k), torch.tensor(v))[0].sum())


@pytest.mark.parametrize("kw", [{}, {"norm_first": True, "activation": "gelu",
                                     "batch_first": True}], ids=["post_norm", "pre_norm_gelu"])
def test_encoder_and_decoder_layers_match_torch(kw):
    torch = pytest.importorskip("torch")
    enc = nn.TransformerEncoderLayer(8, 2, 16, 0.0, **kw).double()
    tenc = torch.nn.TransformerEncoderLayer(8, 2, 16, 0.0, **kw).double()
    _sync(enc, tenc)
    x = RNG.standard_normal((3, 5, 8) if kw.get("batch_first") else (5, 3, 8))
    mask = nn.Transformer.generate_square_subsequent_mask(5, dtype=np.float64).numpy()
    kpm = np.zeros((3, 5), bool)
    kpm[0, 3:] = True
    compare(lambda a: enc(a, src_mask=mask, src_key_padding_mask=kpm),
            lambda a: tenc(a, src_mask=torch.tensor(mask),
                           src_key_padding_mask=torch.tensor(kpm)), [x])
    dec = nn.TransformerDecoderLayer(8, 2, 16, 0.0, **kw).double()
    tdec = torch.nn.TransformerDecoderLayer(8, 2, 16, 0.0, **kw).double()
    _sync(dec, tdec)
    mem = RNG.standard_normal((3, 6, 8) if kw.get("batch_first") else (6, 3, 8))
    compare(lambda a, m: dec(a, m, tgt_mask=mask), lambda a, m: tdec(a, m,
                                                                      tgt_mask=torch.tensor(mask)),
            [x, mem])


def test_transformer_matches_torch_with_parameter_gradients():
    torch = pytest.importorskip("torch")
    ours = nn.Transformer(8, 2, 2, 2, 16, 0.0).double()
    theirs = torch.nn.Transformer(8, 2, 2, 2, 16, 0.0).double()
    _sync(ours, theirs)
    src, tgt = RNG.standard_normal((7, 3, 8)), RNG.standard_normal((5, 3, 8))
    mask = nn.Transformer.generate_square_subsequent_mask(5, dtype=np.float64)
    tmask = torch.nn.Transformer.generate_square_subsequent_mask(5, dtype=torch.float64)
    np.testing.assert_array_equal(mask.numpy(), tmask.numpy())
    compare(lambda a, b: ours(a, b, tgt_mask=mask), lambda a, b: theirs(a, b, tgt_mask=tmask),
            [src, tgt])
    _param_grads_match(ours, theirs,
                       (ours(dg.tensor(src), dg.tensor(tgt), tgt_mask=mask) ** 2).sum(),
                       (theirs(torch.tensor(src), torch.tensor(tgt), tgt_mask=tmask) ** 2).sum())


def test_encoder_stack_clones_the_layer_and_trains():
    layer = nn.TransformerEncoderLayer(8, 2, 16, dropout=0.1)
    stack = nn.TransformerEncoder(layer, 3, norm=nn.LayerNorm(8))
    names = [n for n, _ in stack.named_parameters()]
    assert "layers.2.self_attn.in_proj_weight" in names and "norm.weight" in names
    np.testing.assert_array_equal(stack.layers[0].linear1.weight.numpy(),
                                  stack.layers[2].linear1.weight.numpy())
    assert stack.layers[0].linear1.weight is not stack.layers[2].linear1.weight
    x = dg.randn(4, 2, 8)
    target = dg.randn(4, 2, 8)
    params = list(stack.parameters())
    first = None
    for _ in range(30):
        for p in params:
            p.grad = None
        loss = F.mse_loss(stack(x), target)
        loss.backward()
        with dg.no_grad():
            for p in params:
                p -= 0.05 * p.grad
        first = first or loss.item()
    assert loss.item() < 0.8 * first


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="divisible by num_heads"):
        nn.MultiheadAttention(10, 3)
    mha = nn.MultiheadAttention(8, 2)
    x = dg.randn(5, 2, 8)
    with pytest.raises(RuntimeError, match="attn_mask shape"):
        mha(x, x, x, attn_mask=np.zeros((4, 4), bool))
    with pytest.raises(RuntimeError, match="key_padding_mask shape"):
        mha(x, x, x, key_padding_mask=np.zeros((2, 4), bool))
    with pytest.raises(RuntimeError, match="activation should be relu/gelu"):
        nn.TransformerEncoderLayer(8, 2, activation="tanh")
    with pytest.raises(RuntimeError, match="attn_mask or is_causal"):
        F.scaled_dot_product_attention(x, x, x, attn_mask=np.ones((2, 2), bool), is_causal=True)
