#!/usr/bin/env python3
"""A stand-in for a person at a browser: invoked as $BROWSER with the
authorization URL as its one argument, it follows the URL and every redirect,
as a browser would when the authorization server approves at once (the lab
does), which lands on authprobe's loopback callback."""
import sys
import urllib.request

try:
    urllib.request.urlopen(sys.argv[1], timeout=10).read()
except Exception as error:  # an error page, like a person would see it
    print(f"follow.py: {error}", file=sys.stderr)
    sys.exit(1)
