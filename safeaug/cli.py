"""The command line: ``safeaug lint``, ``explain``, ``policies``, ``rules``, ``schema``, ``auto``.

Four steps, like every CI tool worth trusting: parse arguments, build the checker, run it, report.
Findings are data; exit codes say 0 clean, 1 error findings, 2 usage or unreadable input.
Imports are made where they are needed, so that ``safeaug lint`` loads only what linting uses.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from typing import TextIO

FORMATS = ("text", "json", "sarif", "github")


def _codes(value: str | None, flag: str) -> list[str] | None:
    """``--select``/``--ignore`` codes; ``ALL`` means every code. Bad codes raise ``SettingsError``."""
    from safeaug.lint.settings import parse_codes

    if value is None:
        return None
    return list(parse_codes(value, flag))


def _jobs(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of processes, got {value!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"expected 0 (one per CPU) or more processes, got {n}")
    return n or os.cpu_count() or 1


def _add_set(parser: argparse.ArgumentParser, example: str) -> None:
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        dest="params",
        help=f"a policy parameter, e.g. --set {example} (repeatable)",
    )


def build_parser() -> argparse.ArgumentParser:
    from safeaug import __version__

    parser = argparse.ArgumentParser(prog="safeaug", description="Domain-aware checks for augmentation pipelines.")
    parser.add_argument("--version", action="version", version=f"safeaug {__version__}")
    sub = parser.add_subparsers(dest="command")
    lint_p = sub.add_parser(
        "lint",
        help="check pipeline configs against a policy",
        description="Check pipeline configs (.json, .yaml, .yml, .py) against a policy. Exit code 0: no error "
        "finding; 1: error findings; 2: usage error or unreadable input (other files are still checked).",
    )
    lint_p.add_argument(
        "paths", nargs="+", metavar="PATH", help="files or folders (.json, .yaml, .yml, .py); `-` reads standard input"
    )
    lint_p.add_argument(
        "--stdin-filename",
        metavar="NAME",
        help="the file name standard input stands for (its suffix picks the reader; settings match it)",
    )
    lint_p.add_argument("--policy", help="a built-in policy id or a policy file (overrides [tool.safeaug])")
    _add_set(lint_p, "smallest_object_px=16")
    lint_p.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    lint_p.add_argument(
        "--select", metavar="CODES", help="only these codes or prefixes, e.g. SA1,SA201 (ALL: every code)"
    )
    lint_p.add_argument("--ignore", metavar="CODES", help="leave out these codes or prefixes")
    lint_p.add_argument("--config", metavar="PYPROJECT", help="the pyproject.toml to read [tool.safeaug] from")
    lint_p.add_argument(
        "--input-size",
        metavar="HxW",
        help="height x width in px of the images entering the pipelines (e.g. 1024x1024): crops, shifts and "
        "resizes in pixels are then judged exactly (overrides input-size in [tool.safeaug])",
    )
    lint_p.add_argument(
        "--show-suppressed", action="store_true", help="also list findings that inline comments suppressed"
    )
    lint_p.add_argument(
        "--trust-recorded-policies",
        action="store_true",
        default=None,
        help="judge a saved pipeline by the policy definition it records when none is configured for its file "
        "(a recorded built-in id is used without this)",
    )
    lint_p.add_argument(
        "--jobs",
        "-j",
        type=_jobs,
        default=1,
        metavar="N",
        help="read and judge files in N processes (0: one per CPU); output is the same as with 1 (default: 1)",
    )
    sub.add_parser("policies", help="list the built-in policies")
    explain_p = sub.add_parser("explain", help="explain a rule code (SA101) or a policy (chest_xray)")
    explain_p.add_argument("target", metavar="CODE|POLICY")
    _add_set(explain_p, "laterality_in_label=true")
    auto_p = sub.add_parser(
        "auto",
        help="write a RandAugment/TrivialAugment config derived from a policy",
        description="Write an A.save config (YAML or JSON, by the extension of FILE) holding a RandAugment or "
        "TrivialAugment whose op space and magnitudes come from POLICY; "
        "`safeaug lint FILE --policy POLICY` accepts it.",
    )
    auto_p.add_argument("policy", metavar="POLICY", help="a built-in policy id or a policy file")
    auto_p.add_argument("--method", choices=("rand", "trivial"), default="rand", help="default: rand")
    auto_p.add_argument("--n", type=int, default=2, help="ops per image (rand; default 2)")
    auto_p.add_argument("--m", type=float, default=9, help="magnitude bin, 0 to 30 of 31 (rand; default 9)")
    _add_set(auto_p, "smallest_object_px=16")
    auto_p.add_argument("-o", "--output", required=True, metavar="FILE", help="where to write (.json, .yaml, .yml)")
    sub.add_parser("rules", help="list every rule code")
    sub.add_parser("schema", help="print the JSON Schema of policy files")
    sub.add_parser(
        "review",
        help="a page of a pipeline's extremes for experts; `review apply`, `review agreement` "
        "(see `safeaug review -h`)",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    try:
        return _main(argv)
    except SystemExit as exc:  # argparse: --help (0) or a usage error (2)
        return exc.code if isinstance(exc.code, int) else 2
    except BrokenPipeError:  # `safeaug ... | head`: the reader left; that is not an error
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keep interpreter shutdown from writing again
        return 0


def _main(argv: Sequence[str] | None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["review"]:  # its own sub-commands and options: safeaug/review/cli.py
        from safeaug.review.cli import main as review

        return review(argv[1:])
    parser = build_parser()
    args = parser.parse_args(argv)
    out = sys.stdout
    if args.command is None:  # bare `safeaug`: say what it can do
        parser.print_help(out)
        return 0
    if args.command == "lint":
        return _lint(args, out)
    if args.command == "auto":
        from safeaug.auto.command import run_auto

        return run_auto(args)
    if args.command == "policies":
        from safeaug.policies import list_policies, load_policy

        for pid in list_policies():
            out.write(f"{pid:<16} {load_policy(pid).title}\n")
        return 0
    if args.command == "rules":
        from safeaug.rules import all_codes

        for code, title in all_codes().items():
            out.write(f"{code}  {title}\n")
        return 0
    if args.command == "schema":
        import json

        from safeaug.policy import policy_json_schema

        json.dump(policy_json_schema(), out, indent=2, ensure_ascii=False)
        out.write("\n")
        return 0
    return _explain(args.target, out, args.params)


def _lint(args: argparse.Namespace, out: TextIO) -> int:
    from safeaug.lint import lint
    from safeaug.lint.settings import SettingsError, parse_input_size, parse_param
    from safeaug.report.stream import REPORTERS, STREAMED, Stream

    # Text, JSON and GitHub output is written file by file; SARIF is written whole at the end.
    stream = Stream(args.format, out, show_suppressed=args.show_suppressed) if args.format in STREAMED else None
    try:
        params = dict(parse_param(p) for p in args.params)
        size = parse_input_size(args.input_size, "--input-size") if args.input_size else None
        stdin = None
        if "-" in args.paths:
            stdin = sys.stdin.read()
        elif args.stdin_filename is not None:
            raise SettingsError("--stdin-filename names what `-` (standard input) stands for; no `-` was given")
        result = lint(
            args.paths,
            policy=args.policy,
            params=params,
            select=_codes(args.select, "--select"),
            ignore=_codes(args.ignore, "--ignore"),
            config=args.config,
            input_size=size,
            trust_recorded=args.trust_recorded_policies,
            stdin=stdin,
            stdin_filename=args.stdin_filename,
            jobs=args.jobs,
            on_file=None if stream is None else stream.file,
        )
    except SettingsError as exc:
        print(f"safeaug: error: {exc}", file=sys.stderr)
        return 2
    if stream is None:
        REPORTERS[args.format](result, out, show_suppressed=args.show_suppressed)
    else:
        stream.end(result)
    return result.exit_code


def _explain(target: str, out: TextIO, raw_params: Sequence[str] = ()) -> int:
    from safeaug.rules import RULE_DOCS, explain_text

    code = target.upper()
    if code in RULE_DOCS:
        out.write(explain_text(code))
        return 0
    from safeaug.errors import PolicyError
    from safeaug.lint.settings import SettingsError, parse_param
    from safeaug.policies import list_policies, load_policy
    from safeaug.policies.describe import describe_policy

    try:
        params = dict(parse_param(p) for p in raw_params)
    except SettingsError as exc:
        print(f"safeaug: error: {exc}", file=sys.stderr)
        return 2
    try:
        policy = load_policy(target, **params)
    except PolicyError as exc:
        if params or target in list_policies():
            print(f"safeaug: error: {exc}", file=sys.stderr)
            return 2
        print(
            f"safeaug: error: {target!r} is neither a rule code (`safeaug rules`) nor a policy "
            f"(`safeaug policies`): {exc}",
            file=sys.stderr,
        )
        return 2
    out.write(describe_policy(policy))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
