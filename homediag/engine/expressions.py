"""Sandboxed expressions in playbooks: CEL, compiled when a playbook loads.

Playbooks use CEL (the Common Expression Language, via ``cel-python``) for outcome mappings,
validity windows and availability conditions, for example::

    value > thresholds.dns_slow_ms
    values.all(v, v == false)
    answers.happening_now == 'yes'

CEL is not Turing-complete and has no access to Python; on top of that this module:

- compiles every expression at load time (syntax errors name the playbook file and line);
- refuses expressions longer than :data:`MAX_SOURCE_CHARS` or with more than :data:`MAX_NODES`
  syntax nodes, names outside :data:`ROOT_NAMES` and functions outside :data:`ALLOWED_FUNCTIONS`
  (``matches`` is left out: cel-python runs regular expressions with Python's backtracking ``re``,
  not RE2);
- evaluates with cel-python's tree-walking interpreter only (never its transpiler, which uses
  ``exec``);
- counts every evaluation step against a per-evaluation cap and a total :class:`Budget` for the
  whole diagnosis, so hostile values (a huge list from a device) cannot stall the engine. Steps, not
  seconds: the same inputs always give the same result.

Numbers handed to CEL (fact values, thresholds, expectations, whether written ``50`` or ``50.0``) are
doubles. Equality is CEL's heterogeneous equality, which cel-python lacks: numbers compare on one
number line (``value == 0`` holds for ``0.0``), ``null`` equals only ``null`` (``expect.download_mbps !=
null`` works with a plan set), and values of different types are unequal; ``<``, ``<=``, ``>``, ``>=``
and ``in`` compare ints with doubles too.

A failed evaluation raises :class:`ExpressionError`. When something the expression reads is not there
(a fact not observed, a null ``value``, an unanswered question, an unset expectation, no clock for
``ctx.hour``) it raises :class:`MissingInput`, a defined "unknown" rather than an error in the
playbook.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any

import celpy
import lark
from celpy import celtypes
from celpy.celparser import CELParseError
from celpy.evaluation import Activation, CELEvalError, Evaluator

from homediag.engine import celcache

MAX_SOURCE_CHARS = 600
MAX_NODES = 400
STEPS_PER_EVALUATION = 20_000
DEFAULT_TOTAL_STEPS = 2_000_000
MAX_LIST_ITEMS = 256
MAX_STRING_CHARS = 4096
MAX_VALUE_DEPTH = 8

ROOT_NAMES: frozenset[str] = frozenset(
    {"value", "values", "subject", "subjects", "facts", "answers", "thresholds", "expect", "ctx"}
)
"""Names an expression may read. ``value``: the observed value (first subject); ``values``: all of
them; ``facts``: values of facts already observed (subject ``local``); ``answers``: answers to
questions; ``thresholds`` and ``expect``: the configuration; ``ctx``: audience, interactive,
platform, hour."""

ALLOWED_FUNCTIONS: frozenset[str] = frozenset(
    {
        "size",
        "contains",
        "startsWith",
        "endsWith",
        "int",
        "uint",
        "double",
        "string",
        "bool",
        "has",
        "dyn",
        "map",
        "filter",
        "all",
        "exists",
        "exists_one",
    }
)


class ExpressionError(ValueError):
    """An expression cannot be compiled, or its evaluation failed."""


class MissingInput(ExpressionError):
    """The evaluation failed because something it reads is not there (unknown, not an error)."""


class BudgetExceeded(ExpressionError):
    """The evaluation budget of the diagnosis (or of one evaluation) is spent."""


@dataclass
class Budget:
    """Evaluation steps left for one diagnosis (shared by every expression it evaluates)."""

    total: int = DEFAULT_TOTAL_STEPS
    spent: int = 0

    def spend(self, steps: int = 1) -> None:
        """Count ``steps``; raise :class:`BudgetExceeded` when the total is exceeded."""
        self.spent += steps
        if self.spent > self.total:
            raise BudgetExceeded(f"expression budget of {self.total} steps exhausted")


class _CountingEvaluator(Evaluator):
    """cel-python's interpreter, counting each visited node against the budgets."""

    def __init__(
        self, ast: lark.Tree[Any], activation: Activation, budget: Budget, counter: list[int]
    ) -> None:
        super().__init__(ast, activation)
        self._budget = budget
        self._counter = counter

    def visit(self, tree: lark.Tree[Any]) -> Any:
        self._counter[0] += 1
        if self._counter[0] > STEPS_PER_EVALUATION:
            raise BudgetExceeded(f"one evaluation took more than {STEPS_PER_EVALUATION} steps")
        self._budget.spend()
        return super().visit(tree)

    def sub_evaluator(self, ast: lark.Tree[Any]) -> Evaluator:
        return _CountingEvaluator(ast, self.activation, self._budget, self._counter)


