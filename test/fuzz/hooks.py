"""The rules of the key API that JSON Schema cannot state, for Schemathesis's generator.

Each is in the OpenAPI document's description of its field; without this file Schemathesis's
positive_data_acceptance check would count a request the rule refuses (a 400 naming the field) as a
request valid by the document and refused. Only these rules are filtered; keep the list short.
"""

import calendar
import os
import re
from datetime import datetime, timedelta, timezone

import schemathesis

DURATION = re.compile(r"^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$")


def _add_months(start: datetime, months: int) -> datetime:
    month = start.month - 1 + months
    year = start.year + month // 12
    if year > 9999:
        return datetime.max.replace(tzinfo=timezone.utc)
    month = month % 12 + 1
    return start.replace(year=year, month=month, day=min(start.day, calendar.monthrange(year, month)[1]))


def _within_100_years(duration: str) -> bool:
    """shared/isoDuration.ts: at most P100Y from now, years and months calendar ones, the rest exact."""
    match = DURATION.match(duration)
    if not match:
        return True  # the pattern is the document's; a value outside it is not generated as valid
    years, months, weeks, days, hours, minutes, seconds = (int(part or 0) for part in match.groups())
    now = datetime.now(timezone.utc)
    try:
        end = _add_months(now, years * 12 + months) + timedelta(weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds)
    except OverflowError:
        return False
    return end <= _add_months(now, 1200)


def _in_future(instant: str) -> bool:
    try:
        return datetime.fromisoformat(instant.replace("Z", "+00:00")) > datetime.now(timezone.utc)
    except ValueError:
        return True


@schemathesis.hook("filter_body").apply_to(method="POST", path_regex=r"/keys$")
def lifetime_at_most_100_years(ctx, body):
    """`lifetime`: at most P100Y from the moment it is checked (the number of days in 100 years depends on the date)."""
    return not (isinstance(body, dict) and isinstance(body.get("lifetime"), str)) or _within_100_years(body["lifetime"])


@schemathesis.hook("filter_body").apply_to(method="POST", path_regex=r"/tokens$")
def token_expiry_in_future(ctx, body):
    """A new admin token's `expiresAt`: after the moment it is issued."""
    return not (isinstance(body, dict) and isinstance(body.get("expiresAt"), str)) or _in_future(body["expiresAt"])


@schemathesis.hook
def filter_path_parameters(ctx, path_parameters):
    """The run's own credentials stay usable: no step revokes the admin token the run sends, nor
    revokes, rolls or disables the API key it verifies with (their ids are listed by the API)."""
    if not isinstance(path_parameters, dict):
        return True
    protected = {os.environ.get("APIKEYS_FUZZ_TOKEN_ID"), os.environ.get("APIKEYS_FUZZ_KEY_ID")} - {None, ""}
    return not any(value in protected for value in path_parameters.values())
