"""The floor of any HTTP API in front of Temporal, for the starts benchmark: one FastAPI route that
starts the bare timer workflow and answers 201, served by uvicorn like the product's API.

    BENCH_TEMPORAL_ADDRESS=HOST:PORT BENCH_TASK_QUEUE=Q uvicorn --factory bench.minimal_api:app
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from bench.bare_timer import BenchTimer


def app() -> FastAPI:
    @asynccontextmanager
    async def lifespan(api: FastAPI) -> AsyncIterator[None]:
        api.state.client = await Client.connect(os.environ["BENCH_TEMPORAL_ADDRESS"],
                                                data_converter=pydantic_data_converter)
        yield

    api = FastAPI(lifespan=lifespan)

    @api.post("/start/{workflow_id}", status_code=201)
    async def start(workflow_id: str, request: Request) -> dict[str, str]:
        await request.app.state.client.start_workflow(
            BenchTimer.run, id=workflow_id, task_queue=os.environ["BENCH_TASK_QUEUE"])
        return {"id": workflow_id}

    return api
