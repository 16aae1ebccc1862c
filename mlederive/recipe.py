"""Recipes: the YAML file that states an assumption, validated strictly.

A recipe is read with ``yaml.safe_load`` only, checked key by key against the
schema below, and turned into a frozen :class:`Recipe`. Every problem raises a
:class:`RecipeError` naming the file, the field, the allowed values and, for
near misses, the likely intended one.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import yaml

from .errors import MlederiveError, RecipeError, did_you_mean
from .families import FAMILIES
from .links import LINKS
from .predictors import PREDICTORS

MAX_RECIPE_BYTES = 64 * 1024
REDUCTIONS = ("mean", "sum")
PARAM_STATES = ("known", "learned")
MIN_CLASSES, MAX_CLASSES = 2, 8

#: key → (expected type, required, what it is)
SCHEMA = {
    "name": (str, True, "the recipe's name, lowercase words joined by '-'"),
    "title": (str, True, "a one-line title"),
    "description": (str, False, "a paragraph for the reader"),
    "kind": (str, False, "loss (the default), or one of the articles' arguments: sigmoid-mse-vs-bce, "
                         "kl-mle-equivalence, kl-coin, log-underflow"),
    "family": ((str, dict), True, "the distribution of y given x: a name, or a mapping defining your own"),
    "link": ((str, dict), False, "the link function g, with g(μ) = η: a name, or a mapping with g and inverse "
                                 "(required unless parameters gives the mean its link)"),
    "parameters": (dict, False, "each parameter of the family: known (or a value), learned, or predicted with "
                                "its own link ({link: log})"),
    "predictor": (str, False, "linear (η = θᵀx) or generic (η = f_θ(x))"),
    "reduction": (str, False, "mean or sum over the sample"),
    "classes": (int, False, "number of classes K for the categorical family"),
    "prior": (str, False, "a prior on the weights θ for MAP: gaussian (gives L2) or laplace (gives L1)"),
}


@dataclass(frozen=True)
class Recipe:
    name: str
    title: str
    family: str
    link: str
    description: str = ""
    parameters: dict = field(default_factory=dict)
    predictor: str = "linear"
    reduction: str = "mean"
    classes: int = 3
    #: a prior on the weights (mlederive.priors) for MAP, or "" for maximum likelihood
    prior: str = ""
    source: str = "<recipe>"
    #: the values given for known parameters (``alpha: 0.5`` in a recipe): name → number; generated code
    #: takes them as defaults
    values: dict = field(default_factory=dict)
    #: user-defined family / link objects (recipe mappings), used instead of the registries
    custom_family: object = None
    custom_link: object = None
    #: the parameters predicted besides the mean, each with its own link and η: name → link name, in the
    #: recipe's order (empty: one predicted parameter, the mean)
    predicted: dict = field(default_factory=dict)

    def family_obj(self):
        return self.custom_family or FAMILIES[self.family]

    def link_obj(self):
        return self.custom_link or LINKS[self.link]


def _choice(source, key, value, options, what):
    if value not in options:
        raise RecipeError(
            source, key,
            "unknown %s '%s'.%s Allowed: %s." % (what, value, did_you_mean(value, options), ", ".join(options)),
        )
    return value


def _type_name(t) -> str:
    if isinstance(t, tuple):
        return " or ".join(map(_type_name, t))
    return {str: "a string", int: "a whole number", dict: "a mapping (key: value lines)"}[t]


def parse_recipe(data, source: str = "<recipe>") -> Recipe:
    """Validate a mapping already read from YAML and build a Recipe."""
    if data is None:
        raise RecipeError(source, None, "the recipe is empty; write its fields, e.g. 'name: my-loss', "
                                        "'family: gaussian', 'link: identity'")
    if not isinstance(data, dict):
        raise RecipeError(source, None, "a recipe must be a mapping of fields (name: …, family: …), not %s"
                          % _type_name(type(data)) if type(data) in (str, int, dict) else
                          "a recipe must be a mapping of fields (name: …, family: …), not a %s" % type(data).__name__)
    if data.get("kind", "loss") != "loss":
        return _parse_argument(data, source)
    for key in data:
        if not isinstance(key, str) or key not in SCHEMA:
            raise RecipeError(source, str(key), "unknown field.%s Allowed fields: %s."
                              % (did_you_mean(str(key), SCHEMA), ", ".join(SCHEMA)))
    for key, (typ, required, what) in SCHEMA.items():
        if key not in data:
            if required:
                raise RecipeError(source, key, "missing; add it (%s)." % what)
            continue
        value = data[key]
        if typ is int and isinstance(value, bool) or not isinstance(value, typ):
            raise RecipeError(source, key, "must be %s (%s), got %r." % (_type_name(typ), what, value))
        if isinstance(value, str) and not value.strip():
            raise RecipeError(source, key, "must not be empty (%s)." % what)

    name = data["name"]
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name):
        raise RecipeError(source, "name", "'%s' is not lowercase words joined by '-', e.g. gaussian-identity." % name)
    if "description" in data:
        from .prose import from_text

        try:  # $…$ is mathematics, `…` code: each must close
            from_text(data["description"])
        except ValueError as exc:
            raise RecipeError(source, "description", "%s (mathematics goes between $…$)." % exc) from None
    custom_family = custom_link = None
    if isinstance(data["family"], dict):
        from .custom import custom_family as build_family

        custom_family = build_family(data["family"], source)
        family_name = custom_family.name
    else:
        family_name = _choice(source, "family", data["family"], list(FAMILIES), "family")
    family = custom_family or FAMILIES[family_name]
    link_spec = _mean_link(source, family, data)
    if isinstance(link_spec, dict):
        from .custom import custom_link as build_link

        custom_link = build_link(link_spec, source)
        link_name = custom_link.name
    else:
        link_name = _choice(source, "link", link_spec, list(LINKS), "link")
    link = custom_link or LINKS[link_name]
    pairing = family.pairing(link)
    if pairing.status == "refused":
        allowed = family.allowed_links()
        names = ", ".join("%s%s" % (n, " (canonical)" if n == family.canonical_link else "") for n in allowed)
        raise RecipeError(source, "link", "%s; for %s use %s." % (pairing.reason, family_name, names))

    params, values, predicted = _parameters(source, family, family_name, data.get("parameters", {}))

    predictor = _choice(source, "predictor", data.get("predictor", "linear"), list(PREDICTORS), "predictor")
    reduction = _choice(source, "reduction", data.get("reduction", "mean"), list(REDUCTIONS), "reduction")
    classes = data.get("classes", 3)
    if "classes" in data and not family.one_hot:
        raise RecipeError(source, "classes", "only the categorical family has classes; remove this field.")
    if not MIN_CLASSES <= classes <= MAX_CLASSES:
        raise RecipeError(source, "classes", "must be between %d and %d, got %d." % (MIN_CLASSES, MAX_CLASSES, classes))
    prior = check_prior(source, data.get("prior", ""), family)
    return Recipe(
        name=name, title=data["title"].strip(), family=family_name, link=link_name,
        description=data.get("description", "").strip(), parameters=params, predictor=predictor,
        reduction=reduction, classes=classes, prior=prior, source=source, custom_family=custom_family,
        custom_link=custom_link, values=values, predicted=predicted,
    )


def check_prior(source: str, prior: str, family) -> str:
    """The prior's name, validated ("" for none); ``none`` is accepted as no prior."""
    from .priors import PRIORS

    if prior in ("", "none"):
        return ""
    _choice(source, "prior", prior, list(PRIORS), "prior")
    if family.one_hot:
        raise RecipeError(source, "prior", "a prior on the weights is supported for scalar families only; remove it "
                          "for %s." % family.name)
    return prior