@cache
def _environment() -> celpy.Environment:
    celcache.install()
    return celpy.Environment()


def _is_number(value: Any) -> bool:
    return isinstance(value, celtypes.IntType | celtypes.UintType | celtypes.DoubleType) and not isinstance(
        value, celtypes.BoolType
    )


def _equal(left: Any, right: Any) -> Any:
    """CEL's heterogeneous equality (cel-python raises on ``1.0 == 1`` and ``1.0 == null``)."""
    if isinstance(left, CELEvalError):
        return left
    if isinstance(right, CELEvalError):
        return right
    if left is None or right is None:
        return celtypes.BoolType(left is None and right is None)
    if _is_number(left) and _is_number(right):
        return celtypes.BoolType(float(left) == float(right))
    if not (isinstance(left, type(right)) or isinstance(right, type(left))):
        return celtypes.BoolType(False)
    return celpy.evaluation.bool_eq(left, right)


def _not_equal(left: Any, right: Any) -> Any:
    result = _equal(left, right)
    return result if isinstance(result, CELEvalError) else celtypes.BoolType(not result)


def _ordering(name: str, compare: Callable[[float, float], bool]) -> Callable[[Any, Any], Any]:
    plain = celpy.evaluation.base_functions[name]

    def ordered(left: Any, right: Any) -> Any:
        if _is_number(left) and _is_number(right):
            return celtypes.BoolType(compare(float(left), float(right)))
        return plain(left, right)

    return ordered


def _contains(item: Any, container: Any) -> Any:
    """``item in container`` with heterogeneous equality (keys of a map, items of a list)."""
    if isinstance(item, CELEvalError):
        return item
    if isinstance(container, CELEvalError):
        return container
    if not isinstance(container, celtypes.ListType | celtypes.MapType):
        return celpy.evaluation.operator_in(item, container)
    found = (_equal(candidate, item) for candidate in container)
    return celtypes.BoolType(any(not isinstance(r, CELEvalError) and bool(r) for r in found))


_FUNCTIONS: dict[str, Any] = {
    "_==_": _equal,
    "_!=_": _not_equal,
    "_<_": _ordering("_<_", operator.lt),
    "_<=_": _ordering("_<=_", operator.le),
    "_>_": _ordering("_>_", operator.gt),
    "_>=_": _ordering("_>=_", operator.ge),
    "_in_": _contains,
}
"""Operators that follow the CEL specification where cel-python does not (see the module docstring)."""


def _walk(tree: lark.Tree[Any]) -> Iterable[lark.Tree[Any]]:
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(child for child in node.children if isinstance(child, lark.Tree))


def _token_text(node: lark.Tree[Any] | lark.Token | Any) -> str | None:
    if isinstance(node, lark.Token):
        return str(node.value)
    if isinstance(node, lark.Tree) and node.children and isinstance(node.children[0], lark.Token):
        return str(node.children[0].value)
    return None


