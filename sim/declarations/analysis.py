"""The outcomes per run that the analyses (sensitivity, discovery, optimisation) can ask for.

Kept apart from :mod:`sim.factors` so that the command line can list them without importing numpy.
"""

ANALYSIS_OUTCOMES: dict[str, tuple[str, str]] = {
    "net_emissions_2030": ("t CO2e/yr", "net territorial emissions in the target's reduction year"),
    "net_emissions_2045": ("t CO2e/yr", "net territorial emissions in the climate-positive target year"),
    "target_2030_met": ("1", "reduction target met (1) or not (0), without compensation"),
    "climate_positive_2045": ("1", "climate positive in the target year (1) or not (0), without compensation"),
    "cost": ("SEK", "sum of costs over years and payers (undiscounted)"),
}
"""Outcomes per run an analysis may ask for: units and long_name. The names keep 2030/2045; the
years are the municipality's targets' (the batch's ``target_reduction_year`` and
``target_climate_positive_year`` attributes)."""
