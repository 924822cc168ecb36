// Drives `authprobe mcp` with the official MCP TypeScript SDK Client, for the tests of
// crates/authprobe/tests/it/mcp_server.rs:
//
//   node mcp_client.mjs --plan PLAN.json (--stdio BINARY | --http URL)
//
// It connects, lists the tools, compiles every input and output schema, then runs the
// plan's steps in order and prints one JSON line `RESULT {...}` with what it saw. The
// SDK itself checks each structured result against the tool's output schema.
//
// Steps: {"call": NAME, "arguments": {...}, "cancel_after_ms": N?} calls a tool (a string
// argument "${I.FIELD}" stands for field FIELD of step I's structured result);
// {"ping": true} makes a round trip; {"follow": I} opens the authorization URL of step I's
// login like the user's browser (following every redirect); {"signal": WORD} prints `SIGNAL WORD` and waits for
// a line on standard input before going on.

import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { AjvJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/ajv';

const { values: args } = parseArgs({
  options: {
    plan: { type: 'string' },
    stdio: { type: 'string' },
    http: { type: 'string' },
  },
});

const plan = JSON.parse(readFileSync(args.plan, 'utf8'));
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();

function substitute(value, results) {
  if (typeof value === 'string') {
    const m = /^\$\{(\d+)\.(\w+)\}$/.exec(value);
    return m ? results[Number(m[1])]?.structured?.[m[2]] : value;
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, results));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, results)]));
  }
  return value;
}

const transport = args.stdio
  ? new StdioClientTransport({ command: args.stdio, args: ['mcp'], stderr: 'inherit' })
  : new StreamableHTTPClientTransport(new URL(args.http));
const client = new Client({ name: 'authprobe-interop-ts', version: '1.0.0' });
await client.connect(transport);

const listed = await client.listTools();
const validator = new AjvJsonSchemaValidator();
const schemaErrors = [];
for (const tool of listed.tools) {
  for (const [which, schema] of [['input', tool.inputSchema], ['output', tool.outputSchema]]) {
    try {
      validator.getValidator(schema);
    } catch (e) {
      schemaErrors.push(`${tool.name} ${which}: ${e.message}`);
    }
  }
}

const results = [];
for (const step of plan) {
  if (step.ping) {
    await client.ping();
    results.push({ ping: true });
  } else if (step.follow !== undefined) {
    const url = results[step.follow]?.structured?.login?.authorization_url;
    const response = await fetch(url);
    await response.arrayBuffer();
    results.push({ followed: response.status });
  } else if (step.signal) {
    console.log(`SIGNAL ${step.signal}`);
    await lines.next();
    results.push({ signal: step.signal });
  } else {
    const controller = new AbortController();
    const timer = step.cancel_after_ms
      ? setTimeout(() => controller.abort('cancelled by the test'), step.cancel_after_ms)
      : undefined;
    const started = Date.now();
    try {
      const r = await client.callTool(
        { name: step.call, arguments: substitute(step.arguments ?? {}, results) },
        undefined,
        { signal: controller.signal, timeout: 120000 },
      );
      results.push({
        tool: step.call,
        is_error: r.isError === true,
        text: r.content.filter((c) => c.type === 'text').map((c) => c.text).join('\n'),
        structured: r.structuredContent ?? null,
        ms: Date.now() - started,
      });
    } catch (e) {
      results.push({ tool: step.call, thrown: String(e?.message ?? e), ms: Date.now() - started });
    } finally {
      clearTimeout(timer);
    }
  }
}

const line =
  'RESULT ' +
  JSON.stringify({
      server: client.getServerVersion(),
      tools: listed.tools.map((t) => ({
        name: t.name,
        has_output_schema: !!t.outputSchema,
        input_schema: t.inputSchema,
      })),
      schema_errors: schemaErrors,
      results,
  }) +
  '\n';
// Written to the end before exiting: a pipe takes a long line in several writes.
await new Promise((resolve) => process.stdout.write(line, resolve));
await client.close();
process.exit(0);
