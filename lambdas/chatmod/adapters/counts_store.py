"""The counts table: decisions per scope and hour, summed by the counter function.

Item layout (keys from ``chatmod.core.constants``)::

    scope      S   partition key: "stage", or "room#<room>"
    bucket     S   sort key: "h#<YYYY-MM-DDTHH>" (outcomes, categories) or
                   "u#<YYYY-MM-DDTHH>" (offenders), UTC hours
    o:<outcome>  N   on "h#" items: accepted, masked, held, rejected, failed
    c:<category> N   on "h#" items: how often the category matched
    u:<clientId> N   on "u#" items: how often the sender's message was masked, held or
                     rejected
    expiresAt  N   epoch seconds: DynamoDB TTL, ``RETENTION_DAYS`` after the hour

Offenders live apart from the hour's totals so that a raid's thousands of senders can
never push the totals past DynamoDB's 400 KB item limit: a "u#" item that reaches it
stops taking new senders (logged and counted as ``OffendersNotCounted``), its totals do not.

Every write is an ``ADD``: deliveries of different functions and hours commute, and an
hour's counts are read in one query per scope.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Final

from botocore.exceptions import BotoCoreError, ClientError

from chatmod.adapters import aws
from chatmod.core import constants
from chatmod.core.deadline import Deadline
from chatmod.core.errors import ServiceUnavailableError
from chatmod.enforcement.counts import RETENTION_DAYS, HourTally

#: Counters one update adds at most: DynamoDB's expressions are limited to 4 KB.
MAX_COUNTERS_PER_UPDATE: Final = 100
#: Pages one read may take per bucket kind (a week of hours is 168 small items).
_MAX_QUERY_PAGES: Final = 10
_TOTALS: Final = "h#"
_OFFENDERS: Final = "u#"


class CountsStore:
    """Adds a delivery's sums and reads a scope's hours."""

    def __init__(self, table: Any, *, clock: Callable[[], float] = time.time) -> None:
        """Args:
        table: boto3 DynamoDB ``Table`` resource of the counts table.
        clock: epoch seconds (injectable for tests).
        """
        self._table = table
        self._clock = clock

    @classmethod
    def from_table_name(cls, name: str) -> CountsStore:
        """The store over the shared client of table ``name``."""
        return cls(aws.table(name))

    # -- writing -------------------------------------------------------------------------

    def add(self, scope: str, hour: str, tally: HourTally, *, deadline: Deadline) -> list[str]:
        """Add ``tally`` to ``scope``'s counts for ``hour``.

        Returns:
            What could not be added and was left out (``"offenders"`` when the hour's
            offenders item is full); the totals are never left out.

        Raises:
            ServiceUnavailableError: DynamoDB refused or did not answer in time.
        """
        expires_at = int(self._clock()) + RETENTION_DAYS * 86400
        totals = {
            **{f"o:{name}": n for name, n in tally.outcomes.items() if n},
            **{f"c:{name}": n for name, n in tally.categories.items() if n},
        }
        left_out = []
        for chunk in _chunks(totals):
            self._add(scope, _TOTALS + hour, chunk, expires_at, deadline)
        offenders = {f"u:{name}": n for name, n in tally.offenders.items() if n}
        for chunk in _chunks(offenders):
            try:
                self._add(scope, _OFFENDERS + hour, chunk, expires_at, deadline)
            except _ItemFullError:
                left_out.append("offenders")
                break
        return left_out

    def _add(
        self,
        scope: str,
        bucket: str,
        counters: Mapping[str, int],
        expires_at: int,
        deadline: Deadline,
    ) -> None:
        names = {"#ttl": constants.COUNTS_TTL_ATTRIBUTE}
        values: dict[str, Any] = {":ttl": expires_at}
        adds = []
        for index, (name, count) in enumerate(counters.items()):
            names[f"#a{index}"] = name
            values[f":a{index}"] = count
            adds.append(f"#a{index} :a{index}")
        try:
            aws.call_within(
                deadline,
                self._table.update_item,
                Key={
                    constants.COUNTS_PARTITION_KEY: scope,
                    constants.COUNTS_SORT_KEY: bucket,
                },
                UpdateExpression="SET #ttl = :ttl ADD " + ", ".join(adds),
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except ClientError as exc:
            error = exc.response.get("Error", {})
            if error.get("Code") == "ValidationException" and "size" in error.get("Message", ""):
                raise _ItemFullError from exc
            raise ServiceUnavailableError(
                "the counts could not be stored", code="store_unavailable"
            ) from exc
        except (BotoCoreError, aws.DeadlineExceededError) as exc:
            raise ServiceUnavailableError(
                "the counts could not be stored", code="store_unavailable"
            ) from exc

    # -- reading -------------------------------------------------------------------------

    def read(
        self, scope: str, first_hour: str, last_hour: str, *, deadline: Deadline
    ) -> dict[str, HourTally]:
        """``scope``'s counts for every stored hour from ``first_hour`` to ``last_hour``.

        Raises:
            ServiceUnavailableError: DynamoDB refused or did not answer in time.
        """
        tallies: dict[str, HourTally] = {}
        for prefix in (_TOTALS, _OFFENDERS):
            for item in self._query(scope, prefix + first_hour, prefix + last_hour, deadline):
                hour = str(item[constants.COUNTS_SORT_KEY])[len(prefix) :]
                tally = tallies.setdefault(hour, HourTally())
                for name, value in item.items():
                    if name.startswith("o:"):
                        tally.outcomes[name[2:]] += int(value)
                    elif name.startswith("c:"):
                        tally.categories[name[2:]] += int(value)
                    elif name.startswith("u:"):
                        tally.offenders[name[2:]] += int(value)
        return tallies

    def _query(
        self, scope: str, low: str, high: str, deadline: Deadline
    ) -> Iterator[Mapping[str, Any]]:
        request: dict[str, Any] = {
            "KeyConditionExpression": "#pk = :pk AND #sk BETWEEN :low AND :high",
            "ExpressionAttributeNames": {
                "#pk": constants.COUNTS_PARTITION_KEY,
                "#sk": constants.COUNTS_SORT_KEY,
            },
            "ExpressionAttributeValues": {":pk": scope, ":low": low, ":high": high},
        }
        for _ in range(_MAX_QUERY_PAGES):
            try:
                page = aws.call_within(deadline, self._table.query, **request)
            except (ClientError, BotoCoreError, aws.DeadlineExceededError) as exc:
                raise ServiceUnavailableError(
                    "the counts could not be read", code="store_unavailable"
                ) from exc
            yield from page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


class _ItemFullError(Exception):
    """The item would pass DynamoDB's 400 KB limit."""


def _chunks(counters: Mapping[str, int]) -> Iterator[dict[str, int]]:
    items = list(counters.items())
    for start in range(0, len(items), MAX_COUNTERS_PER_UPDATE):
        yield dict(items[start : start + MAX_COUNTERS_PER_UPDATE])
