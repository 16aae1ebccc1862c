"""Our unicode notation (``y_i | x_i ∼ N(μ_i, σ²)``, ``∂loss/∂μ_i``, ``g⁻¹(η_i)``) as LaTeX and as MathML.

Formulas in prose that are not SymPy expressions — a model statement, a chain-rule
product, ``E[y_i] = μ_i`` — are written once, in the unicode the terminal shows, and
converted here for the other formats. The notation is ours and small: letters (Latin,
Greek, ŷ, ℓ, θ̂) with ``_i`` / ``_{…}`` subscripts and ``^b`` / ``^{…}`` / ``²⁻¹ᵀ``
superscripts, numbers, words (log, exp, softmax, Bernoulli …) and operator signs.
Nothing here reads user input: recipe strings are text, never notation.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from xml.sax.saxutils import escape

GREEK = dict(zip("αβγδεζηθικλμνξπρστυφχψωΓΔΘΛΞΠΦΨΩ", (
    "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa", "lambda", "mu",
    "nu", "xi", "pi", "rho", "sigma", "tau", "upsilon", "phi", "chi", "psi", "omega", "Gamma", "Delta", "Theta",
    "Lambda", "Xi", "Pi", "Phi", "Psi", "Omega")))
_SUPER = dict(zip("⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺ᵀ", "0123456789-+T"))
_SUB = dict(zip("₀₁₂₃₄₅₆₇₈₉ᵢⱼₖₙ", "0123456789ijkn"))
_LETTERS = "A-Za-z" + "".join(GREEK) + "ℓŷȳ"
_ACCENT = "\u0302\u0303\u0304"

#: words set upright, with their LaTeX (operators) — any other word is \mathrm{word}
WORDS = {"loss": r"\mathcal{L}", "log": r"\log", "exp": r"\exp", "max": r"\max", "min": r"\min", "lim": r"\lim", "tan": r"\tan",
         "arctan": r"\arctan", "argmax": r"\operatorname*{arg\,max}", "argmin": r"\operatorname*{arg\,min}",
         "sgn": r"\operatorname{sgn}", "softmax": r"\operatorname{softmax}", "erf": r"\operatorname{erf}",
         "Var": r"\operatorname{Var}", "const": r"\text{const}", "d": r"\mathrm{d}"}
#: a letter before "(" or "[" that names an operator: N(μ, σ²), E[y_i]
NAMED = {("N", "("): (r"\mathcal{N}", "𝒩"), ("E", "["): (r"\mathbb{E}", "𝔼")}

OPERATORS_LATEX = {
    "·": r"\cdot", "⋅": r"\cdot", "×": r"\times", "−": "-", "|": r"\mid", "~": r"\sim", "∼": r"\sim",
    "∂": r"\partial", "∇": r"\nabla", "Σ": r"\sum", "∑": r"\sum", "∏": r"\prod", "Π": r"\prod", "≤": r"\le",
    "≥": r"\ge", "≠": r"\ne", "≈": r"\approx", "≃": r"\simeq", "∝": r"\propto", "→": r"\to", "↦": r"\mapsto",
    "∈": r"\in", "∞": r"\infty", "½": r"\tfrac{1}{2}", "‖": r"\|", "…": r"\ldots", "±": r"\pm", "≡": r"\equiv",
    "ℝ": r"\mathbb{R}", "{": r"\{", "}": r"\}", "%": r"\%", "⟨": r"\langle", "⟩": r"\rangle", "$": r"\$", "\\": r"\backslash", "#": r"\#", "&": r"\&", "′": "'", "⊤": r"\top", "√": r"\surd",
}
OPERATORS_MATHML = {"-": "−", "~": "∼", "Σ": "∑", "Π": "∏", "·": "·", "⋅": "·", "'": "′"}
_BIG = "Σ∑∏Π"

_TOKEN = re.compile(
    r"(?P<space>\s+)"
    r"|(?P<word>[A-Za-z]{2,}(?![\u0302\u0303\u0304]))"
    r"|(?P<number>\d+(?:\.\d+)?)"
    r"|(?P<letter>[%s][%s]*)" % (_LETTERS, _ACCENT)
    + r"|(?P<op>.)", re.S)
_SCRIPT = re.compile(
    r"_(?P<sub>\{(?:[^{}]|\{[^{}]*\})*\}|[%s0-9]+)" % _LETTERS
    + r"|\^(?P<sup>\{(?:[^{}]|\{[^{}]*\})*\}|-?[A-Za-z0-9]+|.)"
    + r"|(?P<usub>[%s]+)" % "".join(_SUB)
    + r"|(?P<usup>[%s]+)" % "".join(_SUPER))


@dataclass(frozen=True)
class Token:
    kind: str  # "word" | "number" | "letter" | "op"
    text: str
    sub: str | None = None
    sup: str | None = None


def tokens(notation: str) -> list[Token]:
    """The notation as tokens, each with its sub- and superscript (as notation, to convert in turn)."""
    out, pos = [], 0
    while pos < len(notation):
        m = _TOKEN.match(notation, pos)
        pos = m.end()
        if m.lastgroup == "space":
            continue
        kind, text, sub, sup = m.lastgroup, m.group(0), None, None
        if kind == "word" and not _is_word(text):  # Xw, XᵀX: letters side by side, not a word
            out += [Token("letter", c) for c in text[:-1]]
            kind, text = "letter", text[-1]
        if text in "|‖" and m.start() > 0 and notation[m.start() - 1] == " " and notation[pos:pos + 1] == " ":
            kind = "given"  # y_i | x_i and p ‖ q, spaced: a separator; |y − ŷ| and ‖w‖, tight: a norm
        while kind != "op" or text in ")]|‖∇∂" + _BIG:  # scripts attach to a symbol, a bracket or bar, Σ, ∇
            s = _SCRIPT.match(notation, pos)
            if s is None:
                break
            pos = s.end()
            if s.group("sub") is not None:
                sub = _braced(s.group("sub"))
            elif s.group("sup") is not None:
                sup = _braced(s.group("sup"))
            elif s.group("usub") is not None:
                sub = "".join(_SUB[c] for c in s.group("usub"))
            else:
                sup = "".join(_SUPER[c] for c in s.group("usup"))
        out.append(Token(kind, text, sub, sup))
    return out


def _is_word(text: str) -> bool:
    """log, softmax, Bernoulli, NLL, MAP are words; Xw is X times w."""
    return text in WORDS or len(text) >= 3 and (text.islower() or text.isupper() or text.istitle()) or \
        (len(text) == 2 and text.isupper())


def _braced(text: str) -> str:
    return text[1:-1] if text.startswith("{") else text


# -- LaTeX ---------------------------------------------------------------------------------------

def _letter_latex(text: str) -> str:
    base, accents = text[0], text[1:]
    tex = {"ℓ": r"\ell", "ŷ": r"\hat{y}", "ȳ": r"\bar{y}"}.get(base) or ("\\" + GREEK[base] if base in GREEK else base)
    for accent in accents:
        tex = {"\u0302": r"\hat{%s}", "\u0303": r"\tilde{%s}", "\u0304": r"\bar{%s}"}[accent] % tex
    return tex


def _opens(toks, n: int) -> bool:
    """An absolute-value bar opens when an even number of tight bars come before it."""
    return sum(1 for t in toks[:n] if t.text == toks[n].text and t.kind != "given") % 2 == 0


def _indices(word: str, script: bool) -> bool:
    """y_ik, η_ij: in a subscript a run of index letters is letters, not a word (MAP, MLE stay words)."""
    return script and all(c in "ijklmnK" for c in word)


def _roots(notation: str):
    """The notation split at square roots: ("text", piece) and ("root", radicand) parts — √(η² + 1) and √2 are
    typeset as roots, not as a √ sign beside parentheses."""
    parts, pos = [], 0
    while True:
        at = notation.find("√", pos)
        if at < 0:
            parts.append(("text", notation[pos:]))
            return [p for p in parts if p[1]]
        parts.append(("text", notation[pos:at]))
        if notation[at + 1:at + 2] == "(":
            depth, end = 0, at + 1
            for end in range(at + 1, len(notation)):
                depth += {"(": 1, ")": -1}.get(notation[end], 0)
                if depth == 0:
                    break
            if depth:  # unbalanced: the sign as it is
                parts.append(("text", notation[at:]))
                return [p for p in parts if p[1]]
            parts.append(("root", notation[at + 2:end]))
            pos = end + 1
        else:
            m = re.match(r"√([0-9]+|[%s])" % _LETTERS, notation[at:])
            if m is None:
                parts.append(("text", "√"))
                pos = at + 1
            else:
                parts.append(("root", m.group(1)))
                pos = at + m.end()


def to_latex(notation: str, script: bool = False) -> str:
    """The notation as LaTeX math-mode source."""
    if "√" in notation:
        return _joined([r"\sqrt{%s}" % to_latex(piece, script) if kind == "root" else _latex_tokens(piece, script)
                        for kind, piece in _roots(notation)])
    return _latex_tokens(notation, script)


def _latex_tokens(notation: str, script: bool) -> str:
    toks = tokens(notation)
    out = []
    for n, t in enumerate(toks):
        following = toks[n + 1].text if n + 1 < len(toks) else ""
        if (t.text, following) in NAMED:
            tex = NAMED[(t.text, following)][0]
        elif t.kind == "word":
            tex = t.text if _indices(t.text, script) else WORDS.get(t.text, r"\mathrm{%s}" % t.text)
        elif t.kind == "letter":
            tex = WORDS["d"] if t.text == "d" and following in GREEK else _letter_latex(t.text)
        elif t.kind == "number":
            tex = t.text
        elif t.kind == "given":
            tex = r"\mid" if t.text == "|" else r"\,\|\,"
        elif t.text in "|‖":
            tex = (r"\lvert" if _opens(toks, n) else r"\rvert") if t.text == "|" else \
                (r"\lVert" if _opens(toks, n) else r"\rVert")
        else:
            tex = OPERATORS_LATEX.get(t.text, t.text)
        if t.sub is not None:
            tex += "_{%s}" % to_latex(t.sub, script=True)
        if t.sup is not None:
            tex += "^{%s}" % (r"\top" if t.sup == "T" else to_latex(t.sup))
        out.append(tex)
    return _joined(out)


_SPACED = ("\\cdot", "\\mid", "\\sim", "\\in", "\\to", "\\mapsto", "\\le", "\\ge", "\\approx", "\\propto")


def _joined(pieces: list[str]) -> str:
    """LaTeX pieces with a space only where two would run together (\\mu x, not \\mux) or around a relation
    sign for the source's reader: (1, 0), p‖q, 2/5, a = b."""
    text = ""
    for piece in pieces:
        unary = text.endswith(("-", "+")) and (len(text.rstrip(" -+")) == 0 or text.rstrip(" -+")[-1] in "=(,[")
        if text and not unary and (text[-1] == "}" and (piece[:1].isalnum() or piece.startswith("\\"))
                                   or text[-1].isalnum() and piece.startswith("\\")
                                   or re.search(r"\\[A-Za-z]+$", text) and piece[:1].isalnum()
                                   or text.endswith(_SPACED) or piece.startswith(_SPACED)
                                   or text.endswith(("=", "+", "-", ",")) or piece.startswith(("=", "+", "-"))):
            text += " "
        text += piece
    return text.strip()


