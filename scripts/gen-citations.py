#!/usr/bin/env python3
"""Writes the section table the citation check runs on.

Usage: scripts/gen-citations.py [REFERENCE_DIR]

REFERENCE_DIR (default: ../shared/reference, relative to the repository root)
holds the specification texts: rfc/*.txt (RFCs, the OAuth 2.1 draft, OpenID
Connect Discovery) and mcp-spec/<revision>/ (MCP pages as Markdown, and the
revision's schema.json). The output is
crates/authprobe-core/src/citations/sections.tsv: document names, section
numbers, headings and titles only, never the text of a section. The output is
deterministic: the same texts give the same bytes.

Lines of the output (tab-separated):
  D <id> <name> <title> <source>      a document
  S <id> <number> <title>             a numbered section (RFCs, drafts, OIDC)
  H <id> <page-levels> <chain>        an MCP page (page-levels = chain length)
                                      or heading; chain levels are joined by
                                      " › ", alternative names of one level
                                      (page title, sidebar title, file name)
                                      by " | "
"""

import json
import os
import re
import sys

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(REPO, "crates", "authprobe-core", "src", "citations", "sections.tsv")

# Text documents that are not RFCs: file name -> (id, name, title override or None).
NON_RFC = {
    "draft-ietf-oauth-v2-1-15.txt": ("oauth21", "OAuth 2.1", "The OAuth 2.1 Authorization Framework (draft-ietf-oauth-v2-1-15)"),
    "openid-connect-discovery-1_0.txt": ("oidc-discovery", "OpenID Connect Discovery 1.0", None),
}

# A section heading in the body of an RFC-style text: at column 0, a number
# ("3.3." or, in v3 texts, "3.3."), or an appendix ("Appendix A." / "A.1.").
HEADING = re.compile(r"^(?:Appendix\s+)?((?:\d+|[A-Z])(?:\.\d+)*)\.?\s{1,4}(\S.*?)\s*$")
PAGE_FOOTER = re.compile(r"\[Page \d+\]\s*$")


def rfc_title(lines):
    """The title block: the first block of lines after the header block."""
    blocks, current = [], []
    for line in lines:
        if line.strip():
            current.append(line.strip())
        elif current:
            blocks.append(current)
            current = []
        if len(blocks) == 2:
            break
    if len(blocks) < 2:
        raise SystemExit("no title block after the header")
    # Drop the draft-name line of a draft's title block.
    return " ".join(b for b in blocks[1] if not re.fullmatch(r"[a-z0-9_.-]+", b))


def sort_key(number):
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in number.split("."))


def text_sections(lines):
    """Numbered section headings of the body, in document order.

    Only headings at column 0 count (the table of contents is indented), and a
    heading must come after the one before it in section order, which drops any
    stray line of body text that happens to start with a number."""
    sections = []
    last = None
    body_started = False
    for i, raw in enumerate(lines):
        line = raw.rstrip("\n").replace("\ufeff", "")
        if not body_started:
            # The body starts after the table of contents, at "1.  <title>" on column 0.
            if re.match(r"^1\.\s{1,4}\S", line):
                body_started = True
            else:
                continue
        if PAGE_FOOTER.search(line) or line.startswith(("RFC ", "Internet-Draft ")):
            continue
        m = HEADING.match(line)
        if not m:
            continue
        number, title = m.group(1), m.group(2)
        if "  " in title and re.search(r"\s{3,}", title):
            continue  # a running header or a table row, not a heading
        key = sort_key(number)
        if last is not None and key <= last:
            continue
        # A long title continues on the next line, aligned with its first word.
        column = len(line) - len(line[m.start(2):])
        nxt = lines[i + 1].rstrip("\n") if i + 1 < len(lines) else ""
        if nxt.strip() and len(nxt) - len(nxt.lstrip(" ")) == column and column > 3:
            title = title + " " + nxt.strip()
        last = key
        sections.append((number, " ".join(title.split())))
    return sections


def rfc_documents(rfc_dir):
    out = []
    for name in sorted(os.listdir(rfc_dir)):
        if not name.endswith(".txt"):
            continue
        path = os.path.join(rfc_dir, name)
        with open(path, encoding="utf-8") as f:
            lines = f.read().replace("\ufeff", "").replace("\f", "\n").split("\n")
        m = re.fullmatch(r"rfc(\d+)\.txt", name)
        if m:
            doc_id, doc_name, title = f"rfc{m.group(1)}", f"RFC {m.group(1)}", None
        elif name in NON_RFC:
            doc_id, doc_name, title = NON_RFC[name]
        else:
            raise SystemExit(f"unknown text {name}: add it to NON_RFC")
        title = title or rfc_title(lines)
        sections = text_sections(lines)
        if len(sections) < 3:
            raise SystemExit(f"{name}: only {len(sections)} sections found")
        out.append((doc_id, doc_name, title, f"rfc/{name}", sections))
    return out


