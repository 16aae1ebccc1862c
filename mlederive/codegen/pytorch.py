"""The PyTorch target's module for one predicted parameter: ``loss(input, target, reduction="mean", …)``.

Three ways to compute the same verified loss, the fastest that is proved:

* a built-in (``torch.nn.functional.binary_cross_entropy_with_logits`` …) where the derivation's loss is proved equal
  to its formula (:mod:`.builtin`: a step of the forms' document) — PyTorch's own forward and backward;
* elsewhere a ``torch.autograd.Function`` whose forward is the stable loss and whose backward is the derivation's
  verified gradient ∂ℓ/∂η — one expression where autograd would chain a kernel per operation; it stays differentiable
  twice (its backward is itself torch operations), and a target or parameter that requires a gradient goes through
  plain autograd instead (the Function's gradient is in η alone);
* a one-hot outcome with no built-in: the stable loss through autograd.
"""
from __future__ import annotations

import textwrap
from dataclasses import dataclass

import sympy as sp

from .. import symbolic as S
from .conventions import label_call, torch_labels_function
from .layouts import (
    WIDTH,
    Module,
    _header,
    _helper_functions,
    _imports,
    _shaped,
    wrapped,
)
from .printers import IMPLEMENTATIONS

_CHECK_REDUCTION = ('    if reduction not in ("mean", "sum", "none"):\n'
                    '        raise ValueError(f"reduction must be \'mean\', \'sum\' or \'none\', got {reduction!r}")\n')

_REDUCED = (
    'def _reduced(out, reduction):\n'
    '    """`out` reduced as the built-in losses reduce it: its mean, its sum, or as it is ("none")."""\n'
    '    if reduction == "mean":\n        return out.mean()\n'
    '    if reduction == "sum":\n        return out.sum()\n'
    '    return out\n')

_INDICES = ("    if target.dim() == input.dim() - 1:  # class indices, as CrossEntropyLoss takes them\n"
            "        if torch.is_floating_point(target):\n"
            '            raise ValueError("class indices must be integers (target.long()); a float target is "\n'
            '                             "one-hot, of the input\'s shape")\n')


def pytorch_module(module: Module) -> str:
    weighting, first = _torch_weights(module)
    paragraph = "`input` is η, the model's raw output%s; %s. %s" % (_raw_output_words(module), _how(module),
                                                                   weighting[0])
    doc = ('    """The loss of the derivation: ℓ(η, y) per observation, reduced by `reduction` ("mean", "sum" or "none").'
           '\n\n%s"""\n') % "\n".join(textwrap.wrap(paragraph, WIDTH, initial_indent="    ", subsequent_indent="    ",
                                                     break_on_hyphens=False))
    if module.builtin is not None:
        helpers, used, body = "", set(), (_one_hot_builtin(module) if module.one_hot else _builtin(module, first))
    elif module.one_hot:
        helpers, used, body = _one_hot_autograd(module, weighting[1])
    else:
        helpers, used, body = _function(module, weighting[1])
    code = "def loss(%s):\n%s%s%s" % (_keyword_only(module.signature("input", "target", 'reduction="mean"'), first),
                                      doc, _CHECK_REDUCTION, body)
    if "_labels(" in code:
        helpers = torch_labels_function(module.family) + "\n\n" + helpers
    text = helpers + (_REDUCED + "\n\n" if "_reduced(" in code else "") + code
    torch = {"torch"} if "torch." in text else set()  # a loss of + − × alone needs no import
    return _header(module, _imports(used | torch, "pytorch")) + "\n\n" + text


def _how(module: Module) -> str:
    """How the loss is computed, for the docstring."""
    if module.builtin is not None:
        b = module.builtin
        return ("computed by PyTorch's built-in %s, proved equal to the derivation's loss (the step "
                "`torch-builtin`, `--explain`)" % b.loss.formula.__name__)
    if module.one_hot:
        return "differentiable by autograd"
    return ("its backward is the derivation's verified gradient ∂ℓ/∂η (a torch.autograd.Function: one expression "
            "instead of autograd's chain of kernels, differentiable twice)")