# -- MathML --------------------------------------------------------------------------------------

def _mi(text: str, variant: str | None = None) -> str:
    """One identifier. Script and double-struck letters are their own Unicode characters (ℒ, 𝒩, 𝔼): Chromium
    ignores mathvariant="script", which printed the loss ℒ as L, the likelihood's letter."""
    if text == "loss":  # the loss is ℒ in LaTeX and MathML, as in the equations' labels
        return "<mi>ℒ</mi>"
    attr = ' mathvariant="%s"' % variant if variant else ""
    if len(text) > 1 and not any(c in _ACCENT for c in text):  # a word: upright, MathML's default for several letters
        return "<mi%s>%s</mi>" % (attr, escape(text))
    base, accents = text[0], text[1:]
    if base in "ŷȳ":
        base, accents = "y", {"ŷ": "\u0302", "ȳ": "\u0304"}[base] + accents
    if not attr and base in "ΓΔΘΛΞΠΣΦΨΩ":  # capital Greek upright, as in print
        attr = ' mathvariant="normal"'
    node = "<mi%s>%s</mi>" % (attr, escape(base))
    for accent in accents:
        node = '<mover accent="true">%s<mo>%s</mo></mover>' % (node, {"\u0302": "^", "\u0303": "~",
                                                                      "\u0304": "¯"}[accent])
    return node


