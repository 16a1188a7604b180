"""YAML with anchors, aliases and merge keys (`<<: *defaults`), bounded once aliases are expanded.

An alias costs nothing to parse but everything after (validation, JSON for the Lambda, `cdk synth`) sees the
expanded document, so a few lines of nested aliases can stand for gigabytes. The events of the file are read
once, without building anything, adding up what each anchor would expand to; only a document within the bounds is
then loaded. Every problem is a `YamlError` with one line.

PyYAML is imported only when a YAML file is read (the Lambda code parses JSON).
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from functools import cache
from typing import Any

MAX_DEPTH = 64  # nested mappings and lists, aliases expanded
MAX_NODES = 100_000  # scalars, mappings and lists, each alias counted at full size every time it is used
MAX_CHARACTERS = 2_000_000  # characters of all scalars, aliases expanded


class YamlError(Exception):
    """One line saying what is wrong (and where, when the parser knows)."""


@dataclass(frozen=True)
class Extent:
    """What a node amounts to with its aliases expanded."""

    nodes: int
    characters: int
    depth: int


@dataclass
class _OpenNode:
    """A mapping or list whose end the parser has not reached: what it holds so far."""

    anchor: str | None
    nodes: int = 1
    characters: int = 0
    depth: int = 0

    def add(self, extent: Extent) -> None:
        self.nodes += extent.nodes
        self.characters += extent.characters
        self.depth = max(self.depth, extent.depth)

    def extent(self) -> Extent:
        return Extent(self.nodes, self.characters, self.depth + 1)


def load_yaml(text: str) -> Any:
    """The single document in `text`, refused (YamlError) beyond the bounds or on any YAML error."""
    import yaml

    loader = _bounded_loader()
    try:
        check_bounds(text)
        return yaml.load(text, Loader=loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1} column {mark.column + 1}: " if mark else ""
        raise YamlError(f"{where}YAML syntax error: {_one_line(exc.problem or exc.context)}") from None
    except yaml.YAMLError as exc:
        raise YamlError(f"YAML syntax error: {_one_line(exc)}") from None
    except (ValueError, OverflowError) as exc:  # a date like 2024-02-30, an integer of more than 4,300 digits
        raise YamlError(f"a value YAML cannot represent: {_one_line(exc)}") from None


def check_bounds(text: str) -> None:
    """Walk the parser's events, adding up each node's expanded size; YamlError at the first bound crossed.

    `nodes` and `characters` run over the whole document (each event counted once, an alias at its anchor's
    full size); each open node also keeps its own sums for when an anchor on it is used later.
    """
    import yaml

    anchors: dict[str, Extent] = {}
    stack: list[_OpenNode] = [_OpenNode(anchor=None)]  # the stream
    nodes = characters = 0
    event: Any
    for event in yaml.parse(text, Loader=_bounded_loader()):
        kind = type(event)
        if kind is yaml.ScalarEvent:
            extent = Extent(1, len(event.value), 1)
            if event.anchor is not None:
                anchors[event.anchor] = extent
        elif kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
            stack.append(_OpenNode(anchor=event.anchor))
            nodes += 1
            if len(stack) - 1 > MAX_DEPTH:
                raise YamlError(f"line {_line(event)}: nested more than {MAX_DEPTH} levels deep")
            continue
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            node = stack.pop()
            extent = node.extent()
            if node.anchor is not None:
                anchors[node.anchor] = extent
            stack[-1].add(extent)  # already counted in the running sums, child by child
            continue
        elif kind is yaml.AliasEvent:
            extent = _alias_extent(event, anchors, stack)
            if len(stack) - 1 + extent.depth > MAX_DEPTH:
                raise YamlError(
                    f"line {_line(event)}: nested more than {MAX_DEPTH} levels deep once aliases are expanded"
                )
        else:
            continue
        stack[-1].add(extent)
        nodes += extent.nodes
        characters += extent.characters
        if nodes > MAX_NODES:
            raise YamlError(f"line {_line(event)}: expands to more than {MAX_NODES} values once aliases are expanded")
        if characters > MAX_CHARACTERS:
            raise YamlError(
                f"line {_line(event)}: expands to more than {MAX_CHARACTERS} characters once aliases are expanded"
            )


def _alias_extent(event: Any, anchors: dict[str, Extent], stack: list[_OpenNode]) -> Extent:
    if any(node.anchor == event.anchor for node in stack):
        raise YamlError(f"line {_line(event)}: the alias *{event.anchor} is inside the node it refers to (a cycle)")
    return anchors.get(event.anchor, Extent(0, 0, 0))  # an undefined alias: the loader reports it


def _line(event: Any) -> int:
    return event.start_mark.line + 1 if event.start_mark else 0


@cache
def _bounded_loader() -> Any:
    """libyaml's SafeLoader (PyYAML's when libyaml is missing) refusing repeated keys, keeping merge keys."""
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class UniqueKeyLoader(base):  # type: ignore[misc, valid-type]
        pass

    UniqueKeyLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    return UniqueKeyLoader


def _construct_mapping(loader: Any, node: Any) -> dict[Any, Any]:
    """A mapping whose own keys are unique; keys a merge (`<<`) brings in may be overridden, as YAML says."""
    import yaml

    seen: set[Any] = set()
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node)
        mark = key_node.start_mark
        if not isinstance(key, Hashable):
            raise yaml.constructor.ConstructorError(None, None, "a mapping key must be a plain value", mark)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r} (line {mark.line + 1})", mark)
        seen.add(key)
    loader.flatten_mapping(node)
    return dict(loader.construct_mapping(node))


def _one_line(message: object) -> str:
    return " ".join(str(message).split())
