"""Telling people: the encrypted topic (drift, failed reconciles, alarms) with the config's e-mail
subscriptions, and the alarms on dead letters, queue age and handler errors."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from stacks.automation.encryption import PUBLISH, allow_service, this_account
from stacks.automation.functions import Functions
from stacks.automation.queues import Queues

PERIOD = cdk.Duration.minutes(5)


class Notifications(Construct):
    def __init__(self, scope: Construct, construct_id: str, *, emails: list[str], key: kms.IKey | None = None) -> None:
        """`key`: the customer managed key (stacks.automation.encryption); None: the topic's own key."""
        super().__init__(scope, construct_id)
        self.key = key or self._own_key()
        self.topic = sns.Topic(
            self,
            "Notifications",
            display_name="entra-aws drift and failures",
            master_key=self.key,
            enforce_ssl=True,
        )
        for email in emails:
            self.topic.add_subscription(subscriptions.EmailSubscription(email))

    def _own_key(self) -> kms.Key:
        key = kms.Key(self, "NotificationKey", enable_key_rotation=True, description="entra-aws notifications topic")
        allow_service(key, "cloudwatch.amazonaws.com", PUBLISH, this_account(cdk.Stack.of(self)))
        return key


class Alarms(Construct):
    """Each alarm notifies the topic; a missing metric (nothing happened) is not a breach."""

    def __init__(
        self, scope: Construct, construct_id: str, *, topic: sns.ITopic, queues: Queues, functions: Functions
    ) -> None:
        super().__init__(scope, construct_id)
        self.topic = topic
        for name, dlq in (("EventsDlqDepth", queues.events_dlq), ("ReconcileDlqDepth", queues.reconcile_dlq)):
            metric = dlq.metric_approximate_number_of_messages_visible(period=PERIOD, statistic="Maximum")
            self._alarm(name, metric, 1, f"messages in {name.removesuffix('Depth')}; see docs/automation.md")
        age = queues.events.metric_approximate_age_of_oldest_message(period=PERIOD, statistic="Maximum")
        self._alarm("EventsQueueAge", age, 900, "events wait more than 15 minutes to be routed")
        age = queues.reconcile.metric_approximate_age_of_oldest_message(period=PERIOD, statistic="Maximum")
        self._alarm("ReconcileQueueAge", age, 3600, "reconciles wait more than an hour")
        for name, function in (("RouterErrors", functions.router), ("WorkerErrors", functions.worker)):
            self._alarm(name, function.metric_errors(period=PERIOD, statistic="Sum"), 1, f"{name} > 0")

    def _alarm(self, name: str, metric: cloudwatch.IMetric, threshold: float, what: str) -> None:
        alarm = cloudwatch.Alarm(
            self,
            name,
            metric=metric,
            threshold=threshold,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=f"entra-aws: {what}",
        )
        alarm.add_alarm_action(cw_actions.SnsAction(self.topic))
