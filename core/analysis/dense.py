"""A convolutional network for small images as the same function built from dense layers.

Explaining a network evaluates it on hundreds of thousands of slightly changed inputs. On an 8×8
digit, torch's Conv2d and MaxPool2d spend most of their time on per-call overhead (a 1-channel
3×3 convolution ran at a few percent of the speed of a matrix product on 2 cores); a convolution
with a fixed input size is a linear map, so it can be one dense matrix product instead, and a
max-pool a reshape and a max. The first layer then becomes a plain Linear, which lets
core.analysis.shapley walk it as a running sum. Outputs agree with the original to float rounding.

`densify` returns None for layers it does not know (the caller keeps the original network) and
for images too large for a dense matrix.
"""
from __future__ import annotations

import torch
from torch import nn

MAX_DENSE_WEIGHTS = 4_000_000          # a dense convolution larger than this stays a convolution
ELEMENTWISE = (nn.ReLU, nn.LeakyReLU, nn.Tanh, nn.Sigmoid, nn.ELU, nn.GELU, nn.SELU, nn.Softplus, nn.SiLU,
               nn.Identity)
DROPOUT = (nn.Dropout, nn.Dropout2d, nn.AlphaDropout)


class BlockMax(nn.Module):
    """A max-pool on flat rows whose units the layer before put in pooling order: k*k contiguous
    blocks, one per position in the window, each block in C, H', W' order. The max of the blocks is
    the pooled map, flat in C, H', W' order: one reduction over a middle axis of contiguous rows (5x
    faster than MaxPool2d's windows or maxima of column slices, measured)."""

    def __init__(self, blocks: int):
        super().__init__()
        self.blocks = int(blocks)

    def forward(self, x):
        return x.reshape(len(x), self.blocks, -1).amax(dim=1)


def pool_order(shape: tuple[int, int, int], k: int) -> torch.Tensor:
    """Indices (into flat C, H, W units) that put a k×k max-pool's windows in BlockMax order; units
    the pool leaves out (an odd last row or column) are dropped."""
    c, h, w = shape
    h2, w2 = h // k, w // k
    idx = torch.arange(c * h * w).view(c, h, w)[:, :h2 * k, :w2 * k]
    return idx.reshape(c, h2, k, w2, k).permute(2, 4, 0, 1, 3).reshape(-1)


def conv_as_linear(conv: nn.Conv2d, shape: tuple[int, int, int]) -> tuple[nn.Linear, tuple[int, int, int]]:
    """The dense Linear layer equal to `conv` on inputs of `shape` [C, H, W], and its output shape."""
    c, h, w = shape
    n_in = c * h * w
    with torch.no_grad():
        basis = torch.eye(n_in).view(n_in, c, h, w)
        out = nn.functional.conv2d(basis, conv.weight, None, conv.stride, conv.padding, conv.dilation, conv.groups)
        out_shape = tuple(out.shape[1:])
        lin = nn.Linear(n_in, out[0].numel())
        lin.weight.copy_(out.reshape(n_in, -1).T)
        bias = conv.bias if conv.bias is not None else torch.zeros(out_shape[0])
        lin.bias.copy_(bias.view(-1, 1).expand(out_shape[0], out_shape[1] * out_shape[2]).reshape(-1))
    return lin, out_shape


def _fold_batch_norm(lin: nn.Linear, bn: nn.BatchNorm2d, shape: tuple[int, int, int]) -> None:
    """Fold an eval-mode BatchNorm2d into the dense convolution before it (per output channel)."""
    c, h, w = shape
    with torch.no_grad():
        scale = bn.weight / torch.sqrt(bn.running_var + bn.eps) if bn.affine else 1 / torch.sqrt(bn.running_var + bn.eps)
        shift = (bn.bias if bn.affine else 0) - bn.running_mean * scale
        per_unit = scale.view(-1, 1).expand(c, h * w).reshape(-1)
        lin.weight.mul_(per_unit.view(-1, 1))
        lin.bias.mul_(per_unit).add_(shift.view(-1, 1).expand(c, h * w).reshape(-1))


def densify(body: nn.Sequential) -> nn.Sequential | None:
    """`body` (flat inputs → outputs) with its convolutions as dense layers, or None when it has no
    convolution, a layer this does not handle, or an image too large for dense matrices."""
    if not any(isinstance(m, nn.Conv2d) for m in body):
        return None
    shape = None                                  # [C, H, W] while the rows are images, None when flat
    mods: list[nn.Module] = []
    for m in body:
        if isinstance(m, nn.Unflatten):
            shape = tuple(m.unflattened_size)
        elif isinstance(m, nn.Flatten):
            shape = None                          # rows are kept flat in C, H, W order already
        elif isinstance(m, DROPOUT):
            continue
        elif isinstance(m, nn.Conv2d) and shape is not None:
            with torch.no_grad():
                n_out = m(torch.zeros(1, *shape)).numel()
            if shape[0] * shape[1] * shape[2] * n_out > MAX_DENSE_WEIGHTS:
                return None
            lin, out_shape = conv_as_linear(m, shape)
            mods.append(lin)
            shape = out_shape
        elif isinstance(m, nn.BatchNorm2d) and shape is not None and mods and isinstance(mods[-1], nn.Linear):
            _fold_batch_norm(mods[-1], m, shape)
        elif isinstance(m, nn.MaxPool2d) and shape is not None and _plain_pool(m):
            if not _reorder_for_pool(mods, shape, _size(m.kernel_size)):
                return None
            k = _size(m.kernel_size)
            mods.append(BlockMax(k * k))
            shape = (shape[0], shape[1] // k, shape[2] // k)
        elif isinstance(m, ELEMENTWISE):
            mods.append(m)
        elif isinstance(m, nn.Linear) and shape is None:
            mods.append(m)
        else:
            return None
    return nn.Sequential(*mods).eval()


def _reorder_for_pool(mods: list[nn.Module], shape: tuple[int, int, int], k: int) -> bool:
    """Put the units of the last dense layer (reached through elementwise layers only) in pooling order."""
    i = len(mods) - 1
    while i >= 0 and isinstance(mods[i], ELEMENTWISE):
        i -= 1
    if i < 0 or not isinstance(mods[i], nn.Linear):
        return False
    order = pool_order(shape, k)
    old = mods[i]
    lin = nn.Linear(old.in_features, len(order))
    with torch.no_grad():
        lin.weight.copy_(old.weight[order])
        lin.bias.copy_(old.bias[order])
    mods[i] = lin
    return True


def _size(k) -> int:
    return int(k[0]) if isinstance(k, tuple) else int(k)


def _plain_pool(m: nn.MaxPool2d) -> bool:
    k = m.kernel_size
    square = not isinstance(k, tuple) or k[0] == k[1]
    stride = m.stride if m.stride is not None else k
    return (square and _size(stride) == _size(k) and (not isinstance(stride, tuple) or stride[0] == stride[1])
            and m.padding in (0, (0, 0)) and m.dilation in (1, (1, 1)) and not m.ceil_mode)
