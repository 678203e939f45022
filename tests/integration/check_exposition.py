#!/usr/bin/python3
"""Checks a Prometheus text exposition strictly: parses it with the
prometheus_client library (Debian python3-prometheus-client) and requires
every metric family to appear once, its samples contiguous, and a counter's
samples to end in _total. Usage: check_exposition.py FILE. Exit 1 with one
line per problem."""
import sys

from prometheus_client.parser import text_string_to_metric_families


def main(path):
    text = open(path, encoding="utf-8").read()
    problems = []
    seen = {}
    families = 0
    for family in text_string_to_metric_families(text):
        families += 1
        if family.name in seen:
            problems.append(f"family {family.name} appears more than once "
                            f"(types {seen[family.name]} and {family.type}): its samples are split")
        seen[family.name] = family.type
        if family.type == "untyped":
            problems.append(f"family {family.name} has no TYPE line")
        for sample in family.samples:
            if family.type == "counter" and not (sample.name.endswith("_total") or
                                                 sample.name.endswith("_created")):
                problems.append(f"counter sample {sample.name} does not end in _total")
    for problem in problems:
        print("exposition:", problem)
    if not problems:
        print(f"exposition: {families} families, each once and contiguous")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
