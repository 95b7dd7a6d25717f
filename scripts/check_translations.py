#!/usr/bin/env python3
"""Check translation files (`<slug>.<lang>.md`) against their originals.

A translation sits beside its original (`content/actors/volodymyr-zelensky.uk.md`
beside `volodymyr-zelensky.md`, `content/_index.uk.md` beside `_index.md`) and
may set only text fields; everything else is inherited from the original. This
script checks, for every translation under `content/`:

- the front matter is YAML between `---` lines and parses;
- only the text keys are set (typed data must not be repeated);
- `key_facts`, `reader_questions` and `changes` have the same length as the
  original's, and each item sets only its text keys;
- every `[[slug]]` / `[[slug|label]]` ref names an existing page, and the refs
  of each list item (and of the body) are the same slugs as the original's;
- `translated_from:` is left out (a command fills it in later).

With `--most-linked N` it instead lists the N actors, meetings and proposals
with the most incoming links (`[[refs]]` in any text plus typed front-matter
refs such as `participants`, `host`, `supporters`), which is how the pages to
translate first were chosen.

Usage: python3 scripts/check_translations.py [--root DIR] [--most-linked N]
Exit status: 0 clean, 1 problems found, 2 usage or I/O error.
"""

import argparse
import collections
import pathlib
import re
import sys

import yaml

TOP_LEVEL = {"title", "summary", "aliases", "role", "country", "key_facts",
             "reader_questions", "changes"}
ITEM_KEYS = {
    "key_facts": {"label", "value", "note"},
    "reader_questions": {"question", "answer"},
    "changes": {"text"},
}
ITEM_TEXT = {
    "key_facts": ("value", "note"),
    "reader_questions": ("answer",),
    "changes": ("text",),
}
REF = re.compile(r"\[\[([^\]|]+)(?:\|([^\]]*))?\]\]")
TRANSLATION = re.compile(r"^(?P<stem>[^.]+)\.(?P<lang>[a-z]{2,3}(?:-[A-Za-z]+)?)\.md$")


def split(path):
    """Front matter (parsed) and body of a `.md` file."""
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        raise ValueError("no front matter: the file must start with a '---' line")
    end = text.find("\n---", 4)
    if end < 0:
        raise ValueError("front matter is not closed by a '---' line")
    data = yaml.safe_load(text[4:end]) or {}
    if not isinstance(data, dict):
        raise ValueError("front matter is not a mapping")
    return data, text[end + 4:].lstrip("-\n")


def refs(text):
    """The slugs a piece of text links to, as a multiset (kind prefixes dropped)."""
    return collections.Counter(m.group(1).strip().split("/")[-1] for m in REF.finditer(text or ""))


def known_slugs(content):
    slugs = set()
    for path in content.rglob("*"):
        if path.suffix in (".md", ".yaml") and not TRANSLATION.match(path.name):
            slugs.add(path.name.split(".")[0])
    return slugs


def check_list(key, orig, tr, problems, warnings):
    if not isinstance(tr, list):
        problems.append(f"{key}: must be a list")
        return
    orig = orig or []
    if len(tr) != len(orig):
        problems.append(f"{key}: {len(tr)} items, the original has {len(orig)}")
    for i, (o, t) in enumerate(zip(orig, tr), 1):
        if not isinstance(t, dict):
            problems.append(f"{key}[{i}]: must be a mapping")
            continue
        extra = set(t) - ITEM_KEYS[key]
        if extra:
            problems.append(f"{key}[{i}]: sets {sorted(extra)}; only {sorted(ITEM_KEYS[key])} may be translated")
        for field in ITEM_TEXT[key]:
            if field in t and field not in o:
                warnings.append(f"{key}[{i}]: sets '{field}', which the original does not have")
            if field in o and field not in t:
                warnings.append(f"{key}[{i}]: '{field}' is not translated")
            if refs(t.get(field)) != refs(o.get(field)):
                warnings.append(f"{key}[{i}].{field}: refs {sorted(refs(t.get(field)))} differ from the original's {sorted(refs(o.get(field)))}")


