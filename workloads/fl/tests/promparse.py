"""Parse Prometheus text exposition with prometheus_client's parser."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families


def families(text: str) -> dict[str, object]:
    return {family.name: family for family in text_string_to_metric_families(text)}


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """{(sample name, sorted label pairs): value}."""
    out = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def value(text: str, name: str, **labels: str) -> float:
    key = (name, tuple(sorted(labels.items())))
    found = samples(text)
    if key not in found:
        raise KeyError(f"sample {name}{labels} not exported; have {sorted(k[0] for k in found)}")
    return found[key]
