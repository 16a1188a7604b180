"""CloudFormation custom resource: after each deploy that changes the config, queue a full reconcile.

Its only property that changes is the config hash, so CloudFormation calls it (Update) exactly when the
config changed. The reconcile runs in the worker; failures go to the topic instead of failing the deploy.
"""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from aws_lambda_powertools import Logger
from aws_lambda_powertools.utilities.typing import LambdaContext

from entra_aws.engine.scope import Scope
from entra_aws.events.messages import ReconcileMessage
from lambdas import _runtime

logger = Logger()


def queue_full_reconcile(request_id: str) -> ReconcileMessage:
    message = ReconcileMessage.for_scope(request_id, "deploy", Scope.everything(), "cdk deploy")
    _runtime.queue_reconciles([message])
    return message


def respond(event: dict[str, Any], status: str, reason: str = "") -> None:
    body = json.dumps(
        {
            "Status": status,
            "Reason": reason or status,
            "PhysicalResourceId": event.get("PhysicalResourceId") or "entra-aws-deploy-reconcile",
            "StackId": event["StackId"],
            "RequestId": event["RequestId"],
            "LogicalResourceId": event["LogicalResourceId"],
        }
    ).encode()
    request = urllib.request.Request(event["ResponseURL"], data=body, method="PUT", headers={"Content-Type": ""})
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> None:
    logger.set_correlation_id(event.get("RequestId"))
    try:
        if event.get("RequestType") in ("Create", "Update"):
            queue_full_reconcile(event["RequestId"])
            logger.info("full reconcile queued after deploy")
        respond(event, "SUCCESS")
    except Exception as error:
        logger.exception("could not queue the deploy-time reconcile")
        respond(event, "FAILED", f"could not queue the deploy-time reconcile: {error}"[:250])
