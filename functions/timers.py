"""Timer triggers: schedules come from app settings (%NAME%), the work from shared/services."""

from __future__ import annotations

import azure.functions as func

bp = func.Blueprint()


@bp.function_name("idempotency_sweep")
@bp.timer_trigger(arg_name="timer", schedule="%IDEMPOTENCY_SWEEP_SCHEDULE%", run_on_startup=False, use_monitor=True)
def idempotency_sweep(timer: func.TimerRequest) -> None:
    from shared.bootstrap import get_container
    from shared.services.sweeps import purge_expired_idempotency_keys

    purge_expired_idempotency_keys(get_container())


@bp.function_name("relationship_sweep")
@bp.timer_trigger(arg_name="timer", schedule="%RELATIONSHIP_SWEEP_SCHEDULE%", run_on_startup=False, use_monitor=True)
def relationship_sweep(timer: func.TimerRequest) -> None:
    from shared.bootstrap import get_container
    from shared.services.sweeps import sweep_relationships

    sweep_relationships(get_container())
