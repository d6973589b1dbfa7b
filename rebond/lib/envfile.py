r"""Read an environment file as systemd's EnvironmentFile= does, for `rebond --env-file`.

The services read /etc/rebond/rebond.env through systemd (docs/deploy.md, section 3); the CLI
reads the same file with the same rules, so an operator's command sees exactly what the web
server and the worker see (issue 24, item 5). The rules are those of systemd.exec(5),
"EnvironmentFile=", as implemented by systemd's src/basic/env-file.c (v252-v256):
- a line whose first non-blank character is `#` or `;` is a comment; there are no comments
  after a value (`A=1  # one` sets A to "1  # one");
- `KEY=VALUE`: blanks around the key and before the value are dropped, trailing blanks of
  an unquoted value too;
- a value may be quoted: '...' keeps everything literally; "..." unescapes \\ \" \$ \` and
  keeps any other backslash; a backslash before a newline joins the lines;
- a later assignment of the same key replaces an earlier one; no `$VAR` expansion.

`FILE_LINE` is the subset that a POSIX shell (`set -a; . file`) reads identically; the
`.env.example` test holds the shipped file to it.
"""

from __future__ import annotations

import re
from pathlib import Path

COMMENT_STARTS = "#;"
BLANKS = " \t"
SHELL_ESCAPED = '"\\`$'  # characters "\x" unescapes inside double quotes (as sh does)

# A line both sh and systemd read the same way: a comment, a blank line, NAME=bare-word
# (no blanks or shell metacharacters) or NAME="text" (no ", \, $ or ` inside).
FILE_LINE = re.compile(
    r"""^(?:\s*|\#.*|[A-Z_][A-Z0-9_]*=(?:[^\s"'\\$`#;&|<>()*?\[\]~]*|"[^"\\$`]*"))$"""
)


class EnvFileError(ValueError):
    """The file cannot be read; the message names it."""


def parse(text: str) -> dict[str, str]:
    """Return the variables `text` sets, read with systemd's EnvironmentFile= rules."""
    result: dict[str, str] = {}
    key, value = "", ""
    state = "pre_key"
    # Index in `value` where trailing blanks of an unquoted value begin (None: none so far).
    trailing: int | None = None

    def finish() -> None:
        nonlocal key, value, trailing
        name = key.rstrip(BLANKS)
        if state == "value" and trailing is not None:
            value = value[:trailing]
        if name:
            result[name] = value
        key, value, trailing = "", "", None

    for char in text:
        if state == "pre_key":
            if char in COMMENT_STARTS:
                state = "comment"
            elif char not in BLANKS + "\n\r":
                key, state = char, "key"
        elif state == "key":
            if char in "\n\r":
                key, state = "", "pre_key"  # a line without "=" sets nothing
            elif char == "=":
                state = "pre_value"
            else:
                key += char
        elif state == "pre_value":
            if char in "\n\r":
                finish()
                state = "pre_key"
            elif char == "'":
                state = "single"
            elif char == '"':
                state = "double"
            elif char == "\\":
                state = "value_escape"
            elif char not in BLANKS:
                value += char
                state = "value"
        elif state == "value":
            if char in "\n\r":
                finish()
                state = "pre_key"
            elif char == "\\":
                trailing, state = None, "value_escape"
            else:
                if char not in BLANKS:
                    trailing = None
                elif trailing is None:
                    trailing = len(value)
                value += char
        elif state == "value_escape":
            state = "value"
            if char != "\n":
                value += char
        elif state == "single":
            if char == "'":
                state = "pre_value"
            else:
                value += char
        elif state == "double":
            if char == '"':
                state = "pre_value"
            elif char == "\\":
                state = "double_escape"
            else:
                value += char
        elif state == "double_escape":
            state = "double"
            if char in SHELL_ESCAPED:
                value += char
            elif char != "\n":
                value += "\\" + char
        elif state == "comment" and char in "\n\r":
            state = "pre_key"
    if state not in ("pre_key", "key", "comment"):
        finish()
    return result


def read(path: str) -> dict[str, str]:
    """Return the variables the environment file at `path` sets."""
    try:
        return parse(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise EnvFileError(f"--env-file {path!r} cannot be read: {exc}.") from None
