"""Queue triggers (Service Bus in Azure): decode the message, hand it to the dispatcher."""

from __future__ import annotations

import azure.functions as func

from shared.messaging import QueueNames, decode_servicebus_delivery

bp = func.Blueprint()

SERVICE_BUS_CONNECTION = "ServiceBusConnection"  # app setting prefix: ServiceBusConnection__fullyQualifiedNamespace


def handle(queue: str, message: func.ServiceBusMessage) -> None:
    """Raising leaves the message to Service Bus, which redelivers it and dead-letters it at the end."""
    from shared.bootstrap import get_container
    from shared.services.handlers import dispatcher
    from shared.telemetry import correlation_scope

    container = get_container()
    delivery = decode_servicebus_delivery(message, max_deliveries=container.settings.queue_max_attempts)
    with correlation_scope(delivery.message.correlation_id):
        dispatcher.dispatch(container, queue, delivery)


@bp.function_name("provisioning")
@bp.service_bus_queue_trigger(arg_name="message", queue_name=QueueNames.PROVISIONING, connection=SERVICE_BUS_CONNECTION)
def provisioning(message: func.ServiceBusMessage) -> None:
    handle(QueueNames.PROVISIONING, message)


@bp.function_name("relationship_checks")
@bp.service_bus_queue_trigger(
    arg_name="message", queue_name=QueueNames.RELATIONSHIP_CHECKS, connection=SERVICE_BUS_CONNECTION
)
def relationship_checks(message: func.ServiceBusMessage) -> None:
    handle(QueueNames.RELATIONSHIP_CHECKS, message)


@bp.function_name("partner_center_events")
@bp.service_bus_queue_trigger(
    arg_name="message", queue_name=QueueNames.PARTNER_CENTER_EVENTS, connection=SERVICE_BUS_CONNECTION
)
def partner_center_events(message: func.ServiceBusMessage) -> None:
    handle(QueueNames.PARTNER_CENTER_EVENTS, message)


@bp.function_name("subscription_changes")
@bp.service_bus_queue_trigger(
    arg_name="message", queue_name=QueueNames.SUBSCRIPTION_CHANGES, connection=SERVICE_BUS_CONNECTION
)
def subscription_changes(message: func.ServiceBusMessage) -> None:
    handle(QueueNames.SUBSCRIPTION_CHANGES, message)


@bp.function_name("billing_runs")
@bp.service_bus_queue_trigger(arg_name="message", queue_name=QueueNames.BILLING_RUNS, connection=SERVICE_BUS_CONNECTION)
def billing_runs(message: func.ServiceBusMessage) -> None:
    handle(QueueNames.BILLING_RUNS, message)


@bp.function_name("catalog_syncs")
@bp.service_bus_queue_trigger(
    arg_name="message", queue_name=QueueNames.CATALOG_SYNCS, connection=SERVICE_BUS_CONNECTION
)
def catalog_syncs(message: func.ServiceBusMessage) -> None:
    handle(QueueNames.CATALOG_SYNCS, message)


@bp.function_name("notifications")
@bp.service_bus_queue_trigger(
    arg_name="message", queue_name=QueueNames.NOTIFICATIONS, connection=SERVICE_BUS_CONNECTION
)
def notifications(message: func.ServiceBusMessage) -> None:
    handle(QueueNames.NOTIFICATIONS, message)
