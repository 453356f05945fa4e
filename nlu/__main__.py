"""Command line: classify, train, normalise-data, dictionary.

`python -m nlu classify [--model PATH] [--now YYYY-MM-DDTHH:MM]` reads one message per
line on stdin and writes one JSON object per line on stdout, and nothing else there.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import re
import sys
from pathlib import Path


def classify(args: argparse.Namespace) -> int:
    from nlu.model import ensure_model
    from nlu.understand import Understanding, empty_result

    # Banners and logs of the libraries go to stderr; stdout carries JSON lines only.
    with contextlib.redirect_stdout(sys.stderr):
        model = Path(args.model) if args.model else ensure_model()
        understanding = Understanding(model)
    now = dt.datetime.strptime(args.now, "%Y-%m-%dT%H:%M") if args.now else None
    for line in sys.stdin:
        text = line.rstrip("\n")
        try:
            with contextlib.redirect_stdout(sys.stderr):
                result = understanding.parse(text, now)
        except Exception as error:  # one bad line must not end the stream
            print(f"classify: {error!r} on {text[:40]!r}", file=sys.stderr)
            result = empty_result(text)
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return 0


def console(args: argparse.Namespace) -> int:
    """Show what is understood of each typed line (until the dialogue exists)."""
    from nlu.model import ensure_model
    from nlu.understand import Understanding

    with contextlib.redirect_stdout(sys.stderr):
        understanding = Understanding(Path(args.model) if args.model else ensure_model())
    print("输入一句话，回车后显示理解结果；Ctrl-D 退出。", flush=True)
    while True:
        try:
            text = input("> ")
        except EOFError:
            return 0
        result = understanding.parse(text)
        category = f" / {result['category']}" if result["category"] else ""
        print(f"  意图 {result['intent']}{category}  置信度 {result['confidence']:.2f}")
        if len(result["categories"]) > 1:
            print(f"  类别 {', '.join(result['categories'])}")
        for entity in result["entities"]:
            part = f" ({entity['part']})" if entity.get("part") else ""
            print(f"  {entity['entity']}: {entity['value']}{part}", flush=True)


def train(args: argparse.Namespace) -> int:
    from nlu.model import ensure_model

    print(ensure_model(force=args.force))
    return 0


_EXAMPLE = re.compile(r"^(\s*- )(.*)$")


def normalise_data(args: argparse.Namespace) -> int:
    """Rewrite training examples in normal form, dropping duplicates it creates."""
    from nlu.normalise import normalise

    for name in args.files:
        path = Path(name)
        out, seen, in_examples = [], set(), False
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip().startswith("examples: |"):
                in_examples, seen = True, set()
            elif in_examples and (match := _EXAMPLE.match(line)):
                text = normalise(match.group(2))
                if not text or text in seen:
                    continue
                seen.add(text)
                line = match.group(1) + text
            elif line.strip():
                in_examples = False
            out.append(line)
        path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return 0


def dictionary(args: argparse.Namespace) -> int:
    from nlu.gazetteer import jieba_dictionary

    sys.stdout.write(jieba_dictionary())
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nlu")
    commands = parser.add_subparsers(dest="command", required=True)
    p = commands.add_parser("classify", help="JSON lines for messages on stdin")
    p.add_argument("--model")
    p.add_argument("--now", help="Asia/Shanghai local time, YYYY-MM-DDTHH:MM")
    p.set_defaults(run=classify)
    p = commands.add_parser("console", help="type messages, see what is understood")
    p.add_argument("--model")
    p.set_defaults(run=console)
    p = commands.add_parser("train", help="train the model unless it is up to date")
    p.add_argument("--force", action="store_true")
    p.set_defaults(run=train)
    p = commands.add_parser("normalise-data", help="rewrite training files in normal form")
    p.add_argument("files", nargs="+")
    p.set_defaults(run=normalise_data)
    p = commands.add_parser("dictionary", help="print the generated jieba dictionary")
    p.set_defaults(run=dictionary)
    args = parser.parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