def _call(module: Module, target: str, keywords: str, reduction: str) -> str:
    b = module.builtin
    fixed = ", " + b.loss.formula.keywords if b.loss.formula.keywords else ""
    factor = "" if b.factor == 1 else "%s * " % module.code(b.factor, "pytorch")[0]
    call = "%storch.nn.functional.%s(" % (factor, b.loss.formula.functional)
    arguments = "input, %s%s%s, reduction=%s)" % (target, fixed, keywords, reduction)
    # a call longer than the line: its arguments on the next, indented (the widest caller is `return _reduced(`)
    return call + arguments if len(call + arguments) <= WIDTH - 30 else call + "\n            " + arguments


def _builtin(module: Module, first: tuple) -> str:
    """The built-in on (η, y): its own weights where it has them (BCEWithLogitsLoss's), else ours multiplied."""
    native = module.builtin.loss.formula.weights
    lines = _same_shape("the target") + "    target = %s\n" % _checked(module)
    if all(k.split("=")[0] in native for k in first):
        keywords = "".join(", %s=%s" % (k.split("=")[0], k.split("=")[0]) for k in first)
        return lines + "    return %s\n" % _call(module, "target", keywords, "reduction")
    return lines + ("    if weight is None:\n        return %s\n"
                    "    return _reduced(%s * weight, reduction)\n") % (
        _call(module, "target", "", "reduction"), _call(module, "target", "", '"none"'))


def _one_hot_builtin(module: Module) -> str:
    """CrossEntropyLoss on class indices, or on one-hot rows (the same value: a row's class weight, the mean over
    the rows' weights)."""
    return (_INDICES + "        return %s\n" % _call(module, "target", ", weight=weight", "reduction")
            + _same_shape("a one-hot target") +
            "    target = target.to(input.dtype)\n"
            "    if weight is None:\n"
            "        return %s\n"
            "    # CrossEntropyLoss's weight for class indices: each row's loss times its class's weight\n"
            "    w = (target.movedim(1, -1) if target.dim() > 1 else target) @ weight.to(input.dtype)\n"
            "    out = %s * w\n"
            '    return out.sum() / w.sum() if reduction == "mean" else _reduced(out, reduction)\n') % (
        _call(module, "target", "", "reduction"), _call(module, "target", "", '"none"'))


def _one_hot_autograd(module: Module, weighting: str) -> tuple[str, set, str]:
    f = module.forms
    text, used = module.code(f.loss, "pytorch")
    helpers, more = _helper_functions(module, "pytorch", (f.loss,))
    text = "(%s)[..., 0]" % _shaped(text, f.loss, "pytorch")
    target = ("    if input.dim() > 2:  # (N, C, d₁, …) as CrossEntropyLoss takes it: the classes to the last axis\n"
              "        if target.dim() == input.dim():  # a one-hot target in the same layout\n"
              "            target = target.movedim(1, -1)\n"
              "        input = input.movedim(1, -1)\n" + _INDICES +
              "        target = torch.nn.functional.one_hot(target, input.shape[-1])\n" + _same_shape("a one-hot target"))
    body = "%s    eta, y = input, target.to(input.dtype)\n%s    out = %s\n%s    return _reduced(out, reduction)\n" % (
        target, _parameters(module), wrapped(text, 10), weighting)
    return helpers, used | more, body


def _parameters(module: Module) -> str:
    return "".join("    %s = torch.as_tensor(%s, dtype=input.dtype, device=input.device)\n" % (p.name, p.name)
                   for p in module.params)


