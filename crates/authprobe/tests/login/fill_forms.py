#!/usr/bin/env python3
"""A stand-in for a person at a browser, for authorization servers that show
pages: invoked as $BROWSER with the authorization URL as its one argument, it
follows the URL with cookies and submits every form it is shown (the
development login and consent pages of oidc-provider: any user name and
password, then "continue"), until a redirect reaches authprobe's loopback
callback, where no form is left."""
import http.cookiejar
import re
import sys
import urllib.parse
import urllib.request

FORM = re.compile(r'<form[^>]*action="([^"]*)"[^>]*>(.*?)</form>', re.S)
NAMED_WITH_VALUE = re.compile(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"')
NAMED = re.compile(r'<input[^>]*name="([^"]+)"')

opener = urllib.request.build_opener(
    urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
)
try:
    response = opener.open(sys.argv[1], timeout=10)
    for _ in range(6):
        page = response.read().decode("utf-8", "replace")
        form = FORM.search(page)
        if not form:
            break
        action = urllib.parse.urljoin(response.geturl(), form.group(1))
        fields = dict(NAMED_WITH_VALUE.findall(form.group(2)))
        for name in NAMED.findall(form.group(2)):
            fields.setdefault(name, "authprobe")  # the user name and password a person types
        data = urllib.parse.urlencode(fields).encode()
        response = opener.open(action, data=data, timeout=10)
except Exception as error:  # an error page, like a person would see it
    print(f"fill_forms.py: {error}", file=sys.stderr)
    sys.exit(1)
