"""The backend's /api/v1 as an async client for the actions. The only way the bot reaches the records."""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

import aiohttp


class APIUnavailable(Exception):
    """The backend didn't answer (down, slow, or the network failed)."""


class APIError(Exception):
    def __init__(self, status: int, detail: Any) -> None:
        super().__init__(f"{status}: {detail}")
        self.status = status
        self.detail = detail

    @property
    def message(self) -> str:
        """The first human-readable reason in the error."""
        if isinstance(self.detail, list) and self.detail:
            return str(self.detail[0].get("msg", self.detail[0]))
        return str(self.detail)


class WaterDeskAPI:
    def __init__(self, *, base_url: str, token: str, timeout: float = 8.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        # One pooled session per process, created inside the running event loop.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        return self._session

    async def request(
        self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None,
        verification_token: str | None = None, conversation_id: str | None = None,
        idempotency_key: str | None = None,
    ) -> Any:
        headers = {"Authorization": f"Bearer {self.token}", "X-Actor": "bot"}
        if verification_token:
            headers["X-Verification-Token"] = verification_token
        if conversation_id:
            headers["X-Conversation-Id"] = conversation_id[:100]
        if idempotency_key:
            headers["Idempotency-Key"] = idempotency_key[:200]
        try:
            async with self._client().request(
                method, f"{self.base_url}/api/v1{path}", json=json, params=params, headers=headers
            ) as resp:
                body = await resp.json(content_type=None)
                if resp.status >= 400:
                    detail = body.get("detail", body) if isinstance(body, dict) else body
                    raise APIError(resp.status, detail)
                return body
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise APIUnavailable(str(exc) or exc.__class__.__name__) from exc

    # Reads
    async def verify(self, **fields: Any) -> dict[str, Any]:
        return await self.request("POST", "/verify", json={k: v for k, v in fields.items() if v})

    async def account(self, number: str, *, token: str) -> dict[str, Any]:
        return await self.request("GET", f"/accounts/{number}", verification_token=token)

    async def explain_latest_bill(self, number: str, *, token: str) -> dict[str, Any]:
        return await self.request("GET", f"/accounts/{number}/bills/latest/explanation",
                                  verification_token=token)

    async def usage(self, number: str, *, token: str, months: int = 12) -> dict[str, Any]:
        return await self.request("GET", f"/accounts/{number}/usage", params={"months": months},
                                  verification_token=token)

    async def high_bill(self, number: str, *, token: str) -> dict[str, Any]:
        return await self.request("GET", f"/accounts/{number}/high-bill", verification_token=token)

    async def eligibility(self, number: str, *, token: str) -> dict[str, Any]:
        return await self.request("GET", f"/accounts/{number}/eligibility", verification_token=token)

    async def orders(self, number: str, *, token: str,
                     order_number: str | None = None) -> list[dict[str, Any]]:
        """The account's open and recent orders; with order_number, that one if it's theirs."""
        params = {"number": order_number} if order_number else None
        return await self.request("GET", f"/accounts/{number}/orders",  # type: ignore[no-any-return]
                                  params=params, verification_token=token)

    async def district(self) -> dict[str, Any]:
        return await self.request("GET", "/district")

    async def rates(self, *, account_type: str = "residential", hcf: int = 12) -> dict[str, Any]:
        return await self.request("GET", "/district/rates",
                                  params={"account_type": account_type, "hcf": hcf})

    async def in_service_area(self, zip_code: str) -> bool:
        return bool((await self.request("GET", f"/district/service-area/{zip_code}"))["in_service_area"])

    async def check_service_date(self, day: str) -> dict[str, Any]:
        return await self.request("GET", f"/district/service-dates/{day}")

    async def outages(self, *, zip_code: str | None = None, address: str | None = None) -> list[Any]:
        params = {"zip": zip_code} if zip_code else {"address": address}
        return await self.request("GET", "/outages", params=params)  # type: ignore[no-any-return]

    # Writes: every one carries an idempotency key so a retried action never writes twice.
    async def write(self, method: str, path: str, *, body: Any, key: str, token: str | None = None,
                    conversation_id: str | None = None) -> dict[str, Any]:
        return await self.request(method, path, json=body, verification_token=token,
                                  idempotency_key=key, conversation_id=conversation_id)


@lru_cache(maxsize=1)
def get_api() -> WaterDeskAPI:
    """The client the action server uses, configured from its environment on first use."""
    return WaterDeskAPI(
        base_url=os.environ.get("WATERDESK_API_URL", "http://127.0.0.1:8000"),
        token=os.environ.get("WATERDESK_SERVICE_TOKEN", "dev-only-service-token"),
        timeout=float(os.environ.get("WATERDESK_API_TIMEOUT", "8")),
    )
