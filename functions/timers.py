"""Timer triggers: schedules come from app settings (%NAME%), the work from shared/services (each sweep is given the
container members it names, through `Container.call`)."""

from __future__ import annotations

import azure.functions as func

bp = func.Blueprint()


@bp.function_name("idempotency_sweep")
@bp.timer_trigger(arg_name="timer", schedule="%IDEMPOTENCY_SWEEP_SCHEDULE%", run_on_startup=False, use_monitor=True)
def idempotency_sweep(timer: func.TimerRequest) -> None:
    from shared.bootstrap import get_container
    from shared.services.sweeps import purge_expired_idempotency_keys

    get_container().call(purge_expired_idempotency_keys)


@bp.function_name("relationship_sweep")
@bp.timer_trigger(arg_name="timer", schedule="%RELATIONSHIP_SWEEP_SCHEDULE%", run_on_startup=False, use_monitor=True)
def relationship_sweep(timer: func.TimerRequest) -> None:
    from shared.bootstrap import get_container
    from shared.services.sweeps import sweep_relationships

    get_container().call(sweep_relationships)


@bp.function_name("provisioning_sweep")
@bp.timer_trigger(arg_name="timer", schedule="%PROVISIONING_SWEEP_SCHEDULE%", run_on_startup=False, use_monitor=True)
def provisioning_sweep(timer: func.TimerRequest) -> None:
    from shared.bootstrap import get_container
    from shared.services.sweeps import sweep_provisioning

    get_container().call(sweep_provisioning)


@bp.function_name("subscription_sync")
@bp.timer_trigger(arg_name="timer", schedule="%SUBSCRIPTION_SYNC_SCHEDULE%", run_on_startup=False, use_monitor=True)
def subscription_sync(timer: func.TimerRequest) -> None:
    from shared.bootstrap import get_container
    from shared.services.sweeps import sync_subscriptions

    get_container().call(sync_subscriptions)


@bp.function_name("catalog_sync")
@bp.timer_trigger(arg_name="timer", schedule="%CATALOG_SYNC_SCHEDULE%", run_on_startup=False, use_monitor=True)
def catalog_sync(timer: func.TimerRequest) -> None:
    from shared.bootstrap import get_container
    from shared.services.sweeps import sync_catalogs

    get_container().call(sync_catalogs)


@bp.function_name("billing_unbilled")
@bp.timer_trigger(arg_name="timer", schedule="%BILLING_UNBILLED_SCHEDULE%", run_on_startup=False, use_monitor=True)
def billing_unbilled(timer: func.TimerRequest) -> None:
    from shared.bootstrap import get_container
    from shared.services.sweeps import run_unbilled_billing

    get_container().call(run_unbilled_billing)


@bp.function_name("billing_billed")
@bp.timer_trigger(arg_name="timer", schedule="%BILLING_BILLED_SCHEDULE%", run_on_startup=False, use_monitor=True)
def billing_billed(timer: func.TimerRequest) -> None:
    from shared.bootstrap import get_container
    from shared.services.sweeps import run_billed_billing

    get_container().call(run_billed_billing)


@bp.function_name("notification_sweep")
@bp.timer_trigger(arg_name="timer", schedule="%NOTIFICATION_SWEEP_SCHEDULE%", run_on_startup=False, use_monitor=True)
def notification_sweep(timer: func.TimerRequest) -> None:
    from shared.bootstrap import get_container
    from shared.services.sweeps import sweep_notifications

    get_container().call(sweep_notifications)
