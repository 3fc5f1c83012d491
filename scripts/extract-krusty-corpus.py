#!/usr/bin/env python3
"""Extracts kustomize's own krusty tests into fixtures/krusty-cases and records kubectl's output.

Reads api/krusty/*_test.go of kustomize (a git directory, at a tag), keeps every test whose files
are plain string literals written with th.WriteK / th.WriteC / th.WriteF and built with the
default options, and writes one case folder per th.Run / th.RunWithErr:

    fixtures/krusty-cases/<testfile>-<TestName>[-n]/input/...   the files the test wrote
    fixtures/krusty-cases/<testfile>-<TestName>[-n]/root        the directory the test built
    .../expected.yaml      stdout of `kubectl kustomize input/<root>` when kubectl builds it
    .../kubectl-error.txt  kubectl's stderr (normalised) when kubectl refuses it

Tests that use plugins, Helm, openapi, transformer or generator configs, remote resources,
non-default options or computed strings are skipped and listed with the reason (--verbose).

Usage:
    scripts/extract-krusty-corpus.py --git-dir <kustomize.git> [--rev api/v0.18.0]
        [--out fixtures/krusty-cases] [--kubectl kubectl] [--verbose]
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

KUSTOMIZATION_HEADER = "\napiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
COMPONENT_HEADER = "\napiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"

# Top-level kustomization fields that configure plugins, Helm, openapi or the transformers
# themselves: outside what this corpus is meant to cover.
SKIPPED_FIELDS = (
    "transformers",
    "generators",
    "validators",
    "openapi",
    "helmCharts",
    "helmGlobals",
    "helmChartInflationGenerator",
    "crds",
)

# th.<method> calls a test may make; anything else (MkDir, GetRoot, Reset, ...) skips the test.
ALLOWED_HARNESS_CALLS = {
    "WriteK",
    "WriteC",
    "WriteF",
    "Run",
    "RunWithErr",
    "MakeDefaultOptions",
    "MakeOptionsPluginsDisabled",
    "AssertActualEqualsExpected",
    "AssertActualEqualsExpectedNoIdAnnotations",
    "GetT",
    "Reset",
    "WriteLegacyConfigs",
}

DEFAULT_OPTIONS = {"th.MakeDefaultOptions()", "th.MakeOptionsPluginsDisabled()"}


class Skip(Exception):
    """A test outside the corpus, with the reason."""


def skip_string(source, i):
    """Index just past the Go string, raw string or rune literal starting at i."""
    quote = source[i]
    j = i + 1
    if quote == "`":
        end = source.index("`", j)
        return end + 1
    while j < len(source):
        c = source[j]
        if c == "\\":
            j += 2
            continue
        if c == quote:
            return j + 1
        if c == "\n":
            raise ValueError("unterminated literal")
        j += 1
    raise ValueError("unterminated literal")


def skip_comment(source, i):
    """Index just past the comment at i, or i when there is none."""
    if source.startswith("//", i):
        end = source.find("\n", i)
        return len(source) if end < 0 else end
    if source.startswith("/*", i):
        return source.index("*/", i + 2) + 2
    return i


def tokens(source, start=0):
    """(index, text) of each code character from start, and of each literal as one token;
    comments are left out."""
    j = start
    while j < len(source):
        after_comment = skip_comment(source, j)
        if after_comment != j:
            j = after_comment
            continue
        end = skip_string(source, j) if source[j] in "`\"'" else j + 1
        yield j, source[j:end]
        j = end


BRACKETS = {"(": ")", "{": "}", "[": "]"}


def matching_close(source, i):
    """Index of the bracket closing the one at i, skipping strings and comments."""
    stack = []
    for j, token in tokens(source, i):
        if token in BRACKETS:
            stack.append(BRACKETS[token])
        elif token in ")}]":
            if not stack or token != stack.pop():
                raise ValueError("unbalanced brackets")
            if not stack:
                return j
    raise ValueError("unbalanced brackets")


def split_arguments(text):
    """The top-level comma-separated arguments of a call's argument text."""
    arguments, start, depth = [], 0, 0
    for j, token in tokens(text):
        if token in BRACKETS:
            depth += 1
        elif token in ")}]":
            depth -= 1
        elif token == "," and depth == 0:
            arguments.append(text[start:j].strip())
            start = j + 1
    if text[start:].strip():
        arguments.append(text[start:].strip())
    return arguments


