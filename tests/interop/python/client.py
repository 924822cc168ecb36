"""Runs the official MCP Python SDK's own client against MCP servers and reports how far it got.

The SDK's `OAuthClientProvider` is the authentication of an `httpx2.AsyncClient` handed to the
SDK's Streamable HTTP transport, and a `ClientSession` initializes over it, as a user's program
would. The authorization step needs no person: the lab's authorization endpoint approves at
once, so the redirect handler reads the code from its Location header.

Usage: python client.py <name>=<mcp url> ...
Prints one JSON object per target on stdout:
  {"target": name, "client": "python-sdk", "outcome": "in"|"fails", "message": "..."}
"""

import json
import sys
from urllib.parse import parse_qs, urlsplit

import anyio
import httpx2
from mcp import ClientSession
from mcp.client.auth import OAuthClientProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import AuthorizationCodeResult, OAuthClientInformationFull, OAuthClientMetadata, OAuthToken

REDIRECT = "http://127.0.0.1:53682/callback"
PER_TARGET_SECONDS = 20


class MemoryStorage:
    def __init__(self) -> None:
        self.tokens: OAuthToken | None = None
        self.client: OAuthClientInformationFull | None = None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client = client_info


class Browser:
    """Stands in for the person: opens the authorization URL and reads where it sends them back."""

    def __init__(self) -> None:
        self.result: AuthorizationCodeResult | None = None
        self.error: str | None = None

    async def open(self, url: str) -> None:
        async with httpx2.AsyncClient(follow_redirects=False) as http:
            response = await http.get(url)
        location = response.headers.get("location")
        if not location:
            self.error = f"authorization endpoint answered {response.status_code} without a redirect"
            return
        query = parse_qs(urlsplit(location).query)
        first = lambda key: query.get(key, [None])[0]  # noqa: E731
        if first("code") is None:
            self.error = f"authorization error {first('error')}"
            return
        self.result = AuthorizationCodeResult(code=first("code"), state=first("state"), iss=first("iss"))

    async def callback(self) -> AuthorizationCodeResult:
        if self.result is None:
            raise RuntimeError(self.error or "no redirect")
        return self.result


def leaf(error: BaseException) -> BaseException:
    """The first real error inside the task groups the SDK runs its transport in."""
    while isinstance(error, BaseExceptionGroup) and error.exceptions:
        error = error.exceptions[0]
    return error


async def connect(url: str) -> None:
    browser = Browser()
    provider = OAuthClientProvider(
        server_url=url,
        client_metadata=OAuthClientMetadata(
            client_name="authprobe truth table",
            redirect_uris=[REDIRECT],
            grant_types=["authorization_code", "refresh_token"],
            response_types=["code"],
            token_endpoint_auth_method="none",
        ),
        storage=MemoryStorage(),
        redirect_handler=browser.open,
        callback_handler=browser.callback,
    )
    # No connection reuse: a kept-alive connection the server has just closed would fail a
    # request with "Server disconnected", a race that has nothing to do with authorization.
    limits = httpx2.Limits(max_keepalive_connections=0)
    async with httpx2.AsyncClient(auth=provider, limits=limits) as http:
        async with streamable_http_client(url, http_client=http) as (read, write, *_):
            async with ClientSession(read, write) as session:
                await session.initialize()


async def main() -> None:
    for arg in sys.argv[1:]:
        target, _, url = arg.partition("=")
        row = {"target": target, "client": "python-sdk"}
        try:
            with anyio.fail_after(PER_TARGET_SECONDS):
                await connect(url)
            row.update(outcome="in", message="")
        except BaseException as error:  # noqa: BLE001 - every failure is a row of the table
            error = leaf(error)
            if isinstance(error, KeyboardInterrupt):
                raise
            row.update(outcome="fails", message=str(error) or type(error).__name__)
        print(json.dumps(row), flush=True)


anyio.run(main)
