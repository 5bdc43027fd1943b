"""Constants fixed in code, declared like levers and uncertainties.

Each :class:`Constant` has a name, a value (a number or a tuple of numbers by
option), units, a one-line meaning and its source or rationale. The ODD's
constants table is generated from :data:`CONSTANTS`. Mechanisms read a
constant through their context's parameter mapping (``context.p[name]``),
where scenario values take precedence, so promoting a constant to an
uncertainty is a change of its declaration's role, not of the code that
uses it.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Constant:
    """One constant of the model.

    Parameters
    ----------
    name : str
    value : float or tuple of float
        A tuple holds one value per option of a choice set, in code order.
    units : str
    meaning : str
    source : str
        Source key (calibration/data/SOURCES.md) or "assumption: why".
    """

    name: str
    value: float | tuple[float, ...]
    units: str
    meaning: str
    source: str


CONSTANTS: tuple[Constant, ...] = (
    # population and network
    Constant("low_meat_share", 0.1, "1", "households on a low-meat diet at the start",
             "assumption: order of magnitude of vegetarian and low-meat diets in Swedish surveys"),
    Constant("zone_tilt_apartment", (1.4, 1.1, 0.4), "1",
             "relative zone shares (central, urban, rural) of apartments", "assumption: flats lie near centres"),
    Constant("zone_tilt_detached", (0.4, 0.85, 2.0), "1",
             "relative zone shares (central, urban, rural) of detached houses", "assumption: houses lie outside"),
    Constant("firm_size_sigma", 1.3, "1", "log-standard deviation of workplace size (lognormal)",
             "assumption: most workplaces are small"),
    Constant("supplier_probability", (0.05, 0.05, 0.05, 0.3, 0.3, 0.05, 0.05), "1",
             "probability that a workplace supplies the municipal group, by firm sector",
             "assumption: construction and transport sell most to the municipality"),
    Constant("household_degree", 10.0, "1", "mean number of social ties per household", "assumption"),
    Constant("rewiring", 0.1, "1", "Watts-Strogatz rewiring probability of household ties",
             "assumption: Watts and Strogatz 1998 small-world range"),
    Constant("cluster_join", 0.3, "1", "share of a sector's firms in its cluster of Climatevolution",
             "assumption"),
    Constant("cluster_attachment", 2.0, "1", "new ties per firm in a cluster's preferential-attachment graph",
             "assumption: Barabasi-Albert m"),
    # decisions
    Constant("unit_attitude", 0.6, "1", "environmental attitude of a municipal unit",
             "assumption: units lean toward their own climate programme"),
    Constant("pledge_ramp_years", 5.0, "yr", "years over which a pledge's commitment is reached",
             "assumption"),
    Constant("unit_pledge_factor", 3.0, "1", "a municipal unit's pledge hazard relative to a firm's",
             "assumption: the programme asks its own units first"),
    Constant("phev_charging_factor", 0.3, "1", "weight of charging availability in the PHEV's constant",
             "assumption: a PHEV needs a charger less than a BEV"),
    Constant("car_imitation", (0.0, 0.0, 0.5, 1.0, 0.0), "1",
             "imitation weight of each car fuel (petrol, diesel, PHEV, BEV, biogas)", "assumption"),
    Constant("heating_imitation", (1.0, 1.0, 0.0, 0.0, 0.0), "1",
             "imitation weight of each heating system", "assumption: low-carbon heat is imitated"),
    # water-borne (hydronic) distribution of the base-year dwellings (ODD 5.2, 7.6.5)
    Constant("heat_pump_hydronic_share", 0.8, "1",
             "share of heat-pump homes whose pump feeds water-borne distribution (not air-to-air)",
             "dryft_direct_electric: about 10 % of houses combine direct electric and a heat pump, of about "
             "half with a heat pump"),
    Constant("direct_electric_hydronic_share", 0.3, "1",
             "share of homes on direct electric whose electric boiler feeds water-borne distribution",
             "assumption: range 0.2-0.5; most electrically heated houses of the 1970s-80s have panel radiators "
             "(villatidningen_direct_electric)"),
    Constant("fleet_imitation", (0.0, 0.5, 1.0), "1", "imitation weight of each firm fleet drive",
             "assumption"),
    Constant("process_imitation", (0.0, 1.0), "1", "imitation weight of process fuel and electrification",
             "assumption"),
    Constant("household_cost_unit", 10000.0, "SEK", "SEK per unit of utility of household and vehicle choices",
             "assumption: scale of the logit"),
    Constant("firm_cost_unit", 1000.0, "SEK", "SEK per unit of utility of firm choices (per MWh)",
             "assumption: scale of the logit"),
    Constant("municipal_vehicle_constant", (0.0, -0.5, -1.5), "1",
             "alternative-specific constants of municipal vehicles (fossil, biofuel, electric)", "assumption"),
    Constant("municipal_vehicle_green", (0.0, 0.7, 1.0), "1",
             "how low-carbon each municipal vehicle drive is", "assumption"),
    Constant("process_green", (0.0, 1.0), "1", "how low-carbon process fuel and electrification are",
             "definition"),
    # behaviour and accounting
    Constant("electric_vehicle_efficiency", 3.0, "1",
             "MWh of diesel-equivalent vehicle energy an electric fleet covers per MWh of electricity",
             "assumption: an electric drive train is about three times as efficient"),
    Constant("mode_shift_cap", 0.5, "1", "largest share of car kilometres moved to cycling and transit",
             "assumption"),
    Constant("rural_transit_factor", 0.5, "1", "share of the transit effect on mode shift in rural zones",
             "assumption: rural service is sparse; cycling lanes do not reach rural households"),
    Constant("claim_overestimate_spread", 2.0, "1",
             "a grant claim is the true cut times 1 + spread * overestimate * u, u uniform in [0, 1)",
             "definition: the mean overstatement is the uncertainty claim_overestimate"),
    # land use and removals (sim.land)
    Constant("biochar_ramp_years", 2.0, "yr",
             "years after its first year until biochar production is at capacity (a third, two thirds, full)",
             "assumption: a plant is commissioned and its feedstock contracts built over about three years"),
)

BY_NAME: dict[str, Constant] = {c.name: c for c in CONSTANTS}
VALUES: dict[str, float | tuple[float, ...]] = {c.name: c.value for c in CONSTANTS}
