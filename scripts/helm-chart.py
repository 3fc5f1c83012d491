#!/usr/bin/env python3
"""Renders or lints a Helm chart with Helm's own engine (the PyPI package helm-python-sdk, which
binds Helm's Go SDK), offline: no cluster and no `helm` binary are needed.

Usage:
    scripts/helm-chart.py render CHART --release NAME --namespace NS
        [--values FILE]... [--set-json KEY=JSON]...
    scripts/helm-chart.py lint CHART [--values FILE]... [--set-json KEY=JSON]... [--namespace NS]

`render` prints the manifests as one YAML stream, templates in path order, each document preceded
by `# Source: PATH` (NOTES.txt and empty renders are left out; CRDs under crds/ are not templates
and are not printed). `lint` prints each finding as `SEVERITY PATH: MESSAGE` and exits 1 when any
is an error or a warning (strict, as `helm lint --strict`). Helm's errors go to stderr, exit 1.
"""

import argparse
import json
import re
import sys

import helm_python

SEVERITIES = {0: "unknown", 1: "info", 2: "warning", 3: "error"}
DOCUMENT_SEPARATOR = re.compile(r"^---[ \t]*$", re.MULTILINE)


def set_json(expression):
    """`a.b=JSON` as a (path, value) pair; the JSON is parsed here so that a bad one is named."""
    key, sep, text = expression.partition("=")
    if not sep or not key or any(not part for part in key.split(".")):
        raise argparse.ArgumentTypeError(f"expected KEY=JSON with KEY like a.b: {expression!r}")
    try:
        return key.split("."), json.loads(text)
    except json.JSONDecodeError as error:
        raise argparse.ArgumentTypeError(f"{key}: not JSON: {error}") from None


def merge(into, overrides):
    """Merges maps key by key, as Helm merges several values files; anything else replaces."""
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            merge(into[key], value)
        else:
            into[key] = value
    return into


def user_values(args):
    """The values given on the command line: the files in order, then each --set-json."""
    values = {}
    for path in args.values:
        with open(path, encoding="utf-8") as file:
            merge(values, helm_python.values_from_yaml(file.read()) or {})
    for path, value in args.set_json:
        node = values
        for part in path[:-1]:
            if not isinstance(node.get(part), dict):
                node[part] = {}
            node = node[part]
        node[path[-1]] = value
    return values


def render(args):
    with helm_python.Chart.load(args.chart) as chart:
        manifests = chart.render(
            user_values(args), name=args.release, namespace=args.namespace, is_install=True
        )
    documents = []
    for path in sorted(manifests):
        text = manifests[path].strip()
        if path.endswith("NOTES.txt") or not text:
            continue
        # A template may hold several documents; each gets its own source line, and those
        # holding only comments are left out.
        for document in DOCUMENT_SEPARATOR.split(text):
            document = document.strip()
            if any(
                line.strip() and not line.lstrip().startswith("#") for line in document.splitlines()
            ):
                documents.append(f"# Source: {path}\n{document}\n")
    sys.stdout.write("---\n".join(documents))
    return 0


def lint(args):
    report = helm_python.lint(args.chart, user_values(args), strict=True, namespace=args.namespace)
    failed = False
    for message in report.get("messages") or []:
        severity = message.get("severity", 0)
        failed = failed or severity >= 2
        name = SEVERITIES.get(severity, str(severity))
        print(f"{name} {message.get('path', '')}: {str(message.get('error', '')).strip()}")
    # Helm repeats each error finding in "errors"; the others (e.g. no chart there) are
    # failures of the lint itself.
    for error in report.get("errors") or []:
        if not any(error == m.get("error") for m in report.get("messages") or []):
            print(f"helm-chart: {str(error).strip()}", file=sys.stderr)
            failed = True
    return 1 if failed else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name, handler in (("render", render), ("lint", lint)):
        command = commands.add_parser(name)
        command.set_defaults(handler=handler)
        command.add_argument("chart", metavar="CHART", help="chart directory or .tgz")
        command.add_argument(
            "--values", "-f", action="append", default=[], metavar="FILE", help="YAML values file"
        )
        command.add_argument(
            "--set-json",
            action="append",
            default=[],
            type=set_json,
            metavar="KEY=JSON",
            help="set a (dotted, nested) key to a JSON value; after the files",
        )
        command.add_argument(
            "--namespace", required=name == "render", default="default", metavar="NS"
        )
        if name == "render":
            command.add_argument("--release", required=True, metavar="NAME")
    args = parser.parse_args()
    try:
        return args.handler(args)
    except (helm_python.HelmError, OSError) as error:
        print(f"helm-chart: {str(error).strip()}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