def check_file(path, content, slugs):
    """Problems (errors) and warnings for one translation file."""
    problems, warnings = [], []
    m = TRANSLATION.match(path.name)
    original = next((path.with_name(m["stem"] + ext) for ext in (".md", ".yaml")
                     if path.with_name(m["stem"] + ext).exists()), None)
    if original is None:
        return [f"no original '{m['stem']}.md' beside it"], []
    try:
        tr, tr_body = split(path)
        orig, orig_body = split(original) if original.suffix == ".md" else (yaml.safe_load(original.read_text(encoding="utf-8")) or {}, "")
    except (ValueError, yaml.YAMLError) as err:
        return [f"YAML: {err}"], []
    orig_body = orig_body or orig.get("body", "")
    for key in tr:
        if key == "translated_from":
            warnings.append("translated_from: is filled in by a command; leave it out")
        elif key not in TOP_LEVEL:
            problems.append(f"{key}: not a text field; it is inherited from the original and must not be repeated")
    for key in ITEM_KEYS:
        if key in tr:
            check_list(key, orig.get(key), tr[key], problems, warnings)
    for key in ("title", "summary", "role", "country"):
        if key in tr and not isinstance(tr[key], str):
            problems.append(f"{key}: must be a string")
    all_text = [tr_body] + [str(v) for v in tr.values()]
    for slug in sorted(set().union(*(refs(t) for t in all_text)) - slugs):
        problems.append(f"[[{slug}]]: no page has this slug")
    if tr_body.strip() and refs(tr_body).keys() != refs(orig_body).keys():
        missing = sorted(refs(orig_body).keys() - refs(tr_body).keys())
        added = sorted(refs(tr_body).keys() - refs(orig_body).keys())
        warnings.append(f"body: refs differ from the original's (missing {missing}, added {added})")
    return problems, warnings


REF_KEYS_SKIPPED = {"tags", "title", "summary", "aliases", "date", "updated", "end_date",
                    "status", "type", "format", "url", "publisher", "author", "role",
                    "country", "label", "value", "note", "question", "answer", "text",
                    "outcome", "location", "components", "body", "image"}


def typed_refs(value, slugs):
    """Slugs named by typed front-matter keys (host, participants, sources...)."""
    if isinstance(value, str):
        slug = value.split("/")[-1]
        return [slug] if slug in slugs else []
    if isinstance(value, list):
        return [s for v in value for s in typed_refs(v, slugs)]
    if isinstance(value, dict):
        return [s for k, v in value.items() if k not in REF_KEYS_SKIPPED for s in typed_refs(v, slugs)]
    return []


def text_refs(value):
    """Slugs named by [[refs]] anywhere in a front-matter value."""
    if isinstance(value, str):
        return list(refs(value).elements())
    if isinstance(value, list):
        return [s for v in value for s in text_refs(v)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in text_refs(v)]
    return []


def most_linked(content, n):
    """Print the n most linked actors, meetings and proposals, ties broken by linking files."""
    kinds = {}
    for kind in ("actors", "meetings", "proposals", "sources", "pages"):
        for path in (content / kind).glob("*"):
            if not TRANSLATION.match(path.name):
                kinds[path.name.split(".")[0]] = kind
    links, linkers = collections.Counter(), collections.defaultdict(set)
    for path in content.rglob("*.md"):
        if TRANSLATION.match(path.name):
            continue
        data, body = split(path)
        me = path.name.split(".")[0]
        for slug in typed_refs(data, kinds) + text_refs(data) + list(refs(body).elements()):
            if slug in kinds and slug != me:
                links[slug] += 1
                linkers[slug].add(path)
    rows = sorted(((links[s], len(linkers[s]), kinds[s], s) for s in links
                   if kinds[s] in ("actors", "meetings", "proposals")), reverse=True)
    print("links files kind slug")
    for row in rows[:n]:
        print(*row)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", default=".", help="site root (holds content/)")
    parser.add_argument("--most-linked", type=int, metavar="N",
                        help="list the N most linked actors, meetings and proposals and exit")
    args = parser.parse_args()
    content = pathlib.Path(args.root) / "content"
    if not content.is_dir():
        print(f"error: {content} is not a directory", file=sys.stderr)
        return 2
    if args.most_linked:
        most_linked(content, args.most_linked)
        return 0
    slugs = known_slugs(content)
    files = sorted(p for p in content.rglob("*.md") if TRANSLATION.match(p.name))
    errors = 0
    for path in files:
        problems, warnings = check_file(path, content, slugs)
        for p in problems:
            print(f"{path}: error: {p}")
        for w in warnings:
            print(f"{path}: warning: {w}")
        errors += len(problems)
    print(f"{len(files)} translation files checked, {errors} errors")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
