"""Secrets never leave the collector: values that look secret are masked everywhere.

Masking happens on every API page as it arrives (:func:`mask_page`), before collectors see it and
before raw pages are kept, so tables and ``snapshot/raw/`` hold the same masked values.

What is masked (value becomes ``****`` plus at most its last 4 characters):

- environment variables (``{"name", "value"}`` pairs of ECS container definitions, CodeBuild
  ``environmentVariables`` of type PLAINTEXT, Lambda ``Variables`` maps) whose *name* looks secret
  (password, secret, token, api key, private key, credential, access key ...) or whose *value* looks
  secret (see below);
- any string whose value looks like a credential: AWS access key ids (``AKIA``/``ASIA``), Stripe
  ``sk_live_``/``rk_live_`` keys, GitHub/Slack tokens, PEM private keys;
- string fields whose key looks secret (``MasterUserPassword``, ``AuthToken``, ``SecretString``),
  except references such as ``...Arn``, ``...Id``, ``...Name``;
- secrets *inside* any string (:func:`mask_embedded`): credentials in URLs and connection strings
  (``postgres://app:****@db``), ``password=``/``--db-password=``/``token:`` settings in DSNs, command
  lines and template bodies, and the argument after a ``--password`` flag;
- key/value pairs with a secret-looking key: tags (``db_password``), CloudFormation parameters
  (``ParameterKey``/``ParameterValue``, NoEcho or not) and outputs.

Env var values (name/value pairs under an ``environment...`` key, and ``Variables`` maps) additionally
count as secret when they are long high-entropy strings; other name/value pairs, such as CloudWatch
dimensions, do not (a load balancer's ``app/api/50dc6c495c0c9188`` is random-looking, not secret).
:func:`secret_env_names` lists the names that were (or would be) masked, for the
``plaintext_secret_names`` columns; it works on masked and unmasked lists alike.
"""

from __future__ import annotations

import json
import math
import re
from collections import Counter
from datetime import date
from functools import lru_cache
from typing import Any

MASK = "****"

SECRET_NAME = re.compile(
    r"(pass(word|wd|phrase)?|pwd|secret|token|api[_-]?key|apikey|private[_-]?key|access[_-]?key|"
    r"credential|auth[_-]?key|signing[_-]?key|client[_-]?secret|dsn|conn(ection)?[_-]?string)",
    re.IGNORECASE,
)
# Names that mention a secret but hold a reference to it, not the secret itself.
REFERENCE_NAME = re.compile(
    r"(arn|arns|_?id|_?ids|name|names|type|path|file|url_?path|ttl|expir\w*|enabled|length|version|"
    r"status|count|units|validity\w*|rotation\w*|kms\w*|next\w*token|page\w*token|"
    r"pagination\w*token|continuation\w*token|clienttoken|marker)$",
    re.IGNORECASE,
)
SECRET_VALUE = re.compile(
    r"((?<![A-Z0-9])(AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])"
    r"|\b[sr]k_(live|test)_[0-9A-Za-z]{10,}"
    r"|\bgh[pousr]_[0-9A-Za-z]{30,}|\bgithub_pat_[0-9A-Za-z_]{30,}"
    r"|\bxox[abposr]-[0-9A-Za-z-]{10,}"
    r"|-----BEGIN [A-Z ]*PRIVATE KEY-----)"
)
# Substrings one of which every SECRET_VALUE match contains: a fast pre-filter (the regex is slow on long text).
SECRET_MARKERS = ("AKIA", "ASIA", "k_live_", "k_test_", "ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_",
                  "xoxa-", "xoxb-", "xoxp-", "xoxo-", "xoxs-", "xoxr-", "PRIVATE KEY-----")
REFERENCE_VALUE = re.compile(r"^(arn:|\{\{resolve:|\$\{|ssm:|secretsmanager:)")