def clean_heading(text):
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text)  # links keep their text
    text = text.replace("`", "").replace("*", "")
    return " ".join(text.split())


def frontmatter(lines):
    meta = {}
    if lines and lines[0].strip() == "---":
        for line in lines[1:]:
            if line.strip() == "---":
                break
            m = re.match(r"^(\w+):\s*(.*?)\s*$", line)
            if m:
                meta[m.group(1)] = m.group(2).strip("\"'")
    return meta


def level(*names):
    seen = []
    for n in names:
        n = clean_heading(n)
        if n and n.lower() not in [s.lower() for s in seen]:
            seen.append(n)
    for n in seen:
        if "|" in n or "›" in n or "\t" in n:
            raise SystemExit(f"heading {n!r} contains a separator")
    return " | ".join(seen)


def mcp_pages(rev_dir):
    """H rows of one revision: every page and every heading, with its chain."""
    rows = []
    for root, dirs, files in os.walk(rev_dir):
        dirs.sort()
        for name in sorted(files):
            if not name.endswith((".mdx", ".md")):
                continue
            path = os.path.join(root, name)
            rel = os.path.relpath(path, rev_dir)
            folders = rel.split(os.sep)[:-1]
            stem = os.path.splitext(name)[0]
            with open(path, encoding="utf-8") as f:
                lines = f.read().split("\n")
            meta = frontmatter(lines)
            page = [level(folder.replace("_", " ").replace("-", " ").title()) for folder in folders]
            names = [meta.get("title", ""), meta.get("sidebarTitle", "")]
            if stem != "index":
                names.append(stem.replace("_", " ").replace("-", " "))
            page.append(level(*names))
            if stem == "index" and folders:
                # An index page is its folder's page: "Authorization", not "Authorization › Authorization".
                page = page[:-2] + [level(*([page[-2]] + page[-1].split(" | ")))]
            rows.append((len(page), page))
            stack = []
            fenced = False
            for line in lines:
                if line.lstrip().startswith("```"):
                    fenced = not fenced
                    continue
                m = None if fenced else re.match(r"^(#{1,6})\s+(.*?)\s*#*\s*$", line)
                if not m:
                    continue
                depth = len(m.group(1))
                stack = [(d, t) for d, t in stack if d < depth]
                stack.append((depth, level(m.group(2))))
                rows.append((len(page), page + [t for _, t in stack]))
        # schema.json: its definitions are cited as "Schema › <Name>".
    schema = os.path.join(rev_dir, "schema.json")
    if os.path.exists(schema):
        with open(schema, encoding="utf-8") as f:
            doc = json.load(f)
        defs = doc.get("$defs") or doc.get("definitions") or {}
        page = [level("Schema", "schema.json")]
        rows.append((1, page))
        for name in sorted(defs):
            rows.append((1, page + [level(name)]))
    return rows


def main():
    default = os.path.join(REPO, "..", "shared", "reference")
    ref = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else default)
    if not os.path.isdir(ref):
        raise SystemExit(f"{ref}: no such directory (give the reference directory as the argument)")
    out = [
        "# The section table of the citation check: names, numbers and headings only.",
        "# Generated by scripts/gen-citations.py from the reference texts; do not edit.",
    ]
    for doc_id, name, title, source, sections in rfc_documents(os.path.join(ref, "rfc")):
        out.append("\t".join(["D", doc_id, name, title, source]))
        for number, sec_title in sections:
            out.append("\t".join(["S", doc_id, number, sec_title]))
    mcp = os.path.join(ref, "mcp-spec")
    for rev in sorted(os.listdir(mcp)):
        rev_dir = os.path.join(mcp, rev)
        if not os.path.isdir(rev_dir) or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", rev):
            continue
        doc_id = f"mcp-{rev}"
        out.append("\t".join(["D", doc_id, f"MCP {rev}", f"Model Context Protocol specification, revision {rev}", f"mcp-spec/{rev}"]))
        seen = set()
        for page_levels, chain in mcp_pages(rev_dir):
            row = "\t".join(["H", doc_id, str(page_levels), " › ".join(chain)])
            if row not in seen:
                seen.add(row)
                out.append(row)
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, "w", encoding="utf-8", newline="\n") as f:
        f.write("\n".join(out) + "\n")
    print(f"wrote {os.path.relpath(OUT, REPO)}: {len(out) - 2} rows")


if __name__ == "__main__":
    main()