@dataclass(frozen=True)
class Expression:
    """A compiled CEL expression with its source text."""

    source: str
    ast: lark.Tree[Any] = field(repr=False, compare=False)
    names: frozenset[str] = frozenset()
    """Root names it reads (``value``, ``facts``...)."""
    fact_refs: frozenset[str] = frozenset()
    """Fact names it reads through ``facts['name']``."""
    answer_refs: frozenset[str] = frozenset()
    """Question ids it reads through ``answers.id`` or ``answers['id']``."""
    static_refs: bool = False
    """Whether ``facts`` and ``answers`` are read only through the literal keys above, so the
    result depends on those entries alone (callers may cache on them)."""
    settings_refs: frozenset[tuple[str, str]] = frozenset()
    """``(root, key)`` of the ``expect.x``, ``thresholds.x`` and ``ctx.x`` it reads."""

    def evaluate(self, variables: Mapping[str, Any], budget: Budget) -> Any:
        """Evaluate with ``variables`` (plain JSON-like values); return a plain Python value.

        Raise :class:`MissingInput` when evaluation fails and something it reads is not there,
        :class:`ExpressionError` when it fails otherwise (a type mismatch: an error in the playbook)
        and :class:`BudgetExceeded` when the budget is spent.
        """
        try:
            return self._evaluate(variables, budget)
        except BudgetExceeded:
            raise
        except ExpressionError as exc:
            missing = self.missing_inputs(variables)
            if missing:
                raise MissingInput(f"{', '.join(missing)} not known ({exc})") from None
            raise

    def missing_inputs(self, variables: Mapping[str, Any]) -> list[str]:
        """What this expression reads that ``variables`` lack or hold as null, in words."""
        missing: list[str] = []
        if "value" in self.names and variables.get("value") is None:
            missing.append("value")
        values = variables.get("values")
        if "values" in self.names and (not isinstance(values, list) or any(v is None for v in values)):
            missing.append("values")
        for root, refs in (("facts", self.fact_refs), ("answers", self.answer_refs)):
            table = variables.get(root)
            for ref in sorted(refs):
                if not isinstance(table, Mapping) or table.get(ref) is None:
                    missing.append(f"{root}[{ref!r}]")
        for root, key in sorted(self.settings_refs):
            table = variables.get(root)
            if not isinstance(table, Mapping) or table.get(key) is None:
                missing.append(f"{root}.{key}")
        return missing

    def _evaluate(self, variables: Mapping[str, Any], budget: Budget) -> Any:
        env = _environment()
        activation = Activation(package=env.package, annotations=env.annotations, functions=_FUNCTIONS)
        evaluator = _CountingEvaluator(self.ast, activation, budget, [0])
        if isinstance(variables, Scope):
            context = {name: variables.cel(name) for name in self.names if name in variables}
        else:
            context = {name: to_cel(variables[name]) for name in self.names if name in variables}
        try:
            result = evaluator.evaluate(context)
        except BudgetExceeded:
            raise
        except CELEvalError as exc:
            raise ExpressionError(_eval_message(exc)) from None
        except RecursionError:
            raise ExpressionError("expression nested too deeply") from None
        except Exception as exc:  # noqa: BLE001 - cel-python raises plain errors on odd input
            raise ExpressionError(f"{type(exc).__name__}: {exc}"[:200]) from None
        return from_cel(result)


class Scope(Mapping[str, Any]):
    """Variables for expressions: plain values, each converted to CEL once, when first read.

    Only the names an expression reads are converted, so a large ``facts`` mapping costs nothing
    to expressions that do not use it. :meth:`child` adds values (``value``, ``values``) and shares
    the parent's conversions.
    """

    def __init__(self, values: Mapping[str, Any], parent: Scope | None = None) -> None:
        self._values = dict(values)
        self._parent = parent
        self._cel: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name in self._values:
            return self._values[name]
        if self._parent is not None:
            return self._parent[name]
        raise KeyError(name)

    def __iter__(self) -> Iterator[str]:
        names = set(self._values)
        if self._parent is not None:
            names.update(self._parent)
        return iter(sorted(names))

    def __len__(self) -> int:
        return len(set(self))

    def __contains__(self, name: object) -> bool:
        return name in self._values or (self._parent is not None and name in self._parent)

    def cel(self, name: str) -> Any:
        """The CEL value of ``name`` (converted once)."""
        if name not in self._values and self._parent is not None:
            return self._parent.cel(name)
        if name not in self._cel:
            self._cel[name] = to_cel(self._values[name])
        return self._cel[name]

    def child(self, values: Mapping[str, Any]) -> Scope:
        """A scope with ``values`` added."""
        return Scope(values, self)


