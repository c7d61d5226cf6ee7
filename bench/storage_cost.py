"""Monthly S3 storage cost of 1 GB/day ingested into each lakehouse layer under the default rules.

Deterministic, no network. For each environment (local, dev, prod) and layer (raw, bronze, silver,
gold) it simulates daily cohorts of 1 GB that age through the layer's lifecycle stages
(STANDARD -> infrequent access -> archive -> expiry) and prints, per month, the storage bill
(GB-months x price), lifecycle-transition requests and minimum-storage-duration (early delete)
charges. ENV_SETTINGS mirrors `storage_layer_settings` of envs/<env>
(tests/e2e/test_storage_emulator.py checks the local one against the applied environment).

Assumptions (printed with the results):
- 30-day months; cohorts ingested from day 0; data never read (no retrieval fees), so the figures
  are storage-only. Reads from STANDARD_IA / GLACIER_IR add per-GB retrieval fees.
- Objects average 64 MB (16 objects/GB/day) and are >= 128 KB, so every object is transitioned
  (transition_default_minimum_object_size = all_storage_classes_128K skips smaller ones).
- Only current versions: noncurrent versions of rewritten objects are priced separately below.
- Not included: KMS key ($1.00/month per key; SSE-KMS requests are cut by the S3 bucket key),
  requests from the jobs themselves, access-log volume.

Run: .venv/bin/python bench/storage_cost.py
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

PRICE_SOURCE = (
    "AWS S3 pricing page, Europe (Ireland) eu-west-1, first-50-TB tier, USD list prices as recorded "
    "for this project on 2026-11-21 (not re-verified online: the build machines have no internet)"
)

# USD per GB-month of storage.
STORAGE_PRICE: dict[str, float] = {
    "STANDARD": 0.023,
    "STANDARD_IA": 0.0125,
    "ONEZONE_IA": 0.01,
    "INTELLIGENT_TIERING": 0.023,  # frequent tier; see INTELLIGENT_TIERING_TIERS
    "GLACIER_IR": 0.004,
    "GLACIER": 0.0036,
    "DEEP_ARCHIVE": 0.00099,
}
# Intelligent-Tiering with no access: frequent 0-29 days, infrequent 30-89, archive instant 90+.
INTELLIGENT_TIERING_TIERS: tuple[tuple[int, float], ...] = ((0, 0.023), (30, 0.0125), (90, 0.004))
INTELLIGENT_TIERING_MONITORING_PER_1000_OBJECTS = 0.0025
# USD per 1,000 lifecycle transition requests into the class.
TRANSITION_PRICE_PER_1000: dict[str, float] = {
    "STANDARD_IA": 0.01,
    "ONEZONE_IA": 0.01,
    "INTELLIGENT_TIERING": 0.01,
    "GLACIER_IR": 0.02,
    "GLACIER": 0.03,
    "DEEP_ARCHIVE": 0.05,
}
# Minimum storage duration (days) billed when an object leaves the class earlier.
MIN_DAYS: dict[str, int] = {
    "STANDARD": 0,
    "STANDARD_IA": 30,
    "ONEZONE_IA": 30,
    "INTELLIGENT_TIERING": 0,
    "GLACIER_IR": 90,
    "GLACIER": 90,
    "DEEP_ARCHIVE": 180,
}

GB_PER_DAY = 1.0
OBJECTS_PER_GB = 16
DAYS_PER_MONTH = 30
LAYERS = ("raw", "bronze", "silver", "gold")
REPORT_MONTHS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15, 18, 24, 30, 36)


@dataclass(frozen=True)
class LayerAgeing:
    """Effective ageing of one layer, as modules/lakehouse_storage outputs it (0 = stage off)."""

    infrequent_access_days: int
    infrequent_access_class: str
    archive_days: int
    archive_class: str
    expiration_days: int
    noncurrent_expiration_days: int


def _layer(ia: int, archive: int, expire: int, noncurrent: int) -> LayerAgeing:
    return LayerAgeing(ia, "STANDARD_IA", archive, "GLACIER_IR", expire, noncurrent)


# Mirrors modules/lakehouse_storage defaults + envs/<env>/storage.tf.
ENV_SETTINGS: dict[str, dict[str, LayerAgeing]] = {
    "local": {
        "raw": _layer(30, 60, 180, 7),
        "bronze": _layer(30, 60, 180, 7),
        "silver": _layer(30, 0, 0, 7),
        "gold": _layer(90, 0, 0, 7),
    },
    "dev": {
        "raw": _layer(30, 60, 180, 7),
        "bronze": _layer(30, 60, 180, 7),
        "silver": _layer(30, 0, 0, 7),
        "gold": _layer(90, 0, 0, 7),
    },
    "prod": {
        "raw": _layer(30, 90, 730, 30),
        "bronze": _layer(30, 90, 730, 30),
        "silver": _layer(30, 0, 0, 30),
        "gold": _layer(90, 0, 0, 30),
    },
}


@dataclass(frozen=True)
class Stage:
    storage_class: str
    start_day: int  # age at which objects enter the class
    end_day: Optional[int]  # age at which they leave it (None = never)


def stages(ageing: LayerAgeing) -> list[Stage]:
    """The storage classes an object passes through, with the ages it enters and leaves them."""
    starts = [("STANDARD", 0)]
    if ageing.infrequent_access_days > 0:
        starts.append((ageing.infrequent_access_class, ageing.infrequent_access_days))
    if ageing.archive_days > 0:
        starts.append((ageing.archive_class, ageing.archive_days))
    expire = ageing.expiration_days or None
    result = []
    for index, (storage_class, start) in enumerate(starts):
        if expire is not None and start >= expire:
            break
        end = starts[index + 1][1] if index + 1 < len(starts) else expire
        if end is not None and expire is not None:
            end = min(end, expire)
        result.append(Stage(storage_class, start, end))
    return result


def cohorts_in_age_range(day: int, start: int, end: Optional[int]) -> float:
    """GB stored on `day` (cohorts 0..day, one per day) whose age lies in [start, end)."""
    oldest_age = day  # the cohort of day 0
    upper = oldest_age + 1 if end is None else min(end, oldest_age + 1)
    return max(0, upper - start) * GB_PER_DAY


def storage_price_for_age(storage_class: str, age_in_class: int) -> float:
    if storage_class != "INTELLIGENT_TIERING":
        return STORAGE_PRICE[storage_class]
    return next(price for start, price in reversed(INTELLIGENT_TIERING_TIERS) if age_in_class >= start)


@dataclass
class MonthCost:
    storage: float = 0.0
    transitions: float = 0.0
    early_delete: float = 0.0
    stored_gb_end: float = 0.0

    @property
    def total(self) -> float:
        return self.storage + self.transitions + self.early_delete


def day_storage_cost(day: int, layer_stages: list[Stage]) -> float:
    """Storage cost accrued on one day (1/30 of a GB-month per GB stored)."""
    cost = 0.0
    for stage in layer_stages:
        if stage.storage_class == "INTELLIGENT_TIERING":
            for tier_start, price in INTELLIGENT_TIERING_TIERS:
                lo = stage.start_day + tier_start
                gb = cohorts_in_age_range(day, lo, stage.end_day)
                next_tiers = [s for s, _ in INTELLIGENT_TIERING_TIERS if s > tier_start]
                if next_tiers:
                    gb -= cohorts_in_age_range(day, stage.start_day + next_tiers[0], stage.end_day)
                cost += max(gb, 0.0) * price / DAYS_PER_MONTH
            gb_all = cohorts_in_age_range(day, stage.start_day, stage.end_day)
            cost += (
                gb_all
                * OBJECTS_PER_GB
                * INTELLIGENT_TIERING_MONITORING_PER_1000_OBJECTS
                / 1000
                / DAYS_PER_MONTH
            )
        else:
            gb = cohorts_in_age_range(day, stage.start_day, stage.end_day)
            cost += gb * STORAGE_PRICE[stage.storage_class] / DAYS_PER_MONTH
    return cost


def day_event_costs(day: int, layer_stages: list[Stage]) -> tuple[float, float]:
    """Transition-request and early-delete charges for the cohort reaching a stage boundary today."""
    transitions = early = 0.0
    for stage in layer_stages:
        if stage.start_day > 0 and day >= stage.start_day:  # one cohort enters today
            transitions += GB_PER_DAY * OBJECTS_PER_GB * TRANSITION_PRICE_PER_1000[stage.storage_class] / 1000
        if stage.end_day is not None and day >= stage.end_day:  # one cohort leaves today
            shortfall = MIN_DAYS[stage.storage_class] - (stage.end_day - stage.start_day)
            if shortfall > 0:
                early += GB_PER_DAY * shortfall * STORAGE_PRICE[stage.storage_class] / DAYS_PER_MONTH
    return transitions, early


def monthly_costs(ageing: LayerAgeing, months: int) -> list[MonthCost]:
    layer_stages = stages(ageing)
    result = []
    for month in range(months):
        cost = MonthCost()
        for day in range(month * DAYS_PER_MONTH, (month + 1) * DAYS_PER_MONTH):
            cost.storage += day_storage_cost(day, layer_stages)
            transitions, early = day_event_costs(day, layer_stages)
            cost.transitions += transitions
            cost.early_delete += early
        last_day = (month + 1) * DAYS_PER_MONTH - 1
        cost.stored_gb_end = sum(cohorts_in_age_range(last_day, s.start_day, s.end_day) for s in layer_stages)
        result.append(cost)
    return result


def describe(ageing: LayerAgeing) -> str:
    parts = [f"{s.storage_class}@{s.start_day}d" for s in stages(ageing) if s.storage_class != "STANDARD"]
    parts.append(f"expire@{ageing.expiration_days}d" if ageing.expiration_days else "keep")
    return "STANDARD -> " + " -> ".join(parts)


def print_prices() -> None:
    print(f"Price table ({PRICE_SOURCE}):")
    print(f"  {'class':<20}{'$/GB-month':>12}{'$/1k transitions':>18}{'min days':>10}")
    for storage_class, price in STORAGE_PRICE.items():
        transition = TRANSITION_PRICE_PER_1000.get(storage_class)
        transition_text = f"{transition:.3f}" if transition is not None else "-"
        print(f"  {storage_class:<20}{price:>12.5f}{transition_text:>18}{MIN_DAYS[storage_class]:>10}")
    print(
        f"  Intelligent-Tiering tiers (no access): {INTELLIGENT_TIERING_TIERS}, monitoring "
        f"${INTELLIGENT_TIERING_MONITORING_PER_1000_OBJECTS}/1k objects/month"
    )
    print(
        f"Assumptions: {GB_PER_DAY:g} GB/day per layer, {OBJECTS_PER_GB} objects/GB, "
        f"{DAYS_PER_MONTH}-day months, no reads, current versions only.\n"
    )


def print_env(env: str, months: int) -> dict[str, list[MonthCost]]:
    settings = ENV_SETTINGS[env]
    costs = {layer: monthly_costs(settings[layer], months) for layer in LAYERS}
    print(f"== {env}")
    for layer in LAYERS:
        print(f"  {layer:<7}{describe(settings[layer])}")
    header = "".join(f"{layer:>10}" for layer in LAYERS)
    print(f"  {'month':>5}{header}{'total':>10}{'GB stored':>11}{'all-STD':>10}{'saving':>8}")
    for month in REPORT_MONTHS:
        if month > months:
            break
        row = [costs[layer][month - 1] for layer in LAYERS]
        total = sum(c.total for c in row)
        stored = sum(c.stored_gb_end for c in row)
        # Same data with no ageing and the same expiry: what the lifecycle rules save.
        baseline = sum(
            monthly_costs(_all_standard(settings[layer]), month)[month - 1].total for layer in LAYERS
        )
        saving = 1 - total / baseline if baseline else 0.0
        cells = "".join(f"{c.total:>10.3f}" for c in row)
        print(f"  {month:>5}{cells}{total:>10.3f}{stored:>11.0f}{baseline:>10.3f}{saving:>8.0%}")
    print()
    return costs


def _all_standard(ageing: LayerAgeing) -> LayerAgeing:
    return LayerAgeing(0, ageing.infrequent_access_class, 0, ageing.archive_class, ageing.expiration_days, 0)


def print_noncurrent_overhead() -> None:
    """Silver and gold snapshots are rewritten each run: the replaced versions stay (STANDARD)
    until noncurrent expiry, so a snapshot of S GB costs about S x noncurrent_days GB extra."""
    print("Noncurrent-version overhead of a 1 GB snapshot rewritten daily (silver/gold), per month:")
    for env, settings in ENV_SETTINGS.items():
        days = settings["silver"].noncurrent_expiration_days
        extra_gb = days * 1.0
        print(
            f"  {env:<6} noncurrent_expiration_days={days:<3} extra {extra_gb:>4.0f} GB -> "
            f"${extra_gb * STORAGE_PRICE['STANDARD']:.3f}/month per GB of snapshot"
        )
    print()


def main() -> None:
    print_prices()
    for env in ENV_SETTINGS:
        print_env(env, max(REPORT_MONTHS))
    print_noncurrent_overhead()


if __name__ == "__main__":
    main()
