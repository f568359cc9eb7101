"""The library's commands: `pathways` (list the packs), `check PACK` (an author's first reader) and `pack new ID`.

`pathways` lists every pack that loads and names each one that does not on stderr (file, path, reason): one bad
pack never hides the others, so it exits 0 unless `--strict` is given and some pack is broken (then 1).
`check` exits 0 when the pack is clean, 1 with one line per problem, 2 when the folder is not a pack; it only
reads. `pack new` refuses a folder that exists.
"""

import argparse
import datetime
import json
import sys
from pathlib import Path

from core.engine.guideline import load_guideline
from core.engine.packs import PACKS_DIR, resolve_pack
from core.errors import PathwayError, Problem
from core.review.new_pack import TEMPLATE_DIR, new_pack
from core.review.pack_check import PackSummary, check_pack, library


def _named_pack(name: str, argument: str) -> Path:
    """The pack folder `name` (an id or a folder); PathwayError naming the argument when it is not a pack."""
    if not Path(name).exists() and ("/" in name or name.startswith(".")):
        raise PathwayError([Problem(field=argument, message=f"{name}: no such folder")])
    try:
        return resolve_pack(name)
    except PathwayError as exc:
        raise PathwayError([Problem(field=argument, message=p.message) for p in exc.problems]) from None


def problem_record(problem: Problem) -> dict[str, str]:
    """A problem as {file, path, message}: a problem's field is `file: path` (or the file alone)."""
    file, _, path = problem.field.partition(": ")
    return {"file": file, "path": path, "message": problem.message}


def pack_text(pack: PackSummary) -> str:
    return (
        f"{pack.id}  {pack.version} ({pack.status})\n"
        f"  {pack.title}\n"
        f"  question: {pack.question}\n"
        f"  source:   {pack.source['url']} (updated {pack.source['updated']})\n"
        f"  scope:    {pack.scope}\n"
        f"  {pack.rules} rules, {len(pack.dispositions)} dispositions, {len(pack.fields)} fields, "
        f"{pack.scenarios} scenarios, {pack.statements} statements; folder {pack.path}\n"
    )


def _pathways(args: argparse.Namespace) -> int:
    listing = library(PACKS_DIR)
    if args.format == "json":
        print(json.dumps([p.model_dump(mode="json") for p in listing.packs], indent=2))
    else:
        print("\n".join(pack_text(p) for p in listing.packs), end="")
    for problem in listing.problems:
        print(f"error: {problem}", file=sys.stderr)
    return 1 if args.strict and listing.problems else 0


def _check(args: argparse.Namespace) -> int:
    folder = _named_pack(args.pack, "PACK")
    problems = check_pack(folder)
    if args.format == "json":
        print(json.dumps([problem_record(p) for p in problems], indent=2))
    elif problems:
        print("\n".join(str(p) for p in problems))
    if problems:
        print(f"{args.pack}: {len(problems)} problem{'s' if len(problems) != 1 else ''}", file=sys.stderr)
        return 1
    if args.format == "text":
        g = load_guideline(folder)
        p = g.pathway
        print(f"{args.pack}: clean")
        print(
            f"{g.info.id} {g.info.version} ({g.info.status}): {len(p.rules)} rules, {len(p.dispositions)} "
            f"dispositions, {len(g.scenarios)} scenarios, {len(g.statements)} statements, {len(g.fields)} fields"
        )
    return 0


def _pack_new(args: argparse.Namespace) -> int:
    source = _named_pack(args.source, "--from") if args.source else TEMPLATE_DIR
    target = Path(args.dir) if args.dir else PACKS_DIR / args.id
    new_pack(args.id, source, target, datetime.date.today())
    print(f"wrote {target}: edit its files, then run `python -m core check {target}`")
    return 0


def add_library_commands(commands: "argparse._SubParsersAction[argparse.ArgumentParser]") -> None:
    pathways = commands.add_parser(
        "pathways",
        help="the packs of the library (packs that fail to load are named on stderr)",
        description="One entry per pack under data/packs/. A pack that fails to load is named on stderr with "
        "file, path and reason, and the others still list; exit 0, or 1 with --strict when a pack is broken.",
    )
    pathways.add_argument("--format", choices=["text", "json"], default="text")
    pathways.add_argument("--strict", action="store_true", help="exit 1 when any pack fails to load")
    pathways.set_defaults(run=_pathways)

    check = commands.add_parser(
        "check",
        help="check a pack and name every problem as `file: path: message` (exit 1 on any; never writes)",
        description="Exit 0 when the pack is clean, 1 with one line per problem, 2 when PACK is not a pack.",
    )
    check.add_argument("pack", metavar="PACK", help="the id of a pack under data/packs/, or a pack folder")
    check.add_argument("--format", choices=["text", "json"], default="text")
    check.set_defaults(run=_check)

    pack = commands.add_parser("pack", help="start a new pack (pack new ID)")
    pack_commands = pack.add_subparsers(dest="pack_command", required=True)
    new = pack_commands.add_parser(
        "new",
        help="write a new draft pack to start from (never overwrites)",
        description="A copy of the template (or of --from) named ID, version 0.1.0, status draft, with a one-entry "
        "changelog, no version lock and no demo data.",
    )
    new.add_argument("id", metavar="ID", help="the new pack's id: lower-case words joined by hyphens")
    new.add_argument("--from", dest="source", metavar="ID_OR_DIR", help="copy this pack instead of the template")
    new.add_argument("--dir", metavar="DIR", help="the folder to create (default: data/packs/ID)")
    new.set_defaults(run=_pack_new)
