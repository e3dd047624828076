"""Backward compatibility of two JSON Schemas of the same event and major version.

A change is backward compatible when every payload valid against the old schema is
still valid against the new one (so new consumers read old events) and no property an
old consumer relies on disappears. ``breaking_changes`` lists, in plain words, what
breaks that promise: a removed or renamed property, a new required property, a narrowed
type or enum, a tightened constraint, additional properties forbidden.

Pure functions over parsed schemas (``$ref`` into ``$defs`` resolved, ``anyOf``/``oneOf``
compared variant by variant). Annotations (title, description, default) are ignored.
"""

from collections.abc import Mapping, Sequence
from typing import Any

Schema = Mapping[str, Any] | bool

_LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
_UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
_EXACT = ("pattern", "format", "multipleOf", "const")
_ANNOTATIONS = frozenset(
    {"title", "description", "default", "examples", "$comment", "deprecated", "$schema", "$id"}
)


def breaking_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """Breaking changes from ``old`` to ``new`` (empty when ``new`` is compatible)."""
    checker = _Checker(old, new)
    checker.compare(old, new, "")
    return list(dict.fromkeys(checker.breaks))


class _Checker:
    def __init__(self, old_root: Mapping[str, Any], new_root: Mapping[str, Any]) -> None:
        self.old_root = old_root
        self.new_root = new_root
        self.breaks: list[str] = []
        self._visiting: set[tuple[str, str]] = set()

    def _fork(self) -> "_Checker":
        fork = _Checker(self.old_root, self.new_root)
        fork._visiting = set(self._visiting)
        return fork

    def _break(self, where: str, what: str) -> None:
        self.breaks.append(f"{where or '(root)'}: {what}")

    def compare(self, old: Schema, new: Schema, where: str) -> None:
        key = (_ref_of(old), _ref_of(new))
        if key == ("", ""):
            self._compare_resolved(old, new, where)
        elif key not in self._visiting:
            # A pair of definitions being compared further up is a cycle: stop there.
            self._visiting.add(key)
            try:
                self._compare_resolved(old, new, where)
            finally:
                self._visiting.discard(key)

    def _compare_resolved(self, old: Schema, new: Schema, where: str) -> None:
        old = _resolve(old, self.old_root)
        new = _resolve(new, self.new_root)
        if _accepts_anything(new):
            return
        if new is False:
            if old is not False:
                self._break(where, "no longer accepts any value")
            return
        if old is False:
            return
        if _accepts_anything(old):
            self._break(where, "narrowed: any value was accepted, now constrained")
            return
        assert isinstance(old, Mapping)
        assert isinstance(new, Mapping)
        old_variants = _variants(old, self.old_root)
        new_variants = _variants(new, self.new_root)
        if len(old_variants) == 1 and len(new_variants) == 1:
            self._compare_single(old_variants[0], new_variants[0], where)
            return
        for variant in old_variants:
            self._compare_variant(variant, new_variants, where)

    def _compare_variant(
        self, old: Mapping[str, Any], candidates: Sequence[Mapping[str, Any]], where: str
    ) -> None:
        old_types = _types(old)
        best: list[str] | None = None
        for candidate in candidates:
            new_types = _types(candidate)
            if old_types is not None and new_types is not None and _missing(old_types, new_types):
                continue
            fork = self._fork()
            fork._compare_single(old, candidate, where)
            if best is None or len(fork.breaks) < len(best):
                best = fork.breaks
            if not best:
                return
        if best is None:
            self._break(where, f"narrowed type: {_describe(old)} is no longer accepted")
        else:
            self.breaks.extend(best)

    def _compare_single(self, old: Mapping[str, Any], new: Mapping[str, Any], where: str) -> None:
        old_types, new_types = _types(old), _types(new)
        if new_types is not None:
            if old_types is None:
                self._break(where, f"narrowed type: any type accepted, now {_join(new_types)}")
            else:
                missing = _missing(old_types, new_types)
                if missing:
                    self._break(
                        where,
                        f"narrowed type: {_join(old_types)} → {_join(new_types)}"
                        f" ({_join(missing)} no longer accepted)",
                    )
        self._compare_values(old, new, where)
        self._compare_bounds(old, new, where)
        self._compare_objects(old, new, where)
        self._compare_arrays(old, new, where)

    def _compare_values(self, old: Mapping[str, Any], new: Mapping[str, Any], where: str) -> None:
        new_values = new.get("enum")
        if new_values is None:
            return
        old_values = old.get("enum", [old["const"]] if "const" in old else None)
        if old_values is None:
            self._break(where, f"narrowed enum: now restricted to {_values(new_values)}")
            return
        removed = [value for value in old_values if value not in new_values]
        if removed:
            self._break(where, f"narrowed enum: {_values(removed)} no longer accepted")

    def _compare_bounds(self, old: Mapping[str, Any], new: Mapping[str, Any], where: str) -> None:
        for name in _LOWER_BOUNDS:
            if name in new and (name not in old or new[name] > old[name]):
                self._break(where, _tightened(name, old.get(name), new[name]))
        for name in _UPPER_BOUNDS:
            if name in new and (name not in old or new[name] < old[name]):
                self._break(where, _tightened(name, old.get(name), new[name]))
        for name in _EXACT:
            if name in new and (name not in old or new[name] != old[name]):
                if name == "const" and "enum" in old:
                    self._break(where, f"narrowed enum: now only {new[name]!r}")
                else:
                    self._break(where, _tightened(name, old.get(name), new[name]))
        if new.get("uniqueItems") is True and old.get("uniqueItems") is not True:
            self._break(where, "tightened constraint: items must now be unique")

    def _compare_objects(self, old: Mapping[str, Any], new: Mapping[str, Any], where: str) -> None:
        old_props: Mapping[str, Any] = old.get("properties", {})
        new_props: Mapping[str, Any] = new.get("properties", {})
        added = [name for name in new_props if name not in old_props]
        for name in old_props:
            if name not in new_props:
                hint = f" (renamed to {added[0]!r}?)" if len(added) == 1 else ""
                self._break(where, f"property {name!r} removed or renamed{hint}")
        old_required = set(old.get("required", ()))
        for name in new.get("required", ()):
            if name in old_required:
                continue
            if name in old_props:
                self._break(where, f"property {name!r} became required")
            else:
                self._break(where, f"new required property {name!r}")
        for name, old_prop in old_props.items():
            if name in new_props:
                self.compare(old_prop, new_props[name], _join_path(where, name))
        old_extra = old.get("additionalProperties", True)
        new_extra = new.get("additionalProperties", True)
        if isinstance(old_extra, Mapping):
            for name in added:
                self.compare(old_extra, new_props[name], _join_path(where, name))
        if new_extra is False and old_extra is not False:
            self._break(where, "additionalProperties tightened: extra properties now forbidden")
        elif old_extra is not False and not _accepts_anything(new_extra):
            self.compare(old_extra, new_extra, _join_path(where, "*"))
        old_patterns: Mapping[str, Any] = old.get("patternProperties", {})
        for pattern, new_schema in new.get("patternProperties", {}).items():
            # Keys matching a new pattern were governed by additionalProperties before.
            old_schema = old_patterns.get(pattern, old_extra)
            self.compare(old_schema, new_schema, f"{where}{{{pattern}}}")
        new_names = _resolve(new.get("propertyNames", True), self.new_root)
        if isinstance(new_names, Mapping) and new_names.get("type") == "string":
            # Property names are always strings: saying so narrows nothing.
            new_names = {key: value for key, value in new_names.items() if key != "type"}
        if not _accepts_anything(new_names):
            self.compare(old.get("propertyNames", True), new_names, where + "{name}")

    def _compare_arrays(self, old: Mapping[str, Any], new: Mapping[str, Any], where: str) -> None:
        old_prefix: Sequence[Any] = old.get("prefixItems", ())
        new_prefix: Sequence[Any] = new.get("prefixItems", ())
        old_items = old.get("items", True)
        for index, new_item in enumerate(new_prefix):
            old_item = old_prefix[index] if index < len(old_prefix) else old_items
            self.compare(old_item, new_item, f"{where}[{index}]")
        if "items" in new:
            for index in range(len(new_prefix), len(old_prefix)):
                self.compare(old_prefix[index], new["items"], f"{where}[{index}]")
            self.compare(old_items, new["items"], f"{where}[]")