# Secrets inside a longer string, masked in place (the rest of the string stays readable):
# - credentials in a URL or connection string: postgres://app:PASSWORD@db, redis://:PASSWORD@cache;
# - key=value settings in DSNs and command lines: Password=...; pwd=...; --db-password=...;
# - "password: value" lines in template bodies (YAML/JSON text of CloudFormation templates).
# Each pattern's group "v" is the secret. A value already masked, or a reference (${...}, {{resolve:...}},
# !Ref, arn:), is left alone.
URL_CREDENTIALS = re.compile(r"(?P<head>\b[a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s\"'<>]*:)(?P<v>[^@/\s\"'<>]+)(?=@)")
SECRET_SETTING = re.compile(
    r"(?P<head>(?:--?|\b)[\w.-]*(?:pass(?:word|wd|phrase)?|pwd|secret|token|api[_-]?key|private[_-]?key|"
    r"access[_-]?key|client[_-]?secret|auth)[\w.-]*\s*(?:=|:\s)\s*[\"']?)(?P<v>[^\s;&,\"'#}{\]]+)",
    re.IGNORECASE)
# a command-line flag whose next argument is the secret: ["--password", "hunter2"]
SECRET_FLAG = re.compile(r"^--?[\w.-]*(pass(word|wd)?|pwd|secret|token|api[_-]?key|private[_-]?key)[\w.-]*$",
                         re.IGNORECASE)
TEXT_MARKERS = ("://", "ass", "pwd", "PWD", "ecret", "ECRET", "oken", "OKEN", "pi_key", "pi-key", "piKey",
                "rivate", "ccess", "uth")


def _not_a_secret(value: str) -> bool:
    return (is_masked(value) or value.lower() in NON_SECRET_VALUES or bool(REFERENCE_VALUE.match(value))
            or value.startswith(("!", "$", "{{", "<", "%")) or value.lower() in {"required", "optional"})


def mask_embedded(value: str) -> str:
    """``value`` with the secrets inside it masked: URL credentials, ``password=...``-style settings and
    flags, ``password: ...`` lines. The rest of the string is kept (a URL stays a URL)."""
    if not any(m in value for m in TEXT_MARKERS):
        return value

    def sub(m: re.Match[str]) -> str:
        secret = m.group("v")
        return m.group(0) if _not_a_secret(secret) else m.group("head") + MASK  # no tail: it may be short

    return SECRET_SETTING.sub(sub, URL_CREDENTIALS.sub(sub, value))


_KEYWORD_STEMS = ("pass", "pwd", "secret", "token", "apikey", "api_key", "api-key", "private", "access", "auth")


def _embedded_in_text(text: str) -> bool:
    """Whether a page's JSON text holds a secret inside a string. SECRET_SETTING is tried only around
    the few keyword hits (a 300-query CloudWatch page: 140 ms over the whole text, ~2 ms this way)."""
    if "://" in text and any(not _not_a_secret(m.group("v")) for m in URL_CREDENTIALS.finditer(text)):
        return True
    lowered = text.lower()  # str.find per stem: a regex alternation over the whole text was 50 ms a page
    for stem in _KEYWORD_STEMS:
        at = lowered.find(stem)
        while at >= 0:
            window = text[max(0, at - 80):at + 160]
            if any(not _not_a_secret(m.group("v")) for m in SECRET_SETTING.finditer(window)):
                return True
            at = lowered.find(stem, at + len(stem))
    return False


def has_embedded_secret(value: str) -> bool:
    """True when :func:`mask_embedded` would change ``value``, or already did (``:****@`` / ``=****``)."""
    return isinstance(value, str) and (mask_embedded(value) != value or f":{MASK}" in value
                                       or f"={MASK}" in value or f": {MASK}" in value)
NON_SECRET_VALUES = {"", "true", "false", "yes", "no", "none", "null", "0", "1"}


def mask_value(value: str) -> str:
    """``****`` plus at most the last 4 characters (none when the value is short)."""
    if value.startswith(MASK):
        return value
    tail = value[-4:] if len(value) >= 12 else ""
    return MASK + tail