GO_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "\\": "\\",
    '"': '"',
    "'": "'",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
}


def interpreted_string(literal):
    """The value of a Go "..." literal (the escapes krusty tests use)."""
    body, out, j = literal[1:-1], [], 0
    while j < len(body):
        c = body[j]
        if c != "\\":
            out.append(c)
            j += 1
            continue
        e = body[j + 1]
        if e in GO_ESCAPES:
            out.append(GO_ESCAPES[e])
            j += 2
        elif e == "x":
            out.append(chr(int(body[j + 2 : j + 4], 16)))
            j += 4
        elif e == "u":
            out.append(chr(int(body[j + 2 : j + 6], 16)))
            j += 6
        else:
            raise Skip("string escape \\" + e)
    return "".join(out)


def string_value(expression):
    """The value of a Go string expression made only of literals joined with +."""
    parts, j, text = [], 0, expression.strip()
    expect_literal = True
    while j < len(text):
        c = text[j]
        if c.isspace():
            j += 1
            continue
        after_comment = skip_comment(text, j)
        if after_comment != j:
            j = after_comment
            continue
        if expect_literal and c in "`\"":
            end = skip_string(text, j)
            literal = text[j:end]
            if c == "`":
                # Go drops carriage returns from raw strings.
                parts.append(literal[1:-1].replace("\r", ""))
            else:
                parts.append(interpreted_string(literal))
            j = end
            expect_literal = False
        elif not expect_literal and c == "+":
            j += 1
            expect_literal = True
        else:
            raise Skip("computed string: " + text[:40].replace("\n", " "))
    if expect_literal:
        raise Skip("computed string: " + text[:40].replace("\n", " "))
    return "".join(parts)


def case_path(path):
    """A harness path (absolute or relative to the in-memory root) as a path under input/."""
    normal = os.path.normpath("/" + path).lstrip("/")
    if normal in ("", "."):
        return ""
    if normal.startswith(".."):
        raise Skip("path outside the file system root: " + path)
    return normal


def top_level_fields(text):
    return set(re.findall(r"^([A-Za-z][A-Za-z0-9]*)\s*:", text, re.MULTILINE))


def check_supported_by_corpus(name, content):
    """Skips files that need plugins, Helm, openapi, configs or the network."""
    if os.path.basename(name) in ("kustomization.yaml", "kustomization.yml", "Kustomization"):
        used = top_level_fields(content) & set(SKIPPED_FIELDS)
        if used:
            raise Skip("uses " + ", ".join(sorted(used)))
        if re.search(r"(https?://|github\.com/|git@|\?ref=)", content):
            raise Skip("remote resource")
    if "config.kubernetes.io/function" in content or "config.k8s.io/function" in content:
        raise Skip("KRM function")


def test_functions(source):
    """(name, body) of every `func TestX(t *testing.T) { ... }` in a Go file."""
    for match in re.finditer(r"^func (Test\w*)\(t \*testing\.T\) \{", source, re.MULTILINE):
        open_brace = match.end() - 1
        yield match.group(1), source[open_brace + 1 : matching_close(source, open_brace)]


def code_only(body):
    """The body with every literal emptied and comments dropped, for the checks on code."""
    return "".join('""' if len(token) > 1 else token for _, token in tokens(body))


def harness_helpers(source):
    """{name: body} of every `func name(th kusttest_test.Harness) { ... }` in a Go file."""
    helpers = {}
    for match in re.finditer(r"^func ([a-z]\w*)\(th kusttest_test\.Harness\) \{", source, re.MULTILINE):
        open_brace = match.end() - 1
        helpers[match.group(1)] = source[open_brace + 1 : matching_close(source, open_brace)]
    return helpers


def inline_helpers(body, helpers):
    """The body with every `helper(th)` statement replaced by the helper's own body."""
    for _ in range(8):  # helpers calling helpers, a few levels deep at most
        expanded = re.sub(
            r"^(\s*)([a-z]\w*)\(th\)\s*$",
            lambda m: m.group(1) + helpers[m.group(2)] if m.group(2) in helpers else m.group(0),
            body,
            flags=re.MULTILINE,
        )
        if expanded == body:
            return body
        body = expanded
    raise Skip("helpers nested too deeply")


