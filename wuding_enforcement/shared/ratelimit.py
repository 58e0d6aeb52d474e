"""The one rate limiter for anonymous public forms (error reports, document checks): at most `limit` attempts
per `window` seconds from one client address, counted in a fixed window in the cache (Redis in production, so
every worker counts together).

The address is kept only as a keyed hash (`address_digest`, with SECRET_KEY): neither the cache nor a table
holds a visitor's IP address (个人信息保护法 第六条: no more personal data than the purpose needs).

Fail open, like the page cache: when the cache fails the attempt is allowed and the failure logged — a public
form must not answer 500 because Redis is down. The caller passes the client's address (the audit module knows
how to read it behind the proxy); this shared service imports no domain module.
"""

import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger("wuding.ratelimit")


def address_digest(address: str | None) -> str:
    """A keyed SHA-256 of a client address ("" when unknown): the pseudonym stored instead of the IP."""
    if not address:
        return ""
    return hashlib.sha256(f"{settings.SECRET_KEY}:{address}".encode()).hexdigest()


@dataclass(frozen=True)
class RateLimit:
    name: str  # one counter per name: "disclosure.error_report"
    limit: int  # attempts allowed per window
    window: int  # seconds

    def key(self, address: str | None) -> str:
        return f"ratelimit:{self.name}:{address_digest(address) or 'unknown'}"

    def exceeded(self, address: str | None) -> bool:
        """Count one attempt from `address`; True when it goes over the limit (refuse this attempt)."""
        key = self.key(address)
        try:
            if cache.add(key, 1, self.window):
                count = 1
            else:
                try:
                    count = cache.incr(key)
                except ValueError:  # the window expired between add() and incr(): this opens a new one
                    cache.add(key, 1, self.window)
                    count = 1
        except Exception:
            logger.error("rate limit %s: cache unavailable, attempt allowed", self.name, exc_info=True)
            return False
        if count > self.limit:
            logger.warning("rate limit %s exceeded (%s attempts in %s s)", self.name, count, self.window)
            return True
        return False