def _eval_message(exc: CELEvalError) -> str:
    text = str(exc.args[0]) if exc.args else str(exc)
    if "undeclared reference" in text:
        name = text.split("'")[1] if "'" in text else "?"
        return f"no value for {name!r}"
    return text.split(" (in activation")[0][:200]


def compile_expression(source: str) -> Expression:
    """Compile ``source``; raise :class:`ExpressionError` with a one-line reason.

    Compiled expressions are kept by their text (the lint and the playbook model compile the same
    ones, and parsing CEL is most of a diagnosis's start-up); an expression is never changed after
    compiling, so one object serves every playbook that uses the text."""
    if not isinstance(source, str):
        raise ExpressionError("empty expression")
    return _compile_cached(source)


@lru_cache(maxsize=4096)
def _compile_cached(source: str) -> Expression:
    if not source.strip():
        raise ExpressionError("empty expression")
    if len(source) > MAX_SOURCE_CHARS:
        raise ExpressionError(f"expression longer than {MAX_SOURCE_CHARS} characters")
    try:
        ast = _environment().compile(source)
    except CELParseError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "syntax error"
        raise ExpressionError(f"not valid CEL: {first}") from None
    except (lark.exceptions.LarkError, RecursionError) as exc:
        raise ExpressionError(f"not valid CEL: {type(exc).__name__}") from None
    nodes = list(_walk(ast))
    if len(nodes) > MAX_NODES:
        raise ExpressionError(f"expression too complex (more than {MAX_NODES} syntax nodes)")
    bound: set[str] = set()
    functions: set[str] = set()
    for node in nodes:
        if node.data == "member_dot_arg" and len(node.children) >= 2:
            name = _token_text(node.children[1])
            if name:
                functions.add(name)
            if name in {"map", "filter", "all", "exists", "exists_one"} and len(node.children) > 2:
                args = node.children[2]
                if isinstance(args, lark.Tree) and args.children:
                    for ident in _walk(args.children[0]) if isinstance(args.children[0], lark.Tree) else ():
                        if ident.data == "ident":
                            text = _token_text(ident)
                            if text:
                                bound.add(text)
        elif node.data == "ident_arg":
            name = _token_text(node)
            if name:
                functions.add(name)
    unknown_functions = sorted(functions - ALLOWED_FUNCTIONS)
    if unknown_functions:
        raise ExpressionError(f"function not allowed in playbooks: {unknown_functions[0]}")
    names: set[str] = set()
    for node in nodes:
        if node.data == "primary" and node.children and isinstance(node.children[0], lark.Tree):
            inner = node.children[0]
            if inner.data == "ident":
                text = _token_text(inner)
                if text and text not in bound:
                    names.add(text)
    unknown_names = sorted(names - ROOT_NAMES)
    if unknown_names:
        allowed = ", ".join(sorted(ROOT_NAMES))
        raise ExpressionError(f"unknown name {unknown_names[0]!r} (allowed: {allowed})")
    fact_uses = _count_item_refs(nodes, "facts")
    answer_uses = _count_item_refs(nodes, "answers") + _count_dot_refs(nodes, "answers")
    static = fact_uses == _count_idents(nodes, "facts", bound) and answer_uses == _count_idents(
        nodes, "answers", bound
    )
    settings = {(root, key) for root in ("expect", "thresholds", "ctx") for key in _dot_refs(nodes, root)}
    return Expression(
        source=source,
        ast=ast,
        names=frozenset(names),
        fact_refs=frozenset(_item_refs(nodes, "facts")),
        answer_refs=frozenset(_item_refs(nodes, "answers") | _dot_refs(nodes, "answers")),
        static_refs=static,
        settings_refs=frozenset(settings),
    )


def _count_idents(nodes: list[lark.Tree[Any]], name: str, bound: set[str]) -> int:
    if name in bound:
        return -1
    return sum(1 for node in nodes if node.data == "ident" and _token_text(node) == name)