# The text th.WriteLegacyConfigs writes: every section of kustomize's built-in field specs
# (api/internal/konfig/builtinpluginconsts), read from the kustomize checkout in main().
default_field_specs = ""


def builtin_field_specs(git, rev):
    """The built-in field specs of kustomize, each section as its Go raw string holds it."""
    folder = "api/internal/konfig/builtinpluginconsts/"
    order = git("show", "%s:%sdefaultconfig.go" % (rev, folder))
    names = re.findall(r"\[\]byte\((\w+)\)", order)
    constants = {}
    for path in git("ls-tree", "--name-only", rev, folder).split():
        for name, text in re.findall(r"(\w+)\s*=\s*`([^`]*)`", git("show", "%s:%s" % (rev, path))):
            constants[name] = text
    return "\n".join(constants[name] for name in names)


def runs_of(body, helpers):
    """The file trees a test builds: [(files, root, expects_error)], in order."""
    body = inline_helpers(body, helpers)
    code = code_only(body)
    # The enhanced harness only adds a plugin loader; with the calls allowed below (no
    # PrepBuiltin, PrepExecPlugin, ...) it builds as the default one does.
    if not re.search(r"\bth\s*:?=\s*kusttest_test\.Make(Enhanced)?Harness\(t\)", code):
        raise Skip("not the default harness")
    if len(re.findall(r"\bth\s*:?=", code)) != 1:
        raise Skip("several harnesses")
    if re.search(r"\bt\.Run\(", code):
        raise Skip("subtests")
    # Options changed from the defaults (opts.LoadRestrictions = ..., o.PluginConfig = ...).
    if re.search(r"\b\w+\.\w+(\.\w+)*\s*=[^=]", code):
        raise Skip("changes options or fields")
    # A helper given the harness writes files this script cannot see.
    if re.search(r"\b(?!th\b|MakeHarness\b|MakeEnhancedHarness\b)\w+\(\s*(th|t)\b\s*[,)]", code):
        raise Skip("helper function")
    files, runs = {}, []
    for call in re.finditer(r"\bth\.(\w+)\(", body):
        method = call.group(1)
        if method not in ALLOWED_HARNESS_CALLS:
            raise Skip("th." + method)
        if method in ("MakeDefaultOptions", "MakeOptionsPluginsDisabled", "GetT", "Reset"):
            continue
        open_paren = call.end() - 1
        arguments = split_arguments(body[open_paren + 1 : matching_close(body, open_paren)])
        if method == "WriteLegacyConfigs":
            # kustomize's built-in field specs, all sections in one file.
            (argument,) = arguments
            path = case_path(string_value(argument))
            files[path] = default_field_specs
            continue
        if method in ("WriteK", "WriteC", "WriteF"):
            if len(arguments) != 2:
                raise Skip("th.%s with %d arguments" % (method, len(arguments)))
            path, content = case_path(string_value(arguments[0])), string_value(arguments[1])
            if method == "WriteK":
                path, content = os.path.join(path, "kustomization.yaml"), KUSTOMIZATION_HEADER + content
            elif method == "WriteC":
                path, content = os.path.join(path, "kustomization.yaml"), COMPONENT_HEADER + content
            if not path:
                raise Skip("writes the root directory")
            check_supported_by_corpus(path, content)
            files[path] = content
        elif method in ("Run", "RunWithErr"):
            if len(arguments) != 2:
                raise Skip("th.%s with %d arguments" % (method, len(arguments)))
            options = arguments[1]
            if options not in DEFAULT_OPTIONS:
                assigned = re.findall(r"\b%s\s*:?=\s*(.*)" % re.escape(options), code)
                if not assigned or any(value.strip() not in DEFAULT_OPTIONS for value in assigned):
                    raise Skip("options " + options)
            runs.append((dict(files), case_path(string_value(arguments[0])), method == "RunWithErr"))
    if not runs:
        raise Skip("builds nothing")
    return runs


def normalised_error(stderr, case_dir):
    """kubectl's stderr without the parts that change from run to run (as regenerate.sh does)."""
    lines = []
    for line in stderr.splitlines(keepends=True):
        if line.startswith("# Warning:"):
            continue
        line = re.sub(r"^E\d{4} \d\d:\d\d:\d\d\.\d+\s+\d+ [\w.]+:\d+\] ", "", line)
        line = line.replace(case_dir, "$CASE")
        line = re.sub(r"\b0xc[0-9a-f]{6,}\b", "0xADDRESS", line)
        lines.append(line)
    return "".join(lines)