def _parse_argument(data: dict, source: str):
    from .arguments import ARGUMENT_KEYS, parse_argument

    for key in ARGUMENT_KEYS:
        typ, required, what = SCHEMA[key]
        if key not in data:
            if required:
                raise RecipeError(source, key, "missing; add it (%s)." % what)
            continue
        if not isinstance(data[key], str) or not data[key].strip():
            raise RecipeError(source, key, "must be %s (%s), got %r." % (_type_name(str), what, data[key]))
    name = data["name"]
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name):
        raise RecipeError(source, "name", "'%s' is not lowercase words joined by '-', e.g. kl-coin." % name)
    return parse_argument(data, source, name)


def read_recipe_text(text: str, source: str) -> Recipe:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = " at line %d, column %d" % (mark.line + 1, mark.column + 1) if mark else ""
        problem = getattr(exc, "problem", None) or "not valid YAML"
        if "'\\t'" in problem:
            problem = "a tab character; YAML indents with spaces only — replace the tab with spaces"
        context, cmark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
        if context and cmark:
            problem += " (%s started at line %d)" % (context.replace("while parsing ", ""), cmark.line + 1)
        raise RecipeError(source, None, "malformed YAML%s: %s. Fix the syntax there." % (where, problem)) from None
    return parse_recipe(data, source)