def to_mathml(notation: str, script: bool = False) -> str:
    """The notation as MathML elements (to go inside a ``<math>``)."""
    if "√" in notation:
        return "".join("<msqrt>%s</msqrt>" % to_mathml(piece, script) if kind == "root"
                       else _mathml_tokens(piece, script) for kind, piece in _roots(notation))
    return _mathml_tokens(notation, script)


def _mathml_tokens(notation: str, script: bool) -> str:
    toks = tokens(notation)
    out = []
    for n, t in enumerate(toks):
        following = toks[n + 1].text if n + 1 < len(toks) else ""
        if (t.text, following) in NAMED:
            node = "<mi>%s</mi>" % NAMED[(t.text, following)][1]
        elif t.kind == "word" and _indices(t.text, script):
            node = "".join(_mi(c) for c in t.text)
        elif t.kind in ("word", "letter"):
            node = _mi(t.text)
            if t.text in WORDS and t.text not in ("loss", "const", "d") and following not in ("(", "["):
                node += '<mspace width="0.17em"/>'  # log a, exp u: a function's name and its argument apart
        elif t.kind == "number":
            node = "<mn>%s</mn>" % t.text
        else:
            symbol = OPERATORS_MATHML.get(t.text, "−" if t.text == "−" else t.text)
            stretch = ' stretchy="false"' if symbol in "()[]|‖" else ""
            if symbol in "/∂":  # ∂ℒ/∂η_i and 1/2 as a textbook sets them: no operator space around / and ∂
                stretch = ' lspace="0" rspace="0"'
            node = "<mo%s>%s</mo>" % (stretch, escape(symbol))
        sub = None if t.sub is None else "<mrow>%s</mrow>" % to_mathml(t.sub, script=True)
        sup = None if t.sup is None else ("<mo>⊤</mo>" if t.sup == "T" else "<mrow>%s</mrow>" % to_mathml(t.sup))
        if sub and sup:
            node = "<msubsup>%s%s%s</msubsup>" % (node, sub, sup)
        elif sub:
            node = "<msub>%s%s</msub>" % (node, sub)
        elif sup:
            node = "<msup>%s%s</msup>" % (node, sup)
        out.append(node)
    return "".join(out)