def record(case_dir, root, kubectl):
    """Runs kubectl kustomize on the case; writes expected.yaml or kubectl-error.txt."""
    target = os.path.join(case_dir, "input", root)
    result = subprocess.run(
        [kubectl, "kustomize", target], capture_output=True, text=True, timeout=120, check=False
    )
    if result.returncode == 0:
        with open(os.path.join(case_dir, "expected.yaml"), "w", encoding="utf-8", newline="") as f:
            f.write(result.stdout)
        return True
    with open(os.path.join(case_dir, "kubectl-error.txt"), "w", encoding="utf-8", newline="") as f:
        f.write(normalised_error(result.stderr, case_dir))
    return False


def write_case(out, name, files, root):
    case_dir = os.path.join(out, name)
    for path, content in sorted(files.items()):
        full = os.path.join(case_dir, "input", path)
        if os.path.isdir(full):
            raise Skip("file and directory share the path " + path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        with open(full, "w", encoding="utf-8", newline="") as f:
            f.write(content)
    os.makedirs(os.path.join(case_dir, "input"), exist_ok=True)
    if root:
        with open(os.path.join(case_dir, "root"), "w", encoding="utf-8") as f:
            f.write(root + "\n")
    return case_dir


def kustomize_version(kubectl):
    result = subprocess.run([kubectl, "version", "--client"], capture_output=True, text=True, check=False)
    match = re.search(r"Kustomize Version: (\S+)", result.stdout)
    return match.group(1) if match else "unknown"


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--git-dir", required=True, help="a clone (bare is fine) of kubernetes-sigs/kustomize")
    parser.add_argument("--rev", default="api/v0.18.0")
    parser.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "fixtures", "krusty-cases"))
    parser.add_argument("--kubectl", default="kubectl")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args()

    version = kustomize_version(args.kubectl)
    if version != "v5.5.0":
        print("warning: kubectl embeds kustomize %s; the corpus was made with v5.5.0" % version, file=sys.stderr)

    def git(*command):
        return subprocess.run(
            ["git", "--git-dir", args.git_dir, *command], capture_output=True, text=True, check=True
        ).stdout

    out = os.path.abspath(args.out)
    os.makedirs(out, exist_ok=True)
    # Only the generated case folders are replaced; README.md and the lists stay.
    for entry in os.listdir(out):
        if os.path.isdir(os.path.join(out, entry, "input")):
            shutil.rmtree(os.path.join(out, entry))

    global default_field_specs
    default_field_specs = builtin_field_specs(git, args.rev)
    test_files = sorted(
        path
        for path in git("ls-tree", "--name-only", args.rev, "api/krusty/").split()
        if path.endswith("_test.go")
    )
    sources = {path: git("show", "%s:%s" % (args.rev, path)) for path in test_files}
    helpers = {}
    for source in sources.values():
        helpers.update(harness_helpers(source))
    built = refused = skipped = 0
    for path, source in sources.items():
        prefix = os.path.basename(path)[: -len("_test.go")]
        for test, body in test_functions(source):
            try:
                runs = runs_of(body, helpers)
                staged = tempfile.mkdtemp(dir=out, prefix=".staging-")
                try:
                    for n, (files, root, _) in enumerate(runs, start=1):
                        name = "%s-%s" % (prefix, test) + ("-%d" % n if len(runs) > 1 else "")
                        write_case(staged, name, files, root)
                except Skip:
                    shutil.rmtree(staged)
                    raise
                for n, (files, root, _) in enumerate(runs, start=1):
                    name = "%s-%s" % (prefix, test) + ("-%d" % n if len(runs) > 1 else "")
                    os.rename(os.path.join(staged, name), os.path.join(out, name))
                    if record(os.path.join(out, name), root, args.kubectl):
                        built += 1
                    else:
                        refused += 1
                shutil.rmtree(staged)
            except Skip as reason:
                skipped += 1
                if args.verbose:
                    print("skipped %s %s: %s" % (prefix, test, reason), file=sys.stderr)
    print("krusty-cases: %d built by kubectl, %d refused by kubectl, %d tests skipped" % (built, refused, skipped))


if __name__ == "__main__":
    main()