def _builtin_dir():
    """The installed recipes (package data), or the checkout's recipes/ when run from source."""
    try:
        return resources.files("mlederive.recipes")
    except ModuleNotFoundError:
        return Path(__file__).resolve().parent.parent / "recipes"


def builtin_names() -> list[str]:
    return sorted(p.name[: -len(".yaml")] for p in _builtin_dir().iterdir() if p.name.endswith(".yaml"))


def split_pair(spec: str):
    """``gamma-log`` → ("gamma", "log"); names with hyphens (inverse-gaussian, inverse-squared) are tried whole."""
    for cut in range(1, len(spec)):
        if spec[cut] == "-" and spec[:cut] in FAMILIES and spec[cut + 1:] in LINKS:
            return spec[:cut], spec[cut + 1:]
    return None


def _mean_link(source: str, family, data: dict):
    """The mean's link: ``link:``, or the mean's entry in ``parameters`` ({link: identity}); one of them, not two."""
    given = data.get("parameters", {}).get(family.mean_name) if isinstance(data.get("parameters"), dict) else None
    if given is not None and not isinstance(given, dict):
        raise RecipeError(source, "parameters.%s" % family.mean_name, "the %s is always predicted: give it a link, "
                          "{link: NAME}, or write 'link: NAME' at the top." % family.mean_name)
    if isinstance(given, dict):
        if "link" in data:
            raise RecipeError(source, "link", "the link of %s is given twice (here and in parameters.%s); keep one."
                              % (family.mean_name, family.mean_name))
        _predicted_spec(source, family.mean_name, given)
        return given["link"]
    if "link" not in data:
        raise RecipeError(source, "link", "missing; add it (the link function g, with g(μ) = η), or give the mean "
                          "its link in parameters: '%s: {link: NAME}'." % family.mean_name)
    return data["link"]


def _predicted_spec(source: str, pname: str, spec: dict) -> None:
    for key in spec:
        if key != "link":
            raise RecipeError(source, "parameters.%s.%s" % (pname, key), "unknown field; a predicted parameter "
                              "takes only its link, {link: NAME}.")
    if "link" not in spec or not isinstance(spec["link"], (str, dict)):
        raise RecipeError(source, "parameters.%s" % pname, "a predicted parameter needs its link, {link: NAME}.")


