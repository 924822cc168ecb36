// Runs the official MCP TypeScript SDK's own client (Client + StreamableHTTPClientTransport
// with an OAuthClientProvider) against MCP servers, as a user's program would, and reports
// how far it got: a token the server accepted, or the error the SDK raised.
//
// Usage: node client.mjs <name>=<mcp url> ...
// Prints one JSON object per target on stdout:
//   {"target": name, "client": "typescript-sdk", "outcome": "in"|"fails", "message": "..."}
// The authorization step needs no person: the lab's authorization endpoint approves at once,
// so the redirect is read from its Location header and handed back to the transport.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';

const REDIRECT = 'http://127.0.0.1:53682/callback';
const PER_TARGET_MS = 20000;

class MemoryProvider {
  constructor() {
    this.saved = {};
    this.authorizationUrl = undefined;
  }
  get redirectUrl() {
    return REDIRECT;
  }
  get clientMetadata() {
    return {
      client_name: 'authprobe truth table',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none'
    };
  }
  state() {
    return 'truth-table-state';
  }
  clientInformation() {
    return this.saved.client;
  }
  saveClientInformation(info) {
    this.saved.client = info;
  }
  tokens() {
    return this.saved.tokens;
  }
  saveTokens(tokens) {
    this.saved.tokens = tokens;
  }
  redirectToAuthorization(url) {
    this.authorizationUrl = url;
  }
  saveCodeVerifier(verifier) {
    this.saved.verifier = verifier;
  }
  codeVerifier() {
    return this.saved.verifier;
  }
}

// Follows the authorization URL the way a browser would up to the redirect back to the
// client, and returns the `code` (or throws the authorization server's error, as the
// client's callback page would show it).
async function approve(url) {
  const response = await fetch(url, { redirect: 'manual' });
  const location = response.headers.get('location');
  if (!location) {
    throw new Error(`authorization endpoint answered ${response.status} without a redirect`);
  }
  const back = new URL(location, url);
  const code = back.searchParams.get('code');
  if (!code) {
    throw new Error(`authorization error ${back.searchParams.get('error')}`);
  }
  return code;
}

async function connect(url) {
  const provider = new MemoryProvider();
  const client = new Client({ name: 'authprobe-truth-table', version: '1.0.0' });
  let transport = new StreamableHTTPClientTransport(new URL(url), { authProvider: provider });
  try {
    await client.connect(transport);
  } catch (error) {
    if (!(error instanceof UnauthorizedError) || !provider.authorizationUrl) {
      throw error;
    }
    const code = await approve(provider.authorizationUrl);
    await transport.finishAuth(code);
    transport = new StreamableHTTPClientTransport(new URL(url), { authProvider: provider });
    await client.connect(transport);
  }
  await client.close();
}

function withDeadline(promise) {
  let timer;
  const deadline = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error('no answer in time')), PER_TARGET_MS);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

for (const arg of process.argv.slice(2)) {
  const at = arg.indexOf('=');
  const [target, url] = [arg.slice(0, at), arg.slice(at + 1)];
  const row = { target, client: 'typescript-sdk' };
  try {
    await withDeadline(connect(url));
    row.outcome = 'in';
    row.message = '';
  } catch (error) {
    row.outcome = 'fails';
    row.message = String(error?.message ?? error);
  }
  process.stdout.write(JSON.stringify(row) + '\n');
}
