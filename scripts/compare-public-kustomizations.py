#!/usr/bin/env python3
"""Builds every kustomization under the given roots with `kubectl kustomize` and with
`wavesync render --kustomize`, and reports how the two outputs compare, folder by folder.

Outcomes, per kustomization folder:

    same-bytes      the two outputs are identical
    same-parsed     they differ as text but are the same YAML (see below)
    different       a silent difference: both built, the objects differ
    refused         Wavesync refused it (the first line of its error is shown)
    kubectl-refused kubectl refused it: skipped, whatever Wavesync does
    timeout         one of the two did not finish within --timeout seconds

"Same YAML" is judged by kustomize itself, as the standard library has no YAML parser: each
output is read back by `kubectl kustomize` as the only resource of a temporary kustomization
(with `sortOptions: fifo`, so the order of objects still counts) and the reprinted texts are
compared.

Each root is treated as a repository: Wavesync runs from the root, so `../` paths within it work
and the errors name paths relative to it.

Usage:
    scripts/compare-public-kustomizations.py [--wavesync .build/debug/wavesync]
        [--kubectl kubectl] [--timeout 60] [--json] [--show-diff N] ROOT [ROOT ...]
"""

import argparse
import difflib
import json
import os
import re
import subprocess
import sys
import tempfile

KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
OUTCOMES = ("same-bytes", "same-parsed", "different", "refused", "kubectl-refused", "timeout")
# Folders never searched: version control and build output.
SKIPPED_FOLDERS = {".git", ".build", "node_modules"}


def kustomization_folders(root):
    """Every folder under root holding a kustomization file, sorted."""
    found = []
    for folder, subfolders, files in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if name not in SKIPPED_FOLDERS)
        if any(name in files for name in KUSTOMIZATION_NAMES):
            found.append(folder)
    return sorted(found)


def run(command, cwd, timeout):
    """(exit code, stdout, stderr) of the command; exit code None when it timed out."""
    try:
        done = subprocess.run(command, cwd=cwd, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, b"", b""
    return done.returncode, done.stdout, done.stderr


# kubectl's klog header: `E1202 10:02:26.900753    5088 run.go:72] "command failed" err=`.
KLOG_HEADER = re.compile(r'^[EWIF]\d{4} [\d:.]+\s+\d+ \S+\] "command failed" err=')


def first_error_line(stderr):
    """The first line of the message, without kubectl's klog header and warnings."""
    for line in stderr.decode("utf-8", "replace").splitlines():
        line = KLOG_HEADER.sub("", line.strip()).strip()
        if line in ("", "<") or line.startswith(("# Warning:", "Warning:")):
            continue  # `err=<` starts a message on the lines below
        return line
    return "(no message)"


def reprinted(output, kubectl, timeout):
    """The output as `kubectl kustomize` prints it after reading it back, or None if it cannot."""
    with tempfile.TemporaryDirectory(prefix="compare-kustomize-") as folder:
        with open(os.path.join(folder, "objects.yaml"), "wb") as file:
            file.write(output)
        with open(os.path.join(folder, "kustomization.yaml"), "w") as file:
            file.write("resources:\n- objects.yaml\nsortOptions:\n  order: fifo\n")
        code, stdout, _ = run([kubectl, "kustomize", folder], folder, timeout)
        return stdout if code == 0 else None


def compare(root, folder, args):
    """One result: {"folder", "outcome", and "error" or "diff" where they apply}."""
    relative = os.path.relpath(folder, root)
    result = {"folder": relative}
    code, expected, stderr = run([args.kubectl, "kustomize", relative], root, args.timeout)
    if code is None:
        return dict(result, outcome="timeout", error="kubectl did not finish")
    if code != 0:
        return dict(result, outcome="kubectl-refused", error=first_error_line(stderr))
    code, actual, stderr = run(
        [args.wavesync, "render", "--kustomize", relative], root, args.timeout)
    if code is None:
        return dict(result, outcome="timeout", error="wavesync did not finish")
    if code != 0:
        return dict(result, outcome="refused", error=first_error_line(stderr))
    if actual == expected:
        return dict(result, outcome="same-bytes")
    expected_parsed = reprinted(expected, args.kubectl, args.timeout)
    if expected_parsed is not None and expected_parsed == reprinted(
            actual, args.kubectl, args.timeout):
        return dict(result, outcome="same-parsed")
    diff = difflib.unified_diff(
        expected.decode("utf-8", "replace").splitlines(),
        actual.decode("utf-8", "replace").splitlines(),
        "kubectl", "wavesync", lineterm="", n=2)
    return dict(result, outcome="different", diff="\n".join(diff))


def totals(results):
    counts = {outcome: 0 for outcome in OUTCOMES}
    for result in results:
        counts[result["outcome"]] += 1
    return counts


def print_report(report, show_diff):
    for root in report["roots"]:
        print(f"== {root['root']}")
        for result in root["results"]:
            line = f"{result['outcome']:16} {result['folder']}"
            if "error" in result:
                line += f"  -- {result['error']}"
            print(line)
            if result["outcome"] == "different" and show_diff:
                for diff_line in result["diff"].splitlines()[:show_diff]:
                    print(f"    {diff_line}")
        print("   " + ", ".join(f"{name} {count}" for name, count in root["totals"].items()))
    print("total: " + ", ".join(f"{name} {count}" for name, count in report["totals"].items()))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("roots", nargs="+", metavar="ROOT")
    parser.add_argument("--wavesync", default=".build/debug/wavesync")
    parser.add_argument("--kubectl", default="kubectl")
    parser.add_argument("--timeout", type=float, default=60, help="seconds per build")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument(
        "--show-diff", type=int, default=0, metavar="N",
        help="print the first N lines of each difference")
    args = parser.parse_args()
    args.wavesync = os.path.abspath(args.wavesync)
    if not os.access(args.wavesync, os.X_OK):
        sys.exit(f"{args.wavesync} is not an executable: build Wavesync first (swift build)")

    report = {"roots": [], "totals": {}}
    for root in args.roots:
        root = os.path.abspath(root)
        if not os.path.isdir(root):
            sys.exit(f"{root} is not a folder")
        results = [compare(root, folder, args) for folder in kustomization_folders(root)]
        report["roots"].append({"root": root, "results": results, "totals": totals(results)})
    report["totals"] = totals([r for root in report["roots"] for r in root["results"]])

    if args.json:
        json.dump(report, sys.stdout, indent=2)
        print()
    else:
        print_report(report, args.show_diff)
    return 1 if report["totals"]["different"] else 0


if __name__ == "__main__":
    sys.exit(main())