def _parameters(source: str, family, family_name: str, given: dict) -> tuple[dict, dict, dict]:
    """(name → known | learned | predicted, name → the value given for a known one, name → the link of a predicted
    one): ``sigma: learned``, ``alpha: 0.5``, ``sigma: {link: log}``."""
    params = {p.name: p.default for p in family.params}
    values, predicted = {}, {}
    for pname, state in given.items():
        if pname == family.mean_name:
            continue  # its link is the recipe's link (_mean_link)
        if pname not in params:
            known = ", ".join(params) if params else "none"
            raise RecipeError(source, "parameters.%s" % pname, "the %s family has no parameter '%s'.%s Its parameters: %s."
                              % (family_name, pname, did_you_mean(str(pname), params), known))
        if isinstance(state, dict):
            _predicted_spec(source, pname, state)
            link_name = _choice(source, "parameters.%s.link" % pname, state["link"], list(LINKS), "link")
            if family.one_hot:
                raise RecipeError(source, "parameters.%s" % pname, "the categorical family predicts its K class "
                                  "probabilities only.")
            pairing = family.pairing(LINKS[link_name], pname)
            if pairing.status == "refused" or LINKS[link_name].one_hot:
                raise RecipeError(source, "parameters.%s.link" % pname, "%s; for %s use %s." % (
                    pairing.reason, pname, ", ".join(family.allowed_links(pname))))
            predicted[pname], params[pname] = link_name, "predicted"
            continue
        if isinstance(state, (int, float)) and not isinstance(state, bool):
            import sympy as sp

            domain = next(p.domain for p in family.params if p.name == pname)
            if not math.isfinite(state) or domain.contains(sp.Float(state)) is not sp.true:
                from .symbolic import inline

                raise RecipeError(source, "parameters.%s" % pname, "a known value must be a number in %s, got %r."
                                  % (inline(domain), state))
            values[pname], state = float(state), "known"
        if state not in PARAM_STATES:
            raise RecipeError(source, "parameters.%s" % pname, "must be known, learned or a number (known, "
                              "with that value), got %r." % (state,))
        params[pname] = state

    return params, values, predicted


def pair_names() -> list[str]:
    return ["%s-%s" % (f, l) for f, fam in FAMILIES.items() for l in fam.allowed_links()]


def pair_recipe(spec: str):
    """A recipe for ``FAMILY-LINK`` with the defaults (parameters known, linear predictor, mean), or None."""
    pair = split_pair(spec)
    if pair is None:
        return None
    family, link = pair
    return parse_recipe({"name": spec, "title": "%s response, %s link" % (FAMILIES[family].title, link),
                         "family": family, "link": link}, spec)


def looks_like_path(spec: str) -> bool:
    return spec.endswith((".yaml", ".yml")) or "/" in spec or "\\" in spec or Path(spec).exists()


def load_recipe(spec: str) -> Recipe:
    """A built-in recipe by name, or a recipe file by path."""
    if looks_like_path(spec):
        path = Path(spec)
        if path.is_dir():
            raise MlederiveError("'%s' is a directory; give a recipe file in it (*.yaml), or a built-in name from "
                                 "'mlederive list'." % spec)
        if not path.is_file():
            raise MlederiveError("recipe file '%s' not found. Check the path, or run 'mlederive list' for built-in recipes." % spec)
        if path.stat().st_size > MAX_RECIPE_BYTES:
            raise RecipeError(spec, None, "file is larger than %d KiB; a recipe is a few lines." % (MAX_RECIPE_BYTES // 1024))
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise RecipeError(spec, None, "cannot read the file (%s)." % exc.__class__.__name__) from None
        return read_recipe_text(text, spec)
    names = builtin_names()
    if spec not in names:
        pair = pair_recipe(spec)
        if pair is not None:
            return pair
        hint = did_you_mean(spec, names + pair_names())
        raise MlederiveError("unknown recipe '%s'.%s Run 'mlederive list' (recipes) or 'mlederive list --links' "
                             "(every FAMILY-LINK pair)." % (spec, hint))
    text = (_builtin_dir() / (spec + ".yaml")).read_text(encoding="utf-8")
    return read_recipe_text(text, "recipes/%s.yaml" % spec)