def is_masked(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(MASK)


def entropy_bits_per_char(value: str) -> float:
    counts = Counter(value)
    n = len(value)
    return -sum(c / n * math.log2(c / n) for c in counts.values())


def looks_high_entropy(value: str) -> bool:
    """Long random-looking tokens (base64/hex keys), not sentences, paths or URLs."""
    if len(value) < 20 or " " in value or value.startswith(("http://", "https://", "/")):
        return False
    if not re.fullmatch(r"[A-Za-z0-9+/=_\-.]+", value):
        return False
    classes = sum(bool(re.search(p, value)) for p in (r"[a-z]", r"[A-Z]", r"[0-9]"))
    threshold = 3.0 if re.fullmatch(r"[0-9a-f]+", value) else 4.0
    return classes >= 2 and entropy_bits_per_char(value) >= threshold


def looks_secret_name(name: str) -> bool:
    return bool(SECRET_NAME.search(name)) and not REFERENCE_NAME.search(name)


def looks_secret_value(value: str) -> bool:
    return any(m in value for m in SECRET_MARKERS) and bool(SECRET_VALUE.search(value))


def is_env_key(key: str) -> bool:
    """True for the keys that hold environment variables (``environment``, ``environmentVariables``...)."""
    return "environment" in key.lower()


def pair_is_secret(name: str, value: str, *, env: bool) -> bool:
    """True when a name/value pair's value is to be masked.

    ``env``: the pair is an environment variable (it sits under an :func:`is_env_key` key), judged by
    :func:`env_is_secret`. Other pairs (CloudWatch dimensions, ECS settings) are masked for a
    secret-looking name or value but not for a merely random-looking value: a load balancer's
    dimension ``app/api/50dc6c495c0c9188`` is not a secret.
    """
    if env:
        return env_is_secret(name, value)
    if is_masked(value):
        return True
    if value.strip().lower() in NON_SECRET_VALUES or REFERENCE_VALUE.match(value):
        return False
    return looks_secret_name(name) or looks_secret_value(value)


def env_is_secret(name: str, value: Any) -> bool:
    """True when a plain environment variable ``name=value`` holds (or held, if masked) a secret,
    including one inside it (``DATABASE_URL=postgres://app:secret@db``)."""
    if not isinstance(value, str):
        return False
    if is_masked(value) or has_embedded_secret(value):
        return True
    if value.strip().lower() in NON_SECRET_VALUES or REFERENCE_VALUE.match(value):
        return False
    return looks_secret_name(name) or looks_secret_value(value) or looks_high_entropy(value)


def secret_env_names(env: Any) -> list[str]:
    """Sorted names of the env vars in ``env`` (list of name/value dicts, or a name->value map) that look secret."""
    names: set[str] = set()
    if isinstance(env, dict):
        pairs = list(env.items())
    else:
        pairs = []
        for item in env or []:
            if not isinstance(item, dict):
                continue
            if str(item.get("type", "PLAINTEXT")).upper() != "PLAINTEXT":
                continue
            name = item.get("name", item.get("Name"))
            pairs.append((name, item.get("value", item.get("Value"))))
    for name, value in pairs:
        if isinstance(name, str) and env_is_secret(name, value):
            names.add(name)
    return sorted(names)


def _env_pair(d: dict[str, Any]) -> tuple[str, str] | None:
    for nk, vk in (("name", "value"), ("Name", "Value"), ("key", "value"), ("Key", "Value"),
                   ("ParameterKey", "ParameterValue"), ("OutputKey", "OutputValue")):
        if nk in d and vk in d and isinstance(d[nk], str) and isinstance(d[vk], str):
            return nk, vk
    return None


@lru_cache(maxsize=4096)
def _secret_key(key: str) -> bool:
    return bool(key) and looks_secret_name(key)


MIN_SECRET_VALUE_LEN = 15  # the shortest pattern of SECRET_VALUE (xoxb- + 10) is 15 characters


def _mask_str(value: str, secret_key: bool) -> str:
    if len(value) >= MIN_SECRET_VALUE_LEN and looks_secret_value(value):
        return mask_value(value)
    if secret_key and value and not REFERENCE_VALUE.match(value) and value.lower() not in NON_SECRET_VALUES:
        return mask_value(value)
    return mask_embedded(value)


_KEY_RE = re.compile(r'"([^"\\]+)": "')
# a JSON string's body, unrolled ("normal* (special normal*)*"): linear time, no nested quantifier
_JSON_STR = r'"([^"\\]*(?:\\.[^"\\]*)*)"'
# a name/value pair as json.dumps writes it (botocore keeps the model's member order: name before value)
_ENV_PAIR_RE = re.compile(rf'"(?:name|Name)": {_JSON_STR}, "(?:value|Value)": {_JSON_STR}')
_ENV_KEY_RE = re.compile(r'"[A-Za-z_]*[Ee][Nn][Vv][Ii][Rr][Oo][Nn][Mm][Ee][Nn][Tt][A-Za-z_]*": [\[{]')


def _json_str(body: str) -> str:
    return body if "\\" not in body else json.loads(f'"{body}"')


def _checked_text(value: Any) -> str:
    """What the pre-check reads for a value JSON cannot write: nothing for dates and times (they
    cannot hold a secret, and a CloudWatch page has 100,000 of them), else its ``str``."""
    return "" if isinstance(value, date) else str(value)


def needs_masking(obj: Any) -> bool:
    """Cheap pre-check on the JSON text of ``obj``: False means :func:`mask_page` would change nothing.

    Looks for secret-looking values, string fields whose key looks secret, Lambda-style ``Variables``
    maps, and name/value pairs (environment variables, but also CloudWatch dimensions or ECS settings)
    that :func:`pair_is_secret` calls secret. Whether a pair is an environment variable depends on
    where it sits, which the text does not tell: when the page has an environment key anywhere, every
    pair is judged as one (:func:`mask_page` then decides each pair by its place).
    """
    text = json.dumps(obj, default=_checked_text)
    if looks_secret_value(text) or '"Variables": {' in text:
        return True
    if _embedded_in_text(text):
        return True  # a secret inside a string (URL credentials, password=..., --token=...)
    pairs = _ENV_PAIR_RE.findall(text)
    if pairs and _ENV_KEY_RE.search(text):
        if any(env_is_secret(_json_str(name), _json_str(value)) for name, value in pairs):
            return True
    elif any(_secret_key(_json_str(name)) for name in {name for name, _ in pairs}):
        # not environment variables: no value looks secret (checked above), so only a secret-looking
        # name can make pair_is_secret true (a CloudWatch request has hundreds of pairs, few names)
        return True
    return any(_secret_key(k) for k in set(_KEY_RE.findall(text)))


def mask_response(obj: Any) -> Any:
    """``obj`` itself when nothing in it can be secret (the common case, fast), else a masked copy."""
    return mask_page(obj) if needs_masking(obj) else obj


def mask_page(obj: Any, _key: str = "") -> Any:
    """A copy of ``obj`` (an API response page, any JSON-like structure) with secrets masked."""
    if isinstance(obj, dict):
        out: dict[str, Any] = {}
        for k, v in obj.items():
            if isinstance(v, str):
                out[k] = _mask_str(v, _secret_key(k))
            elif isinstance(v, dict | list):
                if k == "Variables" and isinstance(v, dict):  # Lambda-style env map
                    out[k] = {n: (mask_value(x) if env_is_secret(n, x) else x) if isinstance(x, str) else x
                              for n, x in v.items()}
                else:
                    out[k] = mask_page(v, k)
            else:
                out[k] = v
        pair = _env_pair(obj)
        if pair is not None:
            nk, vk = pair
            plain = str(obj.get("type", "PLAINTEXT")).upper() == "PLAINTEXT"
            inside = out[vk] != obj[vk] and not looks_secret_name(obj[nk])  # only a part was secret: keep the rest
            if plain and not inside and pair_is_secret(obj[nk], obj[vk], env=is_env_key(_key)):
                out[vk] = mask_value(obj[vk])
        return out
    if isinstance(obj, list):
        out_list = [mask_page(v, _key) if isinstance(v, dict | list) else
                    (_mask_str(v, _secret_key(_key)) if isinstance(v, str) else v) for v in obj]
        for i in range(len(out_list) - 1):  # ["--password", "hunter2"]: the argument after a secret flag
            flag, value = out_list[i], out_list[i + 1]
            if isinstance(flag, str) and isinstance(value, str) and SECRET_FLAG.match(flag) and not _not_a_secret(value):
                out_list[i + 1] = mask_value(value)
        return out_list
    if isinstance(obj, str):
        return _mask_str(obj, _secret_key(_key))
    return obj