def _count_item_refs(nodes: list[lark.Tree[Any]], root: str) -> int:
    count = 0
    for node in nodes:
        if node.data in ("member_item", "member_index") and len(node.children) == 2:
            left, index = node.children
            if not (isinstance(left, lark.Tree) and _root_ident(left) == root):
                continue
            literals = [
                leaf
                for leaf in (_walk(index) if isinstance(index, lark.Tree) else ())
                if leaf.data == "literal"
            ]
            inner = [n for n in (_walk(index) if isinstance(index, lark.Tree) else ())]
            if len(literals) == 1 and not any(n.data == "ident" for n in inner):
                count += 1
    return count


def _count_dot_refs(nodes: list[lark.Tree[Any]], root: str) -> int:
    return sum(
        1
        for node in nodes
        if node.data == "member_dot"
        and len(node.children) == 2
        and isinstance(node.children[0], lark.Tree)
        and _root_ident(node.children[0]) == root
    )


def _root_ident(node: lark.Tree[Any]) -> str | None:
    """The name of ``member > primary > ident`` (the left side of ``x.y`` or ``x['y']``)."""
    if node.data != "member" or not node.children:
        return None
    primary = node.children[0]
    if not isinstance(primary, lark.Tree) or primary.data != "primary" or not primary.children:
        return None
    ident = primary.children[0]
    if isinstance(ident, lark.Tree) and ident.data == "ident":
        return _token_text(ident)
    return None


def _item_refs(nodes: list[lark.Tree[Any]], root: str) -> set[str]:
    refs: set[str] = set()
    for node in nodes:
        if node.data in ("member_item", "member_index") and len(node.children) == 2:
            left, index = node.children
            if isinstance(left, lark.Tree) and _root_ident(left) == root:
                for leaf in _walk(index) if isinstance(index, lark.Tree) else ():
                    if leaf.data == "literal":
                        text = _token_text(leaf)
                        if text and len(text) >= 2 and text[0] in "'\"" and text[-1] == text[0]:
                            refs.add(text[1:-1])
    return refs


def _dot_refs(nodes: list[lark.Tree[Any]], root: str) -> set[str]:
    refs: set[str] = set()
    for node in nodes:
        if node.data == "member_dot" and len(node.children) == 2:
            left, name = node.children
            if isinstance(left, lark.Tree) and _root_ident(left) == root:
                text = _token_text(name)
                if text:
                    refs.add(text)
    return refs


def to_cel(value: Any, depth: int = 0) -> Any:
    """Turn a JSON-like value into CEL values: numbers become doubles; sizes are capped."""
    if depth > MAX_VALUE_DEPTH:
        return None
    if value is None:
        return None
    if isinstance(value, bool):
        return celtypes.BoolType(value)
    if isinstance(value, int | float):
        number = float(value)
        return celtypes.DoubleType(number if math.isfinite(number) else 0.0)
    if isinstance(value, str):
        return celtypes.StringType(value[:MAX_STRING_CHARS])
    if isinstance(value, Mapping):
        items = list(value.items())[:MAX_LIST_ITEMS]
        return celtypes.MapType(
            {celtypes.StringType(str(k)[:MAX_STRING_CHARS]): to_cel(v, depth + 1) for k, v in items}
        )
    if isinstance(value, list | tuple):
        return celtypes.ListType([to_cel(v, depth + 1) for v in list(value)[:MAX_LIST_ITEMS]])
    return celtypes.StringType(str(value)[:MAX_STRING_CHARS])


def from_cel(value: Any) -> Any:
    """Turn a CEL result back into plain Python values."""
    if value is None:
        return None
    if isinstance(value, celtypes.BoolType):
        return bool(value)
    if isinstance(value, celtypes.IntType | celtypes.UintType):
        return int(value)
    if isinstance(value, celtypes.DoubleType):
        return float(value)
    if isinstance(value, celtypes.StringType):
        return str(value)
    if isinstance(value, celtypes.MapType):
        return {str(from_cel(k)): from_cel(v) for k, v in value.items()}
    if isinstance(value, celtypes.ListType):
        return [from_cel(v) for v in value]
    if isinstance(value, bool | int | float | str):
        return value
    return str(value)
