"""The outcomes per run that the analyses (sensitivity, discovery, optimisation) can ask for.

Kept apart from :mod:`sim.factors` so that the command line can list them without importing numpy.
"""

ANALYSIS_OUTCOMES: dict[str, tuple[str, str]] = {
    "net_emissions_2030": ("t CO2e/yr", "net territorial emissions in the target's reduction year"),
    "net_emissions_2045": ("t CO2e/yr", "net territorial emissions in the climate-positive target year"),
    "target_2030_met": ("1", "reduction target met (1) or not (0), without compensation"),
    "climate_positive_2045": ("1", "climate positive in the target year (1) or not (0), without compensation"),
    "cost": ("SEK", "present net cost: costs + energy_expenditure over every payer (energy and fuel savings "
                    "count), discounted at the run's appraisal_discount_rate (real) to the year the levers take "
                    "effect and summed to 2045, SEK of the price year"),
}
"""Outcomes per run an analysis may ask for: units and long_name. The names keep 2030/2045; the
years are the municipality's targets' (the batch's ``target_reduction_year`` and
``target_climate_positive_year`` attributes)."""
