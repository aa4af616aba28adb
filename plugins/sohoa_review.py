"""The archivists' review pages and the campaign dashboard, declared to Airflow's api-server: one FastAPI app under
``/sohoa/`` (the ``webui`` package), behind Airflow's own login, and two entries of the UI's navigation.

Airflow loads every module of the plugins folder in every task process, to find the listeners. The app itself
imports FastAPI and Airflow's API security (about 0.7 CPU s), so it is built on the first request the api-server
passes to it, never in a task.
"""

from __future__ import annotations

from typing import Any

from airflow.plugins_manager import AirflowPlugin


class SohoaPages:
    """An ASGI app that builds ``webui.review.app`` when the api-server first passes it a request."""

    def __init__(self) -> None:
        self._app: Any = None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if self._app is None:
            from webui.review import app

            self._app = app
        await self._app(scope, receive, send)


class SohoaReviewPlugin(AirflowPlugin):
    name = "sohoa_review"
    fastapi_apps = [{"app": SohoaPages(), "url_prefix": "/sohoa", "name": "sohoa: kiểm duyệt"}]
    external_views = [{"name": "Kiểm duyệt (sohoa)", "href": "/sohoa/", "destination": "nav",
                       "url_route": "sohoa", "category": "browse"}]


class SohoaCampaignPlugin(AirflowPlugin):
    name = "sohoa_campaign"
    external_views = [{"name": "Tiến độ số hóa (sohoa)", "href": "/sohoa/campaign/", "destination": "nav",
                       "url_route": "sohoa-campaign", "category": "browse"}]