def _function(module: Module, weighting: str) -> tuple[str, set, str]:
    """``_loss``, ``_grad`` and the ``autograd.Function`` joining them; ``loss`` applies it (plain autograd where the
    target or a parameter needs a gradient, or where none is needed)."""
    f = module.forms
    helpers, used = _helper_functions(module, "pytorch", (f.loss, f.grad))
    names = ["eta", "y"] + [p.name for p in module.params]
    args = ", ".join(names)
    parts = []
    for name, what, expr in (("_loss", "ℓ(η, y) per element, in stable form", f.loss),
                             ("_grad", "∂ℓ/∂η per element: the derivation's verified gradient (`--explain`)", f.grad)):
        text, more = module.code(expr, "pytorch")
        used |= more
        parts.append('def %s(%s):\n    """%s."""\n    return %s\n' % (
            name, args, what, wrapped(_shaped(text, expr, "pytorch"), 11)))
    shared, more = _shared(module)
    used |= more
    saved = shared.saved
    nones = ", ".join(["None"] * (1 + len(module.params)))
    parts.append(
        "class _Loss(torch.autograd.Function):\n"
        '    """ℓ(η, y) whose backward is the verified ∂ℓ/∂η, from what the forward computed of it (sympy.cse): the\n'
        "    subexpressions ℓ and ∂ℓ/∂η share are computed once. Under create_graph the backward is _grad on the saved\n"
        '    η instead, itself differentiable (a Hessian-vector product is right)."""\n\n'
        "    @staticmethod\n"
        "    def forward(ctx, %s):\n%s"
        "        ctx.save_for_backward(%s)\n"
        "        return %s\n\n"
        "    @staticmethod\n"
        "    def backward(ctx, grad_output):\n"
        "        %s = ctx.saved_tensors\n"
        "        if torch.is_grad_enabled():  # create_graph=True: a gradient that is differentiable in η\n"
        "            return grad_output * _grad(%s), %s\n"
        "        return grad_output * %s, %s\n" % (
            args, shared.forward, ", ".join(names + saved), shared.loss, ", ".join(names + saved) +
            ("," if len(names + saved) == 1 else ""), args, nones, shared.grad, nones))
    learned = " or ".join("%s.requires_grad" % n for n in ["y"] + [p.name for p in module.params])
    body = ("%s    eta, y = input, " + _checked(module) + "\n%s"
            "    # the Function's gradient is in η alone: plain autograd where another argument needs one (and where\n"
            "    # no gradient is taken)\n"
            "    if %s or not (eta.requires_grad and torch.is_grad_enabled()):\n"
            "        out = _loss(%s)\n"
            "    else:\n"
            "        out = _Loss.apply(%s)\n%s    return _reduced(out, reduction)\n") % (
        _same_shape("the target"), _parameters(module), learned, args, args, weighting)
    return helpers + "\n\n".join(parts) + "\n\n", used, body


@dataclass(frozen=True)
class _Shared:
    """The forward's lines (the temporaries ℓ and ∂ℓ/∂η share), the temporaries the backward needs, ℓ and ∂ℓ/∂η in
    them, as code."""

    forward: str
    saved: list
    loss: str
    grad: str


def _shared(module: Module) -> tuple[_Shared, set]:
    """What ℓ and ∂ℓ/∂η share, by sympy.cse — the helpers that have no branches written out, so that their insides
    are shared too — and the modules the code uses."""
    f = module.forms
    inline = {}
    for cls, (var, impl) in IMPLEMENTATIONS.items():
        if not isinstance(impl, sp.Piecewise):
            inline.update({call: impl.xreplace({var: call.args[0]}) for call in (f.loss.atoms(cls) | f.grad.atoms(cls))})
    temporaries, (loss, grad) = sp.cse([f.loss.xreplace(inline), f.grad.xreplace(inline)],
                                       symbols=sp.numbered_symbols("_t", real=True), order="none")
    # a number is no tensor to save: written back where it is used
    numbers = {}
    for t, value in temporaries:
        value = value.xreplace(numbers)
        if not value.free_symbols:
            numbers[t] = value
    temporaries = [(t, value.xreplace(numbers)) for t, value in temporaries if t not in numbers]
    loss, grad = loss.xreplace(numbers), grad.xreplace(numbers)
    lines, used = [], set()
    for t, value in temporaries:
        code, mods = module.code(value, "pytorch")
        used |= mods
        lines.append("        %s = %s\n" % (t, wrapped(code, 11 + len(str(t)))))
    saved = [str(t) for t, _ in temporaries if t in grad.free_symbols]
    codes = []
    for expr, original in ((loss, f.loss), (grad, f.grad)):
        code, mods = module.code(expr, "pytorch")
        used |= mods
        codes.append(_shaped(code, original, "pytorch"))
    grad_text = wrapped(codes[1], 29)  # after "        return grad_output * "
    grad_text = grad_text if grad_text != codes[1] else "(%s)" % grad_text  # a broken line is parenthesised already
    return _Shared("".join(lines), saved, wrapped(codes[0], 15), grad_text), used


