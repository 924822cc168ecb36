// Real servers for authprobe's interop tests, built with the official MCP TypeScript SDK
// and oidc-provider. The test harness starts one configuration per process:
//
//   node fixture.mjs --config NAME --port PORT [--issuer URL] [--trailing-slash]
//
// Every server listens on 127.0.0.1 only, and exits when its standard input closes, so
// a test run that dies cannot leave servers behind.

import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { z } from 'zod';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { createMcpExpressApp } from '@modelcontextprotocol/sdk/server/express.js';
import {
  getOAuthProtectedResourceMetadataUrl,
  mcpAuthMetadataRouter,
} from '@modelcontextprotocol/sdk/server/auth/router.js';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { InvalidTokenError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';

const HOST = '127.0.0.1';
const SCOPE = 'mcp:tools';

const { values: args } = parseArgs({
  options: {
    config: { type: 'string' },
    port: { type: 'string' },
    issuer: { type: 'string' },
    'trailing-slash': { type: 'boolean', default: false },
  },
});

function fail(message) {
  console.error(`fixture: ${message}`);
  process.exit(64);
}

// ---------------------------------------------------------------------------------------
// The authorization server: oidc-provider with dynamic registration and PKCE.

function authorizationServer(port) {
  // With --trailing-slash the issuer ends in "/": legal, and clients must compare it
  // byte for byte with the `issuer` of the metadata.
  const issuer = `http://${HOST}:${port}${args['trailing-slash'] ? '/' : ''}`;
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: 'fixture', use: 'sig', alg: 'RS256' };
  const provider = new Provider(issuer, {
    jwks: { keys: [signingKey] },
    scopes: ['openid', 'offline_access', SCOPE],
    // The OAuth 2.1 profile MCP clients use: authorization code only, no implicit grant.
    responseTypes: ['code'],
    pkce: { required: () => true },
    features: {
      registration: { enabled: true },
      devInteractions: { enabled: true },
      resourceIndicators: {
        enabled: true,
        // Access tokens for an MCP server are JWTs whose audience is its URL (RFC 8707).
        getResourceServerInfo: (_ctx, resource) => ({
          scope: SCOPE,
          audience: resource,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
  });
  return provider.callback();
}

// ---------------------------------------------------------------------------------------
// The MCP side.

function mcpServer() {
  const server = new McpServer({ name: 'authprobe-interop-ts', version: '1.0.0' });
  server.registerTool(
    'echo',
    { description: 'Echoes its input', inputSchema: { text: z.string() } },
    async ({ text }) => ({ content: [{ type: 'text', text }] }),
  );
  return server;
}

// The metadata of the authorization server, fetched once at startup as a resource
// server deployed next to a real AS would do.
async function authorizationServerMetadata(issuer) {
  const url = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const response = await fetch(url);
  if (!response.ok) {
    fail(`authorization server metadata at ${url} answered ${response.status}`);
  }
  return response.json();
}

// Verifies the JWT access tokens of the authorization server: signature, issuer, audience.
function jwtVerifier(metadata, resource) {
  const keys = createRemoteJWKSet(new URL(metadata.jwks_uri));
  return {
    async verifyAccessToken(token) {
      try {
        const { payload } = await jwtVerify(token, keys, { issuer: metadata.issuer, audience: resource });
        return {
          token,
          clientId: String(payload.client_id ?? ''),
          scopes: String(payload.scope ?? '').split(' ').filter(Boolean),
          expiresAt: payload.exp,
          resource: new URL(resource),
        };
      } catch (error) {
        throw new InvalidTokenError(`Invalid token: ${error.code ?? error.message}`);
      }
    },
  };
}

// Sessions on: one transport per session, found again by its Mcp-Session-Id.
function statefulHandler() {
  const transports = new Map();
  return async (req, res) => {
    const sessionId = req.headers['mcp-session-id'];
    let transport = sessionId ? transports.get(sessionId) : undefined;
    if (!transport) {
      if (sessionId || req.method !== 'POST' || !isInitializeRequest(req.body)) {
        res.status(sessionId ? 404 : 400).json({
          jsonrpc: '2.0',
          error: { code: -32000, message: sessionId ? 'Session not found' : 'No valid session ID provided' },
          id: null,
        });
        return;
      }
      transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => transports.set(id, transport),
      });
      transport.onclose = () => transport.sessionId && transports.delete(transport.sessionId);
      await mcpServer().connect(transport);
    }
    await transport.handleRequest(req, res, req.body);
  };
}

// Sessions off: a fresh server and transport for every POST.
function statelessHandler() {
  return async (req, res) => {
    const server = mcpServer();
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    res.on('close', () => {
      transport.close();
      server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  };
}

// A stateless server has no stream to offer on GET and no session to DELETE: 405, as the
// Streamable HTTP transport allows.
function methodNotAllowed(_req, res) {
  res.status(405).set('Allow', 'POST').json({
    jsonrpc: '2.0',
    error: { code: -32000, message: 'Method not allowed.' },
    id: null,
  });
}

// The SDK's resource-server wiring: RFC 9728 metadata at the path-suffix URL, and a bearer
// guard whose challenge points at it.
async function sdkAuth(resourceServerUrl) {
  if (!args.issuer) fail('--issuer is required for a protected configuration');
  const metadata = await authorizationServerMetadata(args.issuer);
  const mcpUrl = new URL(`http://${HOST}:${args.port}/mcp`);
  const metadataRouter = mcpAuthMetadataRouter({
    oauthMetadata: metadata,
    resourceServerUrl,
    scopesSupported: [SCOPE],
    resourceName: 'authprobe interop fixture',
  });
  const bearer = requireBearerAuth({
    verifier: jwtVerifier(metadata, mcpUrl.href),
    requiredScopes: [SCOPE],
    resourceMetadataUrl: getOAuthProtectedResourceMetadataUrl(resourceServerUrl),
  });
  return { mcpUrl, metadataRouter, bearer };
}

const configs = {
  'authorization-server': async () => authorizationServer(args.port),

  // Correct: sessions, the SDK's metadata router and bearer middleware.
  'ts-stateful': async () => {
    const app = createMcpExpressApp();
    const { mcpUrl, metadataRouter, bearer } = await sdkAuth(new URL(`http://${HOST}:${args.port}/mcp`));
    app.use(metadataRouter);
    app.all(mcpUrl.pathname, bearer, statefulHandler());
    return app;
  },

  // Correct: no sessions; GET and DELETE answer 405 before any authentication, as in the
  // SDK's stateless example.
  'ts-stateless': async () => {
    const app = createMcpExpressApp();
    const { mcpUrl, metadataRouter, bearer } = await sdkAuth(new URL(`http://${HOST}:${args.port}/mcp`));
    app.use(metadataRouter);
    app.post(mcpUrl.pathname, bearer, statelessHandler());
    app.get(mcpUrl.pathname, methodNotAllowed);
    app.delete(mcpUrl.pathname, methodNotAllowed);
    return app;
  },

  // Broken (the bug report this project started from): a hand-written Express guard that
  // answers 401 without WWW-Authenticate, and no metadata anywhere.
  'ts-guard-no-challenge': async () => {
    const app = createMcpExpressApp();
    const apiToken = randomUUID();
    app.use('/mcp', (req, res, next) => {
      if (req.headers.authorization !== `Bearer ${apiToken}`) {
        res.status(401).json({ error: 'Unauthorized' });
        return;
      }
      next();
    });
    app.all('/mcp', statefulHandler());
    return app;
  },

  // Broken: the bearer middleware is mounted for the whole app before the metadata
  // router, so the metadata itself demands a token.
  'ts-metadata-behind-auth': async () => {
    const app = createMcpExpressApp();
    const { mcpUrl, metadataRouter, bearer } = await sdkAuth(new URL(`http://${HOST}:${args.port}/mcp`));
    app.use(bearer);
    app.use(metadataRouter);
    app.all(mcpUrl.pathname, statefulHandler());
    return app;
  },

  // Broken: a single-page app's HTML fallback is registered before the metadata router
  // and swallows every GET, /.well-known/… included.
  'ts-spa-catch-all': async () => {
    const app = createMcpExpressApp();
    const { mcpUrl, metadataRouter, bearer } = await sdkAuth(new URL(`http://${HOST}:${args.port}/mcp`));
    app.all(mcpUrl.pathname, bearer, statefulHandler());
    app.get('/{*path}', (_req, res) => {
      res.type('html').send('<!doctype html><html><head><title>Dashboard</title></head><body><div id="root"></div></body></html>');
    });
    app.use(metadataRouter);
    return app;
  },

  // Broken: the resource server URL is the origin instead of the MCP endpoint, so the
  // metadata names a parent of the URL the client connected to.
  'ts-resource-origin': async () => {
    const app = createMcpExpressApp();
    const { mcpUrl, metadataRouter, bearer } = await sdkAuth(new URL(`http://${HOST}:${args.port}`));
    app.use(metadataRouter);
    app.all(mcpUrl.pathname, bearer, statefulHandler());
    return app;
  },
};

async function main() {
  // The harness holds our stdin open; EOF means it is gone and we must not outlive it.
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();
  const build = configs[args.config];
  if (!build) fail(`unknown --config ${args.config}; known: ${Object.keys(configs).join(', ')}`);
  const port = Number(args.port);
  if (!Number.isInteger(port) || port <= 0) fail(`--port must be a port number, got ${args.port}`);
  const server = createServer(await build()).listen(port, HOST, () => {
    console.log(`fixture ${args.config} listening on http://${HOST}:${port}`);
  });
  server.on('error', (error) => fail(`cannot listen on ${HOST}:${port}: ${error.code ?? error.message}`));
}

main().catch((error) => fail(error.stack ?? String(error)));
