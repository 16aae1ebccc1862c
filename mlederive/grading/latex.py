"""Reading one line of a student's LaTeX into SymPy, safely, with the conventions a textbook writes by.

A small recursive-descent reader over a whitelist of tokens, not SymPy's ``parse_latex``: its Lark backend (the pure
Python one) reads ``\\log(p_i) + (1 - y_i)\\log(1 - p_i)`` as a product of two logs, and rejects ``\\left[``,
``\\mathcal{L}``, ``\\sigma(z_i)`` and ``\\theta^T x_i`` — a grader built on it would mark correct steps wrong
(tests/test_grading_latex.py runs it). Nothing here evaluates text: every token is matched against a whitelist, and
anything else — ``\\def``, ``\\input``, ``\\csname``, a character outside the math — is "could not read", with its
column. Size is bounded before and while reading (characters, tokens, nesting, and a number exponent to a plain number
up to 64, so ``9^{9^{9^{9}}}`` is refused before any arithmetic).

The conventions: ``\\log p_i`` and ``\\log 2\\pi\\sigma^2`` take the factors up to the next +, −, = or explicit
product as their argument (``\\log(…)`` the parentheses); Σ and Π take the rest of the term; ``\\sigma(…)`` with an
argument is the logistic function, ``\\sigma`` alone the scale; ``\\theta^T x_i``, ``w^\\top x_i`` and ``x_i^T
\\beta`` are the linear predictor, read as the symbol ``dot(θ, x_i)``; a hat, bar or tilde is part of the name
(``\\hat{y}_i`` → ``yhat_i``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import sympy as sp

from ..symbolic import sigmoid

MAX_CHARS = 2000
MAX_TOKENS = 600
MAX_DEPTH = 40
MAX_EXPONENT = 64
MAX_NUMBER = 10 ** 6

GREEK = {name: name for name in (
    "alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta", "vartheta", "iota", "kappa",
    "lambda", "mu", "nu", "xi", "pi", "rho", "sigma", "tau", "phi", "varphi", "chi", "psi", "omega", "ell",
    "Gamma", "Delta", "Theta", "Lambda", "Sigma", "Phi", "Psi", "Omega")}
#: commands that only space or size: dropped
IGNORED = {"left", "right", "big", "Big", "bigg", "Bigg", ",", ";", "!", ":", "quad", "qquad", "displaystyle",
           "limits", " "}
#: commands whose braced argument is a name: \mathcal{L} → L, \mathrm{NLL} → NLL
NAMING = {"mathcal", "mathrm", "operatorname", "text", "mathbf", "boldsymbol", "mathit", "mathscr", "bm"}
DECORATIONS = {"hat": "hat", "bar": "bar", "tilde": "tilde", "widehat": "hat"}
FUNCTIONS = {"log": sp.log, "ln": sp.log, "exp": sp.exp}
PRODUCTS = {"cdot", "times"}

_TOKEN = re.compile(r"\s*(\\[A-Za-z]+|\\\||\\[,;!: ]|\\\\|\d+(?:\.\d+)?|[A-Za-z]|[-+*/^_(){}\[\]=,;|!'<>.&])")
#: names a student writes as letters in a row (math mode would set them as a product): one name each
WORDS = ("NLL", "MSE", "SSE", "BCE", "MAE", "CE", "KL")


class Unreadable(ValueError):
    """A line that is not math this reader takes: ``column`` (1-based) is where it stopped."""

    def __init__(self, message: str, column: int):
        super().__init__(message)
        self.column = column


@dataclass(frozen=True)
class Token:
    text: str
    column: int


def tokens(line: str) -> list[Token]:
    if len(line) > MAX_CHARS:
        raise Unreadable("the line is %d characters long (at most %d)" % (len(line), MAX_CHARS), MAX_CHARS)
    out, position = [], 0
    while position < len(line):
        if line[position:].isspace():
            break
        match = _TOKEN.match(line, position)
        if match is None:
            column = position + len(line[position:]) - len(line[position:].lstrip()) + 1
            raise Unreadable("%r is not part of the math this reader takes" % line[column - 1], column)
        text = match.group(1)
        if text.startswith("\\") and text[1:] not in IGNORED:
            name = text[1:]
            if not (name in GREEK or name in NAMING or name in DECORATIONS or name in FUNCTIONS or name in PRODUCTS
                    or name in _COMMANDS or name == "|"):
                raise Unreadable("\\%s is not a command this reader takes" % name, match.start(1) + 1)
        if not (text.startswith("\\") and text[1:] in IGNORED):
            out.append(Token(text, match.start(1) + 1))
        if len(out) > MAX_TOKENS:
            raise Unreadable("the line has more than %d symbols" % MAX_TOKENS, match.start(1) + 1)
        position = match.end()
    return _words(out)


def _words(toks: list[Token]) -> list[Token]:
    """N, L, L set side by side → the one name NLL (and MSE, BCE …)."""
    out: list[Token] = []
    for tok in toks:
        out.append(tok)
        for word in WORDS:
            tail = out[-len(word):]
            if len(tail) == len(word) and "".join(t.text for t in tail) == word and all(
                    b.column == a.column + 1 for a, b in zip(tail, tail[1:])):
                out[-len(word):] = [Token(word, tail[0].column)]
                break
    return out


_COMMANDS = {"frac", "dfrac", "tfrac", "sqrt", "sum", "prod", "partial", "nabla", "top", "intercal", "mathsf",
             "infty", "lvert", "rvert", "vert", "mid", "sim", "propto", "approx", "equiv", "leq", "geq", "in"}


#: the sample size, wherever it stands (Σ_{i=1}^n, 1/n, n/2·log 2πσ²)
N = sp.Symbol("n", integer=True, positive=True)


def _name(base: str, decoration: str = "", subscript: str = "") -> sp.Symbol:
    text = base + decoration + ("_" + subscript if subscript else "")
    return N if text == "n" else sp.Symbol(text, real=True)


class Reader:
    """One line's tokens → the sides of its equation chain (a = b = c gives three)."""

    def __init__(self, toks: list[Token], line_length: int):
        self.toks, self.at, self.depth, self.end = toks, 0, 0, line_length + 1
        self.bars: list[str] = []  # the closing bars of the |…| open around the current point

    # -- the token stream ---------------------------------------------------------------------------------------
    def peek(self, ahead: int = 0) -> str | None:
        k = self.at + ahead
        return self.toks[k].text if k < len(self.toks) else None

    def column(self) -> int:
        return self.toks[self.at].column if self.at < len(self.toks) else self.end

    def take(self, expected: str | None = None) -> str:
        text = self.peek()
        if text is None or (expected is not None and text != expected):
            raise Unreadable("expected %s here" % (repr(expected) if expected else "more"), self.column())
        self.at += 1
        return text

    def deeper(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise Unreadable("nested more than %d levels deep" % MAX_DEPTH, self.column())

    # -- the grammar ----------------------------------------------------------------------------------------------
    def chain(self) -> list[sp.Expr]:
        sides = [self.expression()]
        while self.peek() == "=":
            self.take("=")
            sides.append(self.expression())
        if self.peek() is not None:
            raise Unreadable("%r cannot follow here" % self.peek(), self.column())
        return sides

    def expression(self) -> sp.Expr:
        self.deeper()
        sign = -1 if self.peek() == "-" else 1
        if self.peek() in ("+", "-"):
            self.take()
        total = sign * self.term()
        while self.peek() in ("+", "-"):
            sign = -1 if self.take() == "-" else 1
            total = total + sign * self.term()
        self.depth -= 1
        return total

    def term(self) -> sp.Expr:
        product = self.factor()
        while True:
            nxt = self.peek()
            if nxt in ("*", "\\cdot", "\\times"):
                self.take()
                product = product * self.factor()
            elif nxt == "/":
                self.take()
                product = product / self.factor()
            elif self.starts_factor(nxt):
                product = product * self.factor()
            else:
                return product

    def starts_factor(self, text) -> bool:
        """Whether ``text`` starts a factor multiplied in without a sign (2σ², y_i log p_i). A bar does not: after a
        term it closes |…| (a product of two absolute values is written with a dot)."""
        if text in ("|", "\\|", "\\lvert", "\\vert"):  # opens one, unless it closes the innermost open one
            return not self.bars or self.bars[-1] != _CLOSING[text]
        return text is not None and (text in ("(", "[", "{") or text[0].isalnum() or (
            text.startswith("\\") and text not in ("\\cdot", "\\times", "\\rvert")))

    def factor(self) -> sp.Expr:
        if self.peek() == "-":
            self.take()
            return -self.factor()
        if self.peek() == "+":
            self.take()
        return self.postfix(self.atom())

    def postfix(self, base) -> sp.Expr:
        while self.peek() in ("^", "!"):
            if self.take() == "!":
                base = sp.factorial(base)
                continue
            if self.peek() in ("T", "\\top", "\\intercal") or self.peek() == "{" and self.peek(1) in (
                    "T", "\\top", "\\intercal") and self.peek(2) == "}":
                return self.transposed(base)
            exponent = self.group()
            self.check_exponent(base, exponent)
            base = base ** exponent
        return base

    def check_exponent(self, base, exponent):
        if exponent.is_number and not (exponent.is_Rational and abs(exponent) <= MAX_EXPONENT):
            raise Unreadable("a number exponent must be a plain number up to %d" % MAX_EXPONENT, self.column())
        if exponent.is_number and base.is_number and abs(base) > MAX_NUMBER:
            raise Unreadable("a number too large to raise to a power", self.column())

    def transposed(self, vector) -> sp.Expr:
        """θ^T x_i (w^\\top x_i, x_i^T β): the linear predictor, the symbol dot(θ, x_i)."""
        if self.take() == "{":
            self.take()
            self.take("}")
        other = self.atom()
        names = sorted([str(vector), str(other)], key=lambda n: n.startswith("x"))
        return sp.Symbol("dot(%s, %s)" % tuple(names), real=True)

    def group(self) -> sp.Expr:
        """A braced group, or one token (x^2, x_i)."""
        if self.peek() == "{":
            self.take("{")
            inner = self.expression()
            self.take("}")
            return inner
        return self.atom(bare=True)

    def atom(self, bare: bool = False) -> sp.Expr:
        self.deeper()
        try:
            return self._atom(bare)
        finally:
            self.depth -= 1

    def _atom(self, bare: bool) -> sp.Expr:
        column, text = self.column(), self.peek()
        if text is None:
            raise Unreadable("the line ends where a term should be", column)
        if text in ("(", "[", "{"):
            self.take()
            inner = self.expression()
            self.take({"(": ")", "[": "]", "{": "}"}[text])
            return inner
        if text in _CLOSING:  # |r|, and ‖w‖ (a norm, read as the size of w)
            self.take()
            self.bars.append(_CLOSING[text])
            inner = self.expression()
            self.bars.pop()
            self.take(_CLOSING[text])
            return sp.Abs(inner)
        if re.fullmatch(r"\d+(\.\d+)?", text):
            self.take()
            value = sp.Rational(text)
            if value > MAX_NUMBER:
                raise Unreadable("the number %s is too large (at most %d)" % (text, MAX_NUMBER), column)
            return value
        if text.startswith("\\"):
            return self.command(text[1:], bare)
        if text.isalpha():
            self.take()
            return self.subscripted(text)
        raise Unreadable("%r cannot start a term" % text, column)

    def subscripted(self, base: str, decoration: str = "") -> sp.Expr:
        subscript = ""
        if self.peek() == "_":
            self.take()
            subscript = self.subscript_text()
        if base in ("e",) and not decoration and not subscript and self.peek() == "^":
            self.take("^")
            return sp.exp(self.group())
        name = _name(base, decoration, subscript)
        label = self.label() if self.peek() == "(" else None
        return name if label is None else sp.Symbol("%s(%s)" % (name.name, label), real=True)

    def label(self) -> str | None:
        """``(θ)``, ``(y_i | x_i; θ)``, ``(w)``: the arguments of a named function — L(θ), p(y_i | x_i) — when the
        parentheses hold names, commas, bars and semicolons alone (else None: a product, p_i(1 − p_i))."""
        k, parts = self.at + 1, []
        while k < len(self.toks) and self.toks[k].text != ")":
            text = self.toks[k].text
            if not (text.isalnum() or text in ("_", ",", "|", ";", "\mid", "{", "}") or text[1:] in GREEK
                    or text[1:] in NAMING or text[1:] in DECORATIONS):
                return None
            parts.append(text.lstrip("\\"))
            k += 1
        if k >= len(self.toks) or not parts:
            return None
        self.at = k + 1
        return "".join(p if p not in (",", "|", ";", "mid") else {"mid": " | "}.get(p, " %s " % p) for p in parts)

    def subscript_text(self) -> str:
        """A subscript as text: i, ik, {i=1}, {\\mu,i} — names only (a subscript is a label, not arithmetic)."""
        if self.peek() != "{":
            token = self.take()
            return token.lstrip("\\")
        self.take("{")
        parts = []
        while self.peek() not in ("}", None):
            parts.append(self.take().lstrip("\\"))
        self.take("}")
        return "".join(parts)

    def command(self, name: str, bare: bool) -> sp.Expr:
        column = self.column()
        self.take()
        if name in GREEK:
            if name == "pi":
                return sp.pi
            if name == "sigma" and self.peek() in ("(", "\\left") and not bare:
                return sigmoid(self.parenthesised())
            return self.subscripted(name)
        if name == "text":  # words inside a formula ("by independence"): prose, not a name
            self.take("{")
            while self.peek() not in ("}", None):
                self.take()
            self.take("}")
            return sp.S.One
        if name in NAMING:
            self.take("{")
            words = []
            while self.peek() not in ("}", None):
                words.append(self.take().lstrip("\\"))
            self.take("}")
            # a script letter keeps its mark: 𝓛 is the loss in one book and the likelihood in another
            return self.subscripted(("cal" if name in ("mathcal", "mathscr") else "") + "".join(words))
        if name in DECORATIONS:  # \hat{y}_i, \hat y_i
            braced = self.peek() == "{"
            if braced:
                self.take("{")
            inner = self.take()
            if braced:
                self.take("}")
            return self.subscripted(inner.lstrip("\\"), DECORATIONS[name])
        if name in FUNCTIONS:
            return self.function(FUNCTIONS[name])
        if name in ("frac", "dfrac", "tfrac"):
            return self.fraction()
        if name == "sqrt":
            return sp.sqrt(self.group())
        if name in ("sum", "prod"):
            return self.big(sp.Sum if name == "sum" else sp.Product)
        if name == "infty":
            return sp.oo
        if name == "nabla":  # ∇_θ J, ∇_w L: the gradient of a name
            variable = self.subscript_text() if self.peek() == "_" and self.take() else "theta"
            return sp.Derivative(self.atom(), sp.Symbol(variable, real=True))
        if name == "partial":  # ∂ read as d: ∂L/∂w is dL/dw of a name, ∂/∂η (…) an operator
            return sp.Symbol("d", real=True)
        raise Unreadable("\\%s cannot stand here" % name, column)

    def rest_of_sum(self, body, index: str) -> sp.Expr:
        """Σ_i y_i log p_i + (1 − y_i) log(1 − p_i): a term after the sum that still carries its index i belongs to it
        (outside, i would be bound to nothing) — as a student means it."""
        while self.peek() in ("+", "-"):
            start = self.at
            sign = -1 if self.take() == "-" else 1
            term = self.term()
            if not _mentions(term, index):
                self.at = start
                break
            body = body + sign * term
        return body

    def parenthesised(self) -> sp.Expr:
        self.take("(")
        inner = self.expression()
        self.take(")")
        return inner

    def function(self, f) -> sp.Expr:
        power = None
        if self.peek() == "^":  # \log^2 x
            self.take()
            power = self.group()
        if self.peek() == "(":  # log (1 − p_i)^{1 − y_i}: the log of the power, as a likelihood's log is written
            inner = self.parenthesised()
            value = f(self.postfix(inner)) if f is sp.log else self.postfix(f(inner))
        else:  # \log p_i, \log 2\pi\sigma^2: the factors up to the next +, −, = or explicit product
            argument = self.factor()
            while self.starts_factor(self.peek()) and self.peek() not in ("\\log", "\\ln", "\\exp", "\\sum",
                                                                         "\\prod", "\\frac"):
                argument = argument * self.factor()
            value = f(argument)
        return value if power is None else value ** power

    def fraction(self) -> sp.Expr:
        top, bottom = self.group(), self.group()
        if _is_differential(bottom):
            if _is_d(top):  # d/dη (…), ∂/∂w (…): an operator on the next factor
                return sp.Derivative(self.factor(), _variable(bottom))
            if _is_differential(top):  # dL/dw, ∂ℓ/∂η_i
                return sp.Derivative(_variable(top), _variable(bottom))
        return top / bottom

    def big(self, kind) -> sp.Expr:
        index, low, high = None, None, None
        if self.peek() == "_":
            self.take()
            if self.peek() == "{":
                self.take("{")
                index = self.take()
                if self.peek() == "=":
                    self.take("=")
                    low = self.expression()
                self.take("}")
            else:
                index = self.take()
        if self.peek() == "^":
            self.take()
            high = self.group()
        body = self.factor()
        while self.starts_factor(self.peek()):
            body = body * self.factor()
        i = sp.Symbol(index or "i", integer=True)
        high = N if high is None else high  # Σ_i: over the sample, i = 1 … n
        if kind is sp.Sum:
            body = self.rest_of_sum(body, i.name)
        return kind(body, (i, low if low is not None else 1, high))


_CLOSING = {"|": "|", "\\lvert": "\\rvert", "\\vert": "\\vert", "\\|": "\\|"}


def _mentions(expr, index: str) -> bool:
    """Some name in ``expr`` carries the subscript ``index`` (y_i, dot(w, x_i), sigma_{k,i})."""
    for symbol in expr.free_symbols:
        for part in re.findall(r"_\{?([A-Za-z0-9,]+)", symbol.name):
            if index in part.split(",") or (part.isalpha() and index in part):
                return True
    return False


def _is_d(expr) -> bool:
    return isinstance(expr, sp.Symbol) and expr.name == "d"


def _is_differential(expr) -> bool:
    """d·x (dη_i, ∂w): a differential of one name."""
    return isinstance(expr, sp.Mul) and len(expr.args) == 2 and any(_is_d(a) for a in expr.args)


def _variable(bottom) -> sp.Symbol:
    return next(a for a in sp.Mul.make_args(bottom) if not (isinstance(a, sp.Symbol) and a.name == "d"))


def read(line: str) -> list[sp.Expr]:
    """The sides of ``line`` (an equation chain a = b = … gives each), or Unreadable with the column."""
    if len(line) <= MAX_CHARS:
        remark = re.search(r"\\q?quad\b", line)  # "… \quad \text{with } μ_i = θᵀx_i": an aside, not a side
        if remark and line[:remark.start()].strip():
            line = line[:remark.start()]
        if line.strip() and not re.sub(r"\\text\{[^{}]*\}|[\s.,;:]", "", line):
            raise Unreadable("only words, no formula to grade", 1)
    toks = tokens(line)
    while toks and toks[-1].text in (".", ","):  # the sentence's full stop after a displayed formula
        toks.pop()
    if not toks:
        raise Unreadable("an empty line", 1)
    return Reader(toks, len(line)).chain()
