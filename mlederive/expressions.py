"""A parser for the math in recipes that cannot execute code.

Recipe text is never given to ``eval``, ``sympify`` or ``parse_expr`` (all three
run arbitrary Python). Instead ``ast.parse(..., mode="eval")`` — which only
parses — produces a tree that is walked against a whitelist: numbers, declared
names, + − × ÷ and powers, unary minus, and calls of a fixed set of functions
by name. Everything else (attributes, subscripts, lambdas, comprehensions,
keywords, strings, comparisons …) is refused with the field's name. Size is
bounded before parsing (length) and while walking (nodes, depth, exponent
size), so ``9**9**9**9`` or a megabyte of text cannot exhaust the machine.
"""
from __future__ import annotations

import ast

import sympy as sp

from .check_functions import huber, pinball
from .errors import RecipeError
from .special import I0
from .symbolic import Phi, sigmoid

MAX_CHARS = 400
MAX_NODES = 150
MAX_DEPTH = 25
MAX_EXPONENT = 64
MAX_LITERAL = 10**6

#: name → (SymPy callable, number of arguments)
FUNCTIONS = {
    "exp": (sp.exp, 1), "log": (sp.log, 1), "sqrt": (sp.sqrt, 1), "abs": (sp.Abs, 1),
    "gamma": (sp.gamma, 1), "lgamma": (sp.loggamma, 1), "erf": (sp.erf, 1), "sigmoid": (sigmoid, 1),
    "tanh": (sp.tanh, 1), "atan": (sp.atan, 1), "sin": (sp.sin, 1), "cos": (sp.cos, 1),
    "factorial": (sp.factorial, 1), "binomial": (sp.binomial, 2), "cosh": (sp.cosh, 1), "sinh": (sp.sinh, 1),
    "min": (sp.Min, 2), "max": (sp.Max, 2), "sign": (sp.sign, 1),
    # the standard normal CDF Φ (Tobit's censored rows), and the named check functions of quantile and Huber losses
    "Phi": (Phi, 1), "pinball": (pinball, 2), "huber": (huber, 2), "I0": (I0, 1),
    # 1 where the argument is 0, else 0: a zero-inflated density's indicator 1[y = 0]
    "is_zero": (lambda a: sp.KroneckerDelta(a, 0), 1),
    # 1 where the two are equal, else 0: a censored row's indicator 1[y = c] (a Tobit's)
    "indicator": (lambda a, b: sp.KroneckerDelta(a, b), 2),
}
CONSTANTS = {"pi": sp.pi, "E": sp.E}

_BINOPS = {ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b, ast.Mult: lambda a, b: a * b,
           ast.Div: lambda a, b: a / b, ast.Pow: lambda a, b: a ** b}


class _Walker:
    def __init__(self, names: dict, source: str, field: str, functions: dict | None = None):
        self.names, self.source, self.field = names, source, field
        self.functions = {**FUNCTIONS, **(functions or {})}
        self.nodes = 0

    def fail(self, problem: str):
        raise RecipeError(self.source, self.field, problem)

    def walk(self, node, depth: int = 0):
        self.nodes += 1
        if self.nodes > MAX_NODES:
            self.fail("expression too large (more than %d parts); simplify it" % MAX_NODES)
        if depth > MAX_DEPTH:
            self.fail("expression nested too deeply (more than %d levels)" % MAX_DEPTH)
        if isinstance(node, ast.Expression):
            return self.walk(node.body, depth + 1)
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                self.fail("only numbers are allowed as constants, not %r" % (value,))
            if abs(value) > MAX_LITERAL:
                self.fail("number %r is too large (limit %d)" % (value, MAX_LITERAL))
            return sp.Integer(value) if isinstance(value, int) else sp.Rational(repr(value))
        if isinstance(node, ast.Name):
            if node.id in self.names:
                return self.names[node.id]
            if node.id in CONSTANTS:
                return CONSTANTS[node.id]
            allowed = ", ".join(sorted(self.names)) or "none"
            self.fail("unknown name '%s'; declared names: %s (and pi, E)" % (node.id, allowed))
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            value = self.walk(node.operand, depth + 1)
            return -value if isinstance(node.op, ast.USub) else value
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            left = self.walk(node.left, depth + 1)
            if isinstance(node.op, ast.Pow):
                self._check_exponent(node.right)
            right = self.walk(node.right, depth + 1)
            return _BINOPS[type(node.op)](left, right)
        if isinstance(node, ast.Call):
            known = self.functions
            if not isinstance(node.func, ast.Name) or node.func.id not in known:
                if isinstance(node.func, ast.Name):
                    self.fail("function %s is not allowed; use one of %s" % (node.func.id, ", ".join(sorted(known))))
                self.fail("only a function called by its name can be called, e.g. exp(y) (not %s(…)); use one of %s"
                          % (ast.unparse(node.func)[:40], ", ".join(sorted(known))))
            if node.keywords:
                self.fail("keyword arguments are not allowed in %s(…)" % node.func.id)
            func, arity = known[node.func.id]
            if len(node.args) != arity:
                self.fail("%s takes %d argument%s, got %d" % (node.func.id, arity, "s" * (arity > 1), len(node.args)))
            return func(*[self.walk(a, depth + 1) for a in node.args])
        self.fail("%s is not allowed in an expression (only numbers, declared names, + - * / **, and %s)"
                  % (type(node).__name__, ", ".join(sorted(FUNCTIONS))))

    def _check_exponent(self, node):
        """A constant exponent must be a plain number of modest size: no 9**9**9."""
        if any(isinstance(n, ast.Name) for n in ast.walk(node)):
            return  # symbolic exponent (y**k): its size is the data's, not the parser's problem
        plain = node.operand if isinstance(node, ast.UnaryOp) else node
        if isinstance(plain, ast.BinOp) and isinstance(plain.op, ast.Div):
            parts = (plain.left, plain.right)
        else:
            parts = (plain,)
        for part in parts:
            if not isinstance(part, ast.Constant) or isinstance(part.value, bool) \
                    or not isinstance(part.value, (int, float)) or abs(part.value) > MAX_EXPONENT:
                self.fail("a constant exponent must be a plain number up to %d (or a fraction of two)"
                          % MAX_EXPONENT)


def parse_expression(text, names: dict, source: str, field: str, functions: dict | None = None) -> sp.Expr:
    """Parse ``text`` into a SymPy expression over ``names`` (name → Symbol), or raise RecipeError. ``functions``
    (name → (callable, arity)) are allowed beside FUNCTIONS: a density's declared normaliser."""
    if not isinstance(text, str):
        raise RecipeError(source, field, "must be an expression in quotes, got %r" % (text,))
    if len(text) > MAX_CHARS:
        raise RecipeError(source, field, "expression longer than %d characters; a density fits in one line"
                          % MAX_CHARS)
    if not text.strip():
        raise RecipeError(source, field, "empty expression")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise RecipeError(source, field, "not a valid expression (%s at column %s)" % (exc.msg, exc.offset)) \
            from None
    except (ValueError, RecursionError, MemoryError):
        raise RecipeError(source, field, "not a valid expression") from None
    return _Walker(names, source, field, functions).walk(tree)
