"""What the routes answer, as response models, so /openapi.json describes what clients get.

FastAPI filters every answer through its route's model: a field missing from a model would silently
vanish from the response. tests/api/test_response_models.py checks each model against the domain
type or table row it is shaped from.

The nested parts of a view are the domain's own frozen dataclasses (an enrolment request, a case's
determination, …): a field the domain adds reaches the answer and the schema without an edit here.
Moments the helpers already wrote as text (`isoformat()`, with its offset) stay text (`IsoMoment`).

processes: onboardings and injury cases; records: evidence, documents, outbox, notices; tools: the
expense ledger, the compensation estimate, the dispute history.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import WithJsonSchema

IsoMoment = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]
"""A moment written by `datetime.isoformat()`: passed through as written (`+00:00`, not `Z`)."""
