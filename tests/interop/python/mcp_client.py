"""Drives `authprobe mcp` with the official MCP Python SDK ClientSession, for the tests of
crates/authprobe/tests/it/mcp_server.rs:

    python mcp_client.py --plan PLAN.json (--stdio BINARY | --http URL)

It connects, lists the tools, checks every input and output schema against the JSON
Schema 2020-12 meta-schema, then runs the plan's steps in order and prints one JSON line
`RESULT {...}` with what it saw. The SDK itself checks each structured result against
the tool's output schema.

Steps: {"call": NAME, "arguments": {...}} calls a tool (a string argument "${I.FIELD}"
stands for field FIELD of step I's structured result); {"ping": true} makes a round trip;
{"follow": I} opens the authorization URL of step I's login like the user's browser.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import urllib.request
from contextlib import asynccontextmanager
from typing import Any

import anyio
import jsonschema
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.client.streamable_http import streamable_http_client

PLACEHOLDER = re.compile(r"^\$\{(\d+)\.(\w+)\}$")


def substitute(value: Any, results: list[dict[str, Any]]) -> Any:
    if isinstance(value, str):
        m = PLACEHOLDER.match(value)
        if not m:
            return value
        structured = results[int(m.group(1))].get("structured") or {}
        return structured.get(m.group(2))
    if isinstance(value, list):
        return [substitute(v, results) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, results) for k, v in value.items()}
    return value


@asynccontextmanager
async def connect(args: argparse.Namespace):
    if args.stdio:
        params = StdioServerParameters(command=args.stdio, args=["mcp"])
        async with stdio_client(params) as (read, write):
            yield read, write
    else:
        async with streamable_http_client(args.http) as (read, write):
            yield read, write


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plan", required=True)
    parser.add_argument("--stdio")
    parser.add_argument("--http")
    args = parser.parse_args()
    with open(args.plan, encoding="utf-8") as f:
        plan = json.load(f)

    async with connect(args) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            listed = await session.list_tools()
            schema_errors = []
            for tool in listed.tools:
                for which, schema in (("input", tool.input_schema), ("output", tool.output_schema)):
                    try:
                        jsonschema.Draft202012Validator.check_schema(schema or {})
                    except jsonschema.SchemaError as e:
                        schema_errors.append(f"{tool.name} {which}: {e.message}")

            results: list[dict[str, Any]] = []
            for step in plan:
                if step.get("ping"):
                    await session.send_ping()
                    results.append({"ping": True})
                    continue
                if "follow" in step:
                    login = (results[step["follow"]].get("structured") or {}).get("login") or {}
                    url = login.get("authorization_url", "")
                    with urllib.request.urlopen(url, timeout=30) as response:  # follows redirects
                        response.read()
                        results.append({"followed": response.status})
                    continue
                started = time.monotonic()
                arguments = substitute(step.get("arguments", {}), results)
                try:
                    r = await session.call_tool(step["call"], arguments)
                    results.append(
                        {
                            "tool": step["call"],
                            "is_error": bool(r.is_error),
                            "text": "\n".join(c.text for c in r.content if c.type == "text"),
                            "structured": r.structured_content,
                            "ms": int((time.monotonic() - started) * 1000),
                        }
                    )
                except Exception as e:  # the test reads what was thrown
                    results.append({"tool": step["call"], "thrown": str(e)})

            report = {
                "server": init.server_info.model_dump(mode="json", exclude_none=True),
                "protocol_version": init.protocol_version,
                "tools": [
                    {
                        "name": t.name,
                        "has_output_schema": t.output_schema is not None,
                        "input_schema": t.input_schema,
                    }
                    for t in listed.tools
                ],
                "schema_errors": schema_errors,
                "results": results,
            }
            print("RESULT " + json.dumps(report), flush=True)


if __name__ == "__main__":
    try:
        anyio.run(main)
    except Exception as e:
        print(f"mcp_client.py: {e!r}", file=sys.stderr)
        sys.exit(1)