def _ref_of(schema: Schema) -> str:
    return str(schema.get("$ref", "")) if isinstance(schema, Mapping) else ""


def _resolve(schema: Schema, root: Mapping[str, Any]) -> Schema:
    """Inline ``$ref`` (local JSON pointers) and single-item ``allOf``; siblings win."""
    for _ in range(32):
        if not isinstance(schema, Mapping):
            return schema
        if "$ref" in schema:
            target = _pointer(root, str(schema["$ref"]))
            siblings = {key: value for key, value in schema.items() if key != "$ref"}
            schema = {**target, **siblings} if isinstance(target, Mapping) else target
        elif isinstance(schema.get("allOf"), list) and len(schema["allOf"]) == 1:
            siblings = {key: value for key, value in schema.items() if key != "allOf"}
            inner = _resolve(schema["allOf"][0], root)
            schema = {**inner, **siblings} if isinstance(inner, Mapping) else inner
        else:
            return schema
    raise ValueError("$ref chain too long")


def _pointer(root: Mapping[str, Any], ref: str) -> Schema:
    if not ref.startswith("#"):
        raise ValueError(f"only local $ref are supported, not {ref!r}")
    node: Any = root
    for token in filter(None, ref[1:].split("/")):
        node = node[token.replace("~1", "/").replace("~0", "~")]
    if not isinstance(node, Mapping | bool):
        raise ValueError(f"$ref {ref!r} does not point to a schema")
    return node


