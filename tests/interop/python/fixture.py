"""Real MCP servers for authprobe's interop tests, built with the official Python SDK.

The test harness starts one configuration per process:

    python fixture.py --config NAME --port PORT [--issuer URL]

Every server listens on 127.0.0.1 only and exits when its standard input closes, so a
test run that dies cannot leave servers behind.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import urllib.request
from typing import Any

import anyio
import jwt
import uvicorn
from mcp.server.auth.provider import AccessToken
from mcp.server.auth.settings import AuthSettings
from mcp.server.mcpserver import MCPServer
from starlette.applications import Starlette
from starlette.routing import Mount

HOST = "127.0.0.1"
SCOPE = "mcp:tools"


class JwtVerifier:
    """Accepts the authorization server's JWT access tokens issued for this resource.

    The keys are found through the issuer's OpenID discovery document on first use, as a
    resource server deployed next to a real authorization server would do.
    """

    def __init__(self, issuer: str, resource: str) -> None:
        self.issuer = issuer
        self.resource = resource
        self._keys: jwt.PyJWKClient | None = None

    def _signing_key(self, token: str) -> Any:
        if self._keys is None:
            url = f"{self.issuer.rstrip('/')}/.well-known/openid-configuration"
            with urllib.request.urlopen(url, timeout=5) as response:
                self._keys = jwt.PyJWKClient(json.load(response)["jwks_uri"])
        return self._keys.get_signing_key_from_jwt(token).key

    async def verify_token(self, token: str) -> AccessToken | None:
        try:
            # A string that is not a JWT is refused before any network round trip.
            jwt.get_unverified_header(token)
            key = await anyio.to_thread.run_sync(self._signing_key, token)
            claims = jwt.decode(
                token, key, algorithms=["RS256"], audience=self.resource, issuer=self.issuer
            )
        except (jwt.PyJWTError, OSError, KeyError, ValueError):
            return None
        return AccessToken(
            token=token,
            client_id=str(claims.get("client_id", "")),
            scopes=str(claims.get("scope", "")).split(),
            expires_at=claims.get("exp"),
            resource=self.resource,
            subject=claims.get("sub"),
            claims=claims,
        )


def mcp_server(auth: AuthSettings | None = None, verifier: JwtVerifier | None = None) -> MCPServer:
    server = MCPServer("authprobe-interop-py", auth=auth, token_verifier=verifier)

    @server.tool()
    def echo(text: str) -> str:
        """Echoes its input."""
        return text

    return server


def protected(issuer: str, resource: str) -> MCPServer:
    """The SDK's own resource-server wiring: AuthSettings plus a token verifier."""
    return mcp_server(
        AuthSettings(
            issuer_url=issuer,
            resource_server_url=resource,
            required_scopes=[SCOPE],
            validate_token_resource=True,
        ),
        JwtVerifier(issuer, resource),
    )


def build(config: str, port: int, issuer: str | None) -> Starlette:
    origin = f"http://{HOST}:{port}"
    if config == "py-open":
        # Correct: authorization is optional in MCP; this server has none.
        return mcp_server().streamable_http_app()
    if issuer is None:
        sys.exit(f"fixture: --issuer is required for {config}")
    if config == "py-protected":
        # Correct: the SDK's metadata and challenge for the URL clients connect to.
        return protected(issuer, f"{origin}/mcp").streamable_http_app()
    if config == "py-resource-trailing-slash":
        # Broken: resource_server_url spelled with a trailing slash; the endpoint is /mcp.
        return protected(issuer, f"{origin}/mcp/").streamable_http_app()
    if config == "py-mounted-prefix":
        # Broken: the SDK app is mounted under /api (so the endpoint is /api/mcp), but
        # resource_server_url still names /mcp, and the metadata route moved under /api too.
        server = protected(issuer, f"{origin}/mcp")
        inner = server.streamable_http_app()
        return Starlette(
            routes=[Mount("/api", app=inner)],
            lifespan=lambda _app: server.session_manager.run(),
        )
    sys.exit(f"fixture: unknown --config {config}")


def exit_when_stdin_closes() -> None:
    # The harness holds our stdin open; EOF means it is gone and we must not outlive it.
    try:
        while sys.stdin.buffer.read(4096):
            pass
    finally:
        os._exit(0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--issuer")
    args = parser.parse_args()
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    app = build(args.config, args.port, args.issuer)
    print(f"fixture {args.config} listening on http://{HOST}:{args.port}", flush=True)
    uvicorn.run(app, host=HOST, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
