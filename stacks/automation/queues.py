"""Where work waits: the events queue the rules feed, the FIFO reconcile queue (one message per scope), a
dead-letter queue for each, and the idempotency table the handlers share."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from stacks.automation import permissions

MAX_RECEIVES = 3
RECONCILE_VISIBILITY = cdk.Duration.minutes(20)
"""Longer than the worker's 15-minute timeout: a message is not delivered again while its reconcile runs."""


class Queues(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, router_timeout: cdk.Duration, key: kms.IKey | None = None
    ) -> None:
        """`key`: the customer managed key (stacks.automation.encryption); None: SQS-managed encryption."""
        super().__init__(scope, construct_id)
        self.key = key
        self.events_dlq = self._queue("EventsDlq", fifo=False, visibility=cdk.Duration.seconds(30), dlq=None)
        self.events = self._queue(
            "EventsQueue",
            fifo=False,
            visibility=cdk.Duration.seconds(6 * router_timeout.to_seconds()),
            dlq=self.events_dlq,
        )
        self.reconcile_dlq = self._queue("ReconcileDlq", fifo=True, visibility=cdk.Duration.seconds(30), dlq=None)
        self.reconcile = self._queue(
            "ReconcileQueue", fifo=True, visibility=RECONCILE_VISIBILITY, dlq=self.reconcile_dlq
        )
        for dlq in (self.events_dlq, self.reconcile_dlq):
            permissions.acknowledge(dlq, "AwsSolutions-SQS3", "This queue is itself a dead-letter queue.")
        self.table = dynamodb.Table(
            self,
            "Idempotency",
            partition_key=dynamodb.Attribute(name="id", type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
            time_to_live_attribute="expiration",
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True
            ),
            removal_policy=cdk.RemovalPolicy.DESTROY,
        )

    def _queue(self, name: str, *, fifo: bool, visibility: cdk.Duration, dlq: sqs.IQueue | None) -> sqs.Queue:
        return sqs.Queue(
            self,
            name,
            fifo=fifo or None,
            content_based_deduplication=True if fifo else None,
            encryption=sqs.QueueEncryption.KMS if self.key else sqs.QueueEncryption.SQS_MANAGED,
            encryption_master_key=self.key,
            enforce_ssl=True,
            visibility_timeout=visibility,
            retention_period=cdk.Duration.days(14 if dlq is None else 4),
            dead_letter_queue=sqs.DeadLetterQueue(queue=dlq, max_receive_count=MAX_RECEIVES) if dlq else None,
        )