def _variants(schema: Mapping[str, Any], root: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    for keyword in ("anyOf", "oneOf"):
        if keyword in schema:
            resolved = [_resolve(item, root) for item in schema[keyword]]
            return [item if isinstance(item, Mapping) else {} for item in resolved if item]
    return [schema]


def _accepts_anything(schema: Schema) -> bool:
    if schema is True:
        return True
    return isinstance(schema, Mapping) and not (set(schema) - _ANNOTATIONS)


_JSON_TYPES: dict[type, str] = {
    str: "string",
    bool: "boolean",
    int: "integer",
    float: "number",
    type(None): "null",
    list: "array",
    dict: "object",
}


def _types(schema: Mapping[str, Any]) -> frozenset[str] | None:
    declared = schema.get("type")
    if isinstance(declared, str):
        return frozenset({declared})
    if isinstance(declared, list):
        return frozenset(declared)
    values = schema.get("enum", [schema["const"]] if "const" in schema else None)
    if values is not None:
        return frozenset(_JSON_TYPES.get(type(value), "object") for value in values)
    if "properties" in schema:
        return frozenset({"object"})
    if "items" in schema or "prefixItems" in schema:
        return frozenset({"array"})
    return None


def _missing(old: frozenset[str], new: frozenset[str]) -> frozenset[str]:
    return frozenset(
        kind for kind in old if kind not in new and not (kind == "integer" and "number" in new)
    )


def _describe(schema: Mapping[str, Any]) -> str:
    types = _types(schema)
    if "enum" in schema or "const" in schema:
        return _values(schema.get("enum", [schema.get("const")]))
    return _join(types) if types else "a value"


def _tightened(name: str, old: Any, new: Any) -> str:
    if old is None:
        return f"tightened constraint: {name} {new!r} added"
    return f"tightened constraint: {name} {old!r} → {new!r}"


def _join(types: frozenset[str]) -> str:
    return "/".join(sorted(types))


def _values(values: Sequence[Any]) -> str:
    return ", ".join(repr(value) for value in values)


def _join_path(where: str, name: str) -> str:
    return f"{where}.{name}" if where else name
