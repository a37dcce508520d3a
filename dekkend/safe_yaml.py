"""YAML from users (scenarios, regions) read with limits: no alias bombs, no deep nesting, no huge
files.

``yaml.safe_load`` builds no Python objects, but it still expands aliases: ten nested
anchors of ten aliases each are a few hundred bytes that expand to ten billion
strings, and 100,000 nested ``[`` exhaust Python's recursion. :func:`load` checks the
event stream (size, depth, aliases) and the expanded size of the node graph before
building anything. Its errors are :class:`yaml.YAMLError`, so callers keep their own
Dutch message for bad YAML. The limits are dekkend's own choice: a scenario or region
file is a few kB, nested a few levels, and needs no aliases at all.

"""

from __future__ import annotations

import yaml

#: Largest YAML text accepted, in characters.
MAX_CHARS = 1_000_000
#: Deepest nesting of lists and mappings.
MAX_DEPTH = 50
#: Most aliases (``*naam``) in one document.
MAX_ALIASES = 100
#: Most values after expanding every alias.
MAX_NODES = 100_000


class YamlTeGroot(yaml.YAMLError):
    """A YAML text over one of the limits; ``problem`` is the Dutch reason."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem
        self.problem_mark = None


def _check_events(text: str) -> None:
    depth = aliases = 0
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise YamlTeGroot(f"te diep genest (meer dan {MAX_DEPTH} niveaus)")
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_ALIASES:
                raise YamlTeGroot(f"te veel verwijzingen (*alias, meer dan {MAX_ALIASES})")


def _expanded_size(node: yaml.Node, memo: dict[int, int]) -> int:
    key = id(node)
    if key in memo:
        return memo[key]
    memo[key] = 1  # a cycle counts once (the safe constructor builds it without expanding)
    size = 1
    if isinstance(node, yaml.SequenceNode):
        size += sum(_expanded_size(child, memo) for child in node.value)
    elif isinstance(node, yaml.MappingNode):
        size += sum(_expanded_size(k, memo) + _expanded_size(v, memo) for k, v in node.value)
    memo[key] = min(size, MAX_NODES + 1)
    return memo[key]


def load(text: str) -> object:
    """Parse one YAML document safely, within the limits above (raises :class:`yaml.YAMLError`)."""
    if len(text) > MAX_CHARS:
        raise YamlTeGroot(f"het bestand is te groot (meer dan {MAX_CHARS:,} tekens)".replace(",", "."))
    _check_events(text)
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    if node is not None and _expanded_size(node, {}) > MAX_NODES:
        raise YamlTeGroot(f"de verwijzingen (*alias) breiden uit tot meer dan {MAX_NODES:,} waarden".replace(",", "."))
    return yaml.safe_load(text)