def _torch_weights(module: Module) -> tuple[tuple[str, str], tuple]:
    """((a docstring sentence, the lines that weight `out`), the loss's leading parameters): `weight` and
    `pos_weight` where the built-in loss has them, with its meaning — BCEWithLogitsLoss's per-element weight and
    positive-class weight for a 0/1 outcome, CrossEntropyLoss's per-class weight (the mean over the rows' weights)
    for the categorical, a per-element weight elsewhere."""
    first = ["weight=None"]
    if module.one_hot:
        return (("`weight` (K,) weighs each row by its class, the mean divides by the rows' weights, as "
                 "CrossEntropyLoss does.",
                 "    if weight is not None:  # CrossEntropyLoss's: each row's loss times its class's weight\n"
                 "        w = (y * weight).sum(-1)\n"
                 "        out = out * w\n"
                 '        if reduction == "mean":\n'
                 "            return out.sum() / w.sum()\n"), tuple(first))
    lines = "    if weight is not None:  # each element's loss times its weight, as BCEWithLogitsLoss\n" \
            "        out = out * weight\n"
    if module.family is None or module.family.support != sp.FiniteSet(0, 1):
        return ("`weight` multiplies each element's loss.", lines), tuple(first)
    term = module.forms.loss.xreplace({S.y[S.i]: 1})
    positive, _ = module.code(term, "pytorch")
    positive = "(%s)" % positive if term.is_Add else positive
    return (("`weight` multiplies each element's loss; `pos_weight` the y = 1 term, as BCEWithLogitsLoss's do.",
             "    if pos_weight is not None:  # BCEWithLogitsLoss's: the y = 1 term times pos_weight\n"
             "        out = out + (pos_weight - 1) * y * %s\n" % wrapped(positive, 39) + lines),
            tuple(first + ["pos_weight=None"]))


def _keyword_only(signature: str, keywords) -> str:
    """``signature`` with ``keywords`` added after its keyword-only marker (reduction stays the third positional)."""
    return signature + ", " + ", ".join(keywords) if "*" in signature.split(", ") else \
        signature + ", *, " + ", ".join(keywords)


def _checked(module: Module) -> str:
    """The target in the input's dtype, its labels checked against the family's support where there is a family."""
    if module.family is None:
        return "target.to(input.dtype)"
    return label_call(module.family, "target.to(input.dtype)")


def _same_shape(what: str) -> str:
    """A target of another shape than the input is refused, as the built-in losses refuse it (BCEWithLogitsLoss):
    broadcasting (6, 1) against (6,) would compute a 6 × 6 loss."""
    return ("    if target.shape != input.shape:\n"
            '        raise ValueError(f"%s must have the input\'s shape {tuple(input.shape)}, "\n'
            '                         f"got {tuple(target.shape)} (no broadcasting)")\n' % what)


def _raw_output_words(module: Module) -> str:
    """What η is called: logits under a logit or softmax link (σ(η), softmax(η) are probabilities), else nothing
    more (a Gaussian's or Poisson's η is no logit)."""
    link = module.forms.document.model.link.name
    return " (logits)" if link in ("logit", "softmax") else " (the linear predictor, g(μ))"


