"""The scenario schema: every lever and uncertainty, declared once.

Each :class:`Parameter` carries its type, bounds, units, default, a one-line
meaning and its source or rationale. The declaration drives scenario
validation, the error messages, the ODD parameter table and the tests of bad
input. Levers are what the city decides; uncertainties are what it does not
control and are given as distributions.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Role = Literal["lever", "uncertainty"]


@dataclass(frozen=True)
class Parameter:
    """One lever or uncertainty of the model.

    Parameters
    ----------
    name : str
        Identifier used in scenario files and results.
    role : {"lever", "uncertainty"}
    low, high : float
        Allowed range (inclusive). For a choice parameter both are 0.
    default : float or str
        Lever value, or centre of an uncertainty's default range.
    default_range : tuple of float, optional
        Default uniform range of an uncertainty.
    units : str
        UDUNITS-style units ("1" for fractions).
    meaning : str
        One line: what it is.
    source : str
        Source key (calibration/data/SOURCES.md) or rationale.
    choices : tuple of str, optional
        Allowed values of a categorical lever.
    integer : bool
        Whether the value must be a whole number.
    timed : bool
        Whether a scenario's value takes effect from a year (:mod:`sim.timing`); a structural choice
        such as the network's topology shapes the run from its first year.
    per_city : str, optional
        A lever of absolute size (SEK, counts, km, ha, t): what it is scaled by from the municipality a
        scenario's levers are written for to each city it runs in (a key of :data:`PER_CITY`); None for
        shares, years, choices and per-unit amounts, taken as they are.
    """

    name: str
    role: Role
    low: float
    high: float
    default: float | str
    units: str
    meaning: str
    source: str
    default_range: tuple[float, float] | None = None
    choices: tuple[str, ...] | None = None
    integer: bool = False
    timed: bool = True
    per_city: str | None = None

    @property
    def is_choice(self) -> bool:
        return self.choices is not None


PER_CITY = {
    "inhabitants": "inhabitants in the start year",
    "drained_peat": "drained organic soil (ha)",
    "forest": "forest land (ha)",
}
"""What a per-city lever is scaled by (:attr:`Parameter.per_city`), as the ODD and the errors name it."""


def _lever(name, default, low, high, units, meaning, source, integer=False, per_city=None):
    return Parameter(name, "lever", low, high, default, units, meaning, source, integer=integer, per_city=per_city)


def _choice(name, default, choices, meaning, source, timed=True):
    return Parameter(name, "lever", 0.0, 0.0, default, "1", meaning, source, choices=tuple(choices), timed=timed)


def _uncertain(name, low, high, units, meaning, source, bounds=None):
    lo_bound, hi_bound = bounds if bounds is not None else (low, high)
    return Parameter(name, "uncertainty", lo_bound, hi_bound, 0.5 * (low + high), units, meaning,
                     source, default_range=(low, high))


NEVER = 2100.0  # a year past any horizon: "the lever is not used"

PARAMETERS: tuple[Parameter, ...] = (
    # ---------------------------------------------------------------- levers
    _lever("grant_budget", 10e6, 0.0, 500e6, "SEK/yr",
           "climate grants (klimatmedel) to the municipal group each year", "klimatmedel_budget",
           per_city="inhabitants"),
    _lever("grant_start_year", 2023.0, 2015.0, NEVER, "year",
           "first year of climate grants", "klimatmedel_budget", integer=True),
    _choice("grant_allocation", "tonnes_per_krona", ("tonnes_per_krona", "lottery"),
            "how grant proposals are ranked: claimed tonnes cut per krona, or at random",
            "literature_grants"),
    _lever("charge_points_per_year", 132.0, 0.0, 5000.0, "charge points/yr",
           "public charge points added each year", "elis_charge_points", per_city="inhabitants"),
    _lever("cycle_lanes_per_year", 3.0, 0.0, 50.0, "km/yr",
           "new cycle lanes built each year", "assumption: recent pace of a few km a year",
           per_city="inhabitants"),
    _lever("transit_growth", 0.0, 0.0, 0.10, "1/yr",
           "yearly growth of the public-transport service level", "assumption: service held in baseline"),
    _lever("arena_events_per_year", 4.0, 0.0, 100.0, "events/yr",
           "Climatevolution arena events (network meetings, pledge signings) per year",
           "eskilstuna_pledges_2023: a few events a year since 2021"),
    _lever("arena_start_year", 2021.0, 2015.0, NEVER, "year",
           "first year of the Climatevolution arena and local climate pledges",
           "eskilstuna_pledges_2023", integer=True),
    _lever("municipal_fleet_ev_year", NEVER, 2015.0, NEVER, "year",
           "from this year every municipal vehicle replaced is electric", "assumption: contract commitment",
           integer=True),
    _lever("efficiency_support", 0.0, 0.0, 1.0, "1",
           "share of a firm's energy-efficiency step cost paid by the fast track (Energitrappan)",
           "assumption: contract commitment"),
    _lever("heat_pump_subsidy", 0.0, 0.0, 200000.0, "SEK",
           "municipal subsidy to a household that installs a heat pump in place of another system",
           "assumption: not in the contract; a lever strategists can test"),
    _lever("heat_recovery_support", 0.0, 0.0, 1.0, "1",
           "share of a firm's heat-recovery connection cost paid by the programme",
           "assumption: contract commitment"),
    _lever("procurement_criteria", 0.2, 0.0, 1.0, "1",
           "share of municipal procurement spend under climate criteria, reached over five years",
           "assumption: a fifth in the start year (A18)"),
    _lever("fossil_free_machinery_year", NEVER, 2015.0, NEVER, "year",
           "from this year municipal contracts require fossil-free work machinery", "assumption", integer=True),
    _lever("rail_freight_share_2030", 0.02, 0.0, 0.5, "1",
           "share of local haulage moved to rail through the combi terminal by 2030", "assumption"),
    _lever("rewetting_per_year", 0.0, 0.0, 1000.0, "ha/yr",
           "drained peatland rewetted each year", "assumption: contract commitment",
           per_city="drained_peat"),
    _lever("biochar_capacity", 0.0, 0.0, 100000.0, "t CO2e/yr",
           "biochar carbon storage at full capacity, from the lever's year (ramps up: biochar_ramp_years)",
           "assumption: contract commitment", per_city="inhabitants"),
    _lever("forestry_measures", 0.0, 0.0, 50000.0, "ha",
           "forest area under additional carbon-sink measures (set-aside, longer rotation)", "assumption",
           per_city="forest"),
    _lever("offsets_per_year", 0.0, 0.0, 500000.0, "t CO2e/yr",
           "purchased offsets or removal certificates per year, from the lever's year", "assumption",
           per_city="inhabitants"),
    _lever("manure_biogas_share", 0.0, 0.0, 1.0, "1",
           "share of the municipality's manure digested for biogas with gas-tight digestate storage",
           "assumption: a municipal biogas partnership with farms; see [sectors] in technology.toml"),
    _lever("feed_additive_share", 0.0, 0.0, 1.0, "1",
           "share of cattle enteric methane from animals fed a methane inhibitor (3-NOP)",
           "assumption: support to dairy and beef farms; effect from jds_3nop_meta_2022"),
    _lever("organic_soil_share", 0.0, 0.0, 1.0, "1",
           "share of cultivated drained organic soils taken out of annual cultivation (permanent grass)",
           "assumption: advice and support (Greppa naringen); greppa_organic_soils"),
    _lever("landfill_gas_share", 0.0, 0.0, 1.0, "1",
           "share of the legacy landfills' methane under extended gas collection (wells, final cover)",
           "assumption: the municipal waste company's landfills; ipcc_ar4_landfill"),
    _lever("food_waste_biogas_share", 0.0, 0.0, 1.0, "1",
           "share of biologically treated waste moved from composting to digestion",
           "assumption: municipal waste company; naturvardsverket_waste_2021"),
    _lever("fgas_replacement_share", 0.0, 0.0, 1.0, "1",
           "share of F-gas (HFC) equipment's emissions replaced early by natural-refrigerant equipment",
           "assumption: procurement and support beyond the EU F-gas phase-down"),
    _lever("solvent_substitution_share", 0.0, 0.0, 1.0, "1",
           "share of solvent emissions under substitution demands (water-based paints, low-VOC products)",
           "assumption: environmental permits and procurement"),
    _lever("process_emitter_share", 0.0, 0.0, 1.0, "1",
           "share of the large emitters' process emissions under supported process change or capture",
           "assumption: municipal co-funding; the large emitters' share is the uncertainty large_emitter_share"),
    _lever("machinery_permit_share", 0.0, 0.0, 1.0, "1",
           "share of firms' work machinery reached by fossil-free demands on municipal land-use permits and sites",
           "assumption: demands on land allocation, building permits and exploitation agreements"),
    _choice("network_topology", "small_world", ("small_world", "random"),
            "household social network: spatial small world or random graph of equal degree",
            "literature_adoption: topology is itself uncertain", timed=False),
    Parameter("appraisal_discount_rate", "lever", 0.0, 0.20, 0.035, "1/yr",
              "real discount rate of the cost appraisal (present costs, cost per tonne); read by the analysis "
              "(the climate investment plan), never by the engine's behaviour",
              "asek_7: Trafikverket's social discount rate, 3.5 % real", timed=False),
    # ---------------------------------------------------------- uncertainties
    _uncertain("discount_rate_households", 0.20, 0.40, "1/yr",
               "implicit discount rate of households' investment decisions", "literature_adoption",
               bounds=(0.0, 1.0)),
    _uncertain("discount_rate_firms", 0.10, 0.25, "1/yr",
               "implicit discount rate of firms' investment decisions", "literature_adoption",
               bounds=(0.0, 1.0)),
    _uncertain("cost_weight", 0.6, 1.4, "1/(10 kSEK/yr)",
               "logit weight of the annualised cost difference", "literature_adoption",
               bounds=(0.0, 10.0)),
    _uncertain("social_weight", 0.5, 3.0, "1",
               "logit weight of the share of adopters among neighbours", "literature_adoption",
               bounds=(0.0, 10.0)),
    _uncertain("imitation_rate", 0.0, 0.10, "1/yr",
               "Bass imitation hazard per unit exposure, outside replacement events",
               "literature_adoption", bounds=(0.0, 1.0)),
    _uncertain("attitude_weight", 0.5, 2.0, "1",
               "logit weight of environmental attitude on low-carbon options", "literature_adoption",
               bounds=(0.0, 10.0)),
    _uncertain("pledge_bonus", 0.1, 0.6, "1",
               "logit bonus of low-carbon options for pledged actors (3-10 pp shifts)",
               "literature_pledges", bounds=(0.0, 5.0)),
    _uncertain("bev_barrier_2020", -1.8, -1.2, "1",
               "alternative-specific constant of a BEV in 2020 (range, hassle, unfamiliarity)",
               "trafikanalys_new_cars: gives the local 7 % (2020) and 15 % (2021) BEV shares of new cars",
               bounds=(-10.0, 5.0)),
    _uncertain("bev_barrier_trend", 0.05, 0.30, "1/yr",
               "yearly fall of the BEV barrier as models, range and second-hand markets mature",
               "assumption: Sweden's BEV share of new cars rose from 9 % (2020) to about 38 % (2023)",
               bounds=(0.0, 2.0)),
    _uncertain("phev_barrier", -1.6, 0.0, "1",
               "alternative-specific constant of a PHEV (two drivetrains, charging habit), held over time",
               "assumption: around the -0.8 once set by hand to the 2020 local PHEV share "
               "(trafikanalys_new_cars), widened to be fitted (sim.calibration)",
               bounds=(-10.0, 5.0)),
    _uncertain("pandemic_car_traffic_cut", 0.03, 0.13, "1",
               "share of household car traffic lost to the pandemic in each of 2020 and 2021",
               "trafa_vagtrafik_2021: light traffic on state roads 13 % below its pre-pandemic level at the "
               "lowest (February 2021), 9 % below in September 2021, little change before March 2020",
               bounds=(0.0, 0.5)),
    _uncertain("phev_barrier_trend", 0.0, 0.3, "1/yr",
               "yearly fall of the PHEV barrier as models and familiarity come, from 2020 (before it, a higher "
               "barrier)",
               "assumption, as bev_barrier_trend: Eskilstuna's PHEV share of new cars rose from 1.3 % (2015) "
               "to 27 % (2021) (trafikanalys_new_cars); fitted (sim.calibration)", bounds=(-1.0, 2.0)),
    _uncertain("car_use_trend", -0.025, 0.0, "1/yr",
               "yearly relative change of a household car's fuel use from the start year (km driven per car "
               "and the fleet's fuel per km)",
               "trafa_korstrackor_2019: km per car 11 % below the 2008 peak by 2019 (-1 %/yr), -2.8 % in "
               "2019 alone; trafikverket_vagtrafik_2018: the car fleet's energy efficiency offsets traffic "
               "growth", bounds=(-0.2, 0.2)),
    _uncertain("bev_premium_2020", 100e3, 150e3, "SEK",
               "BEV purchase premium over a petrol car in 2020", "bnef_bev_parity",
               bounds=(0.0, 500e3)),
    _uncertain("bev_premium_decline", 0.10, 0.22, "1/yr",
               "yearly relative fall of the BEV premium (parity 2025-2027)", "bnef_battery_prices",
               bounds=(0.0, 1.0)),
    _uncertain("charging_half_saturation", 3.0, 10.0, "charge points per 1000 cars",
               "public charge points per 1000 cars at which the availability term is half",
               "assumption", bounds=(0.1, 100.0)),
    _uncertain("car_replacement_rate", 0.040, 0.060, "1/yr",
               "yearly probability that a car is replaced", "trafikanalys_new_cars: 2,234 new cars on about 49,500",
               bounds=(0.0, 1.0)),
    _uncertain("heating_replacement_rate", 0.04, 0.07, "1/yr",
               "yearly probability that a heating system is replaced (15-25 year life)", "assumption",
               bounds=(0.0, 1.0)),
    _uncertain("fleet_replacement_rate", 0.10, 0.16, "1/yr",
               "yearly probability that a firm or municipal fleet is renewed", "assumption",
               bounds=(0.0, 1.0)),
    _uncertain("heat_pump_cost", 120e3, 180e3, "SEK",
               "installed cost of a heat pump in a detached house", "vvsforum_heat_pump_payback",
               bounds=(0.0, 1e6)),
    _uncertain("blend_petrol_2030", 0.06, 0.28, "1",
               "bio share of petrol in 2030 under the reduction obligation", "reduktionsplikt",
               bounds=(0.0, 1.0)),
    _uncertain("blend_diesel_2030", 0.06, 0.40, "1",
               "bio share of diesel in 2030 under the reduction obligation", "reduktionsplikt",
               bounds=(0.0, 1.0)),
    _uncertain("district_heat_trend", -0.06, 0.0, "1/yr",
               "yearly relative change of the territorial district-heat emission factor", "assumption",
               bounds=(-0.5, 0.5)),
    _uncertain("electricity_trend", -0.05, 0.0, "1/yr",
               "yearly relative change of the electricity emission factor (scope 2)", "ivl_nordic_mix",
               bounds=(-0.5, 0.5)),
    _uncertain("agriculture_trend", -0.015, 0.005, "1/yr",
               "yearly relative change of agricultural emissions",
               "smhi_nationella_emissionsdatabasen_2025: flat since 2010", bounds=(-0.5, 0.5)),
    _uncertain("product_use_trend", -0.07, -0.02, "1/yr",
               "yearly relative change of product-use emissions (F-gas phase-down)",
               "smhi_nationella_emissionsdatabasen_2025: -4 %/yr 2015-2021", bounds=(-0.5, 0.5)),
    _uncertain("waste_trend", -0.10, -0.04, "1/yr",
               "yearly relative change of waste emissions (landfill methane decay)",
               "smhi_nationella_emissionsdatabasen_2025: -8 %/yr 2015-2021", bounds=(-0.5, 0.5)),
    _uncertain("other_transport_trend", -0.04, 0.0, "1/yr",
               "yearly relative change of buses, rail and other transport", "assumption",
               bounds=(-0.5, 0.5)),
    _uncertain("industry_process_trend", -0.03, 0.01, "1/yr",
               "yearly relative change of industrial process emissions", "assumption", bounds=(-0.5, 0.5)),
    _uncertain("firm_heating_trend", -0.10, 0.0, "1/yr",
               "yearly relative change of firms' fossil space heating from the start year, beyond their "
               "efficiency steps (oil boilers in premises converted)",
               "smhi_nationella_emissionsdatabasen_2025: Eskilstuna's own heating fell from 5,549 t (2015) "
               "to 3,733 t (2020), -7.6 %/yr", bounds=(-0.5, 0.5)),
    _uncertain("pledge_base_rate", 0.0005, 0.0015, "1/yr",
               "yearly hazard that an organisation signs a pledge once the programme runs, with no arena event",
               "eskilstuna_pledges_2023", bounds=(0.0, 1.0)),
    _uncertain("arena_reach", 0.0001, 0.0005, "1/event",
               "signing hazard added per arena event", "eskilstuna_pledges_2023: about 60 by 2023",
               bounds=(0.0, 0.1)),
    _uncertain("pledge_social_weight", 0.02, 0.15, "1/yr",
               "signing hazard per unit share of pledged neighbours", "literature_pledges",
               bounds=(0.0, 1.0)),
    _uncertain("household_pledge_rate", 0.002, 0.01, "1/yr",
               "yearly hazard that a reached household makes a personal climate pledge",
               "literature_pledges", bounds=(0.0, 1.0)),
    _uncertain("pledge_commitment", 0.10, 0.50, "1",
               "reduction an organisation commits to when it signs, as a share of its emissions",
               "literature_pledges", bounds=(0.0, 1.0)),
    _uncertain("pledge_fulfilment", 0.30, 0.90, "1",
               "share of the committed reduction a pledged organisation works to deliver",
               "literature_pledges", bounds=(0.0, 1.0)),
    _uncertain("pledge_decay", 0.10, 0.40, "1/yr",
               "yearly decay of a household pledge's behavioural effect", "literature_pledges",
               bounds=(0.0, 1.0)),
    _uncertain("free_rider_share", 0.0, 0.5, "1",
               "share of grant projects that would have gone ahead without a grant", "literature_grants",
               bounds=(0.0, 1.0)),
    _uncertain("claim_overestimate", 0.0, 0.5, "1",
               "relative overestimate of the abatement claimed in grant proposals", "literature_grants",
               bounds=(0.0, 5.0)),
    _uncertain("grant_delivery", 0.6, 1.0, "1",
               "share of a funded project's true abatement that is delivered", "literature_grants",
               bounds=(0.0, 1.0)),
    _uncertain("grant_charging_t_per_point", 0.3, 1.5, "t CO2e/yr",
               "transport emissions cut by one charge point a grant builds at a unit's site (60,000 SEK: "
               "40-200 kSEK per t/yr)",
               "assumption: Klimatklivet credits charging with a few hundred kg to a tonne or two per point and "
               "year; audits found such claims too high (klimatklivet_categories)", bounds=(0.0, 10.0)),
    _uncertain("grant_behaviour_t_per_project", 1.0, 10.0, "t CO2e/yr",
               "transport emissions cut by one travel or behaviour project (300,000 SEK: 30-300 kSEK per t/yr)",
               "assumption: information and travel-plan projects are among the cheapest and least certain "
               "kinds (klimatklivet_categories)", bounds=(0.0, 100.0)),
    _uncertain("energy_step_saving", 0.03, 0.08, "1",
               "fossil and electricity use cut by each energy-efficiency step", "assumption",
               bounds=(0.0, 0.5)),
    _uncertain("heat_recovery_share", 0.02, 0.08, "1",
               "share of district heat production displaced by all eligible firms' recovered heat",
               "assumption", bounds=(0.0, 0.5)),
    _uncertain("mode_shift_per_cycle_km", 0.0005, 0.002, "1/km",
               "relative cut of car km per km of new cycle lane in central and urban zones",
               "assumption", bounds=(0.0, 0.05)),
    _uncertain("transit_elasticity", 0.1, 0.4, "1",
               "relative cut of car km per relative growth of the transit service level", "assumption",
               bounds=(0.0, 2.0)),
    _uncertain("diet_shift_rate", 0.005, 0.03, "1/yr",
               "yearly hazard that a household with a strong attitude shifts to a low-meat diet",
               "assumption", bounds=(0.0, 1.0)),
    _uncertain("consumption_trend", -0.02, 0.01, "1/yr",
               "yearly relative change of goods-and-services footprints per person", "assumption",
               bounds=(-0.5, 0.5)),
    # land use (sim.land); the first two keep the draws of the parameters they replace
    _uncertain("rewetted_peat_methane", 1.5, 5.0, "t CO2e/(ha yr)",
               "methane of rewetted peat once the water table is up (GWP100 28)",
               "ipcc_wetlands_2013: boreal rewetted peat, nutrient-poor to nutrient-rich", bounds=(0.0, 20.0)),
    _uncertain("forestry_effect", 1.0, 4.0, "t CO2e/(ha yr)",
               "additional uptake per hectare under sink measures once saturated", "assumption",
               bounds=(0.0, 20.0)),
    _uncertain("population_growth", 0.0, 0.008, "1/yr",
               "yearly population growth after the last observed year", "scb_population",
               bounds=(-0.05, 0.05)),
    # land use (sim.land), continued
    _uncertain("forest_uptake", 1.0, 2.0, "t CO2e/(ha yr)",
               "net uptake of forest land per hectare before the emissions of drained peat soils (baseline)",
               "naturvardsverket_lulucf: (40 + 6.5) Mt over 27.9 million ha in 2020, falling since", bounds=(0.0, 10.0)),
    _uncertain("drained_forest_peat_factor", 3.4, 6.5, "t CO2e/(ha yr)",
               "emissions of drained organic soil on forest land per hectare",
               "skogsstyrelsen_dikad_torvmark_2021: 6.5 Mt over 1.0-1.9 million ha", bounds=(0.0, 40.0)),
    _uncertain("drained_farmland_peat_factor", 20.0, 35.0, "t CO2e/(ha yr)",
               "emissions of drained organic soil on farmland per hectare (CO2 and N2O)",
               "ipcc_wetlands_2013: grassland 5.7-6.1 and cropland 7.9 t CO2-C, plus N2O", bounds=(0.0, 80.0)),
    _uncertain("rewetting_ramp_years", 1.0, 5.0, "yr",
               "years after rewetting until a hectare has its full effect (water table, vegetation)",
               "assumption: ditches blocked in a season, the water table and methane settle over a few years",
               bounds=(0.0, 30.0)),
    _uncertain("forestry_ramp_years", 5.0, 15.0, "yr",
               "years after a sink measure starts until its added uptake per hectare is full",
               "assumption: the added stock builds as stands grow past their usual rotation", bounds=(0.0, 50.0)),
    # household heating: distribution constraint and replacement of direct electric (ODD 7.6.5)
    _uncertain("hydronic_conversion_cost", 80e3, 150e3, "SEK",
               "cost of installing water-borne distribution (pipes, radiators) in a house heated by "
               "direct electric", "assumption: about ten radiators at 8-15 kSEK installed (heating_costs)",
               bounds=(0.0, 1e6)),
    _uncertain("air_to_air_saving", 0.30, 0.55, "1",
               "share of a direct-electric house's heating electricity an air-to-air heat pump saves",
               "heating_costs: vendor figure 55 % as the favourable end; assumption below it",
               bounds=(0.0, 1.0)),
    _uncertain("direct_electric_replacement_rate", 0.01, 0.03, "1/yr",
               "yearly probability that a household on direct electric reconsiders its heating",
               "assumption: panel radiators last over 30 years and rarely fail all at once (heating_costs)",
               bounds=(0.0, 1.0)),
    _uncertain("heating_switching_hassle", 0.5, 2.0, "1",
               "utility a household gives up by changing heating system rather than renewing its own",
               "heating_choice_experiments: familiar systems and installation hassle weigh in stated "
               "choices; the size is an assumption", bounds=(0.0, 10.0)),
    # responses of the sector measures (sim.mechanisms.sectors)
    _uncertain("manure_biogas_effect", 0.1, 0.5, "1",
               "relative cut of the storage methane of manure digested with gas-tight digestate storage",
               "greppa_digested_manure: the Swedish inventory gives digested manure stored openly more methane, "
               "so only gas-tight storage cuts; range an assumption", bounds=(0.0, 1.0)),
    _uncertain("feed_additive_effect", 0.20, 0.35, "1",
               "relative cut of the enteric methane of cattle fed 3-NOP",
               "jds_3nop_meta_2022: -32.7 % at the mean dose, less on high-fibre diets", bounds=(0.0, 1.0)),
    _uncertain("organic_soil_effect", 0.5, 0.9, "1",
               "relative cut of the nitrous oxide of drained organic soils taken out of annual cultivation",
               "assumption: tillage and fertiliser stop, mineralisation goes on", bounds=(0.0, 1.0)),
    _uncertain("landfill_gas_effect", 0.2, 0.6, "1",
               "share of the covered landfill methane newly captured",
               "ipcc_ar4_landfill: lifetime recovery from 20 % to over 90 % at covered cells", bounds=(0.0, 1.0)),
    _uncertain("food_waste_biogas_effect", 0.3, 0.8, "1",
               "relative cut of the treatment emissions of waste digested instead of composted",
               "assumption: closed digestion leaks less methane and nitrous oxide than open composting",
               bounds=(0.0, 1.0)),
    _uncertain("fgas_replacement_effect", 0.7, 0.95, "1",
               "relative cut of the leakage of F-gas equipment replaced (the rest: recovery losses)",
               "assumption", bounds=(0.0, 1.0)),
    _uncertain("solvent_substitution_effect", 0.3, 0.7, "1",
               "relative cut of the emissions of solvent use under substitution demands", "assumption",
               bounds=(0.0, 1.0)),
    _uncertain("large_emitter_share", 0.5, 0.9, "1",
               "share of industrial process emissions at the few large emitters a programme can reach",
               "assumption: no Eskilstuna installation with process emissions found in the EU ETS lists searched",
               bounds=(0.0, 1.0)),
    _uncertain("process_emitter_effect", 0.5, 0.9, "1",
               "relative cut of the process emissions under process change or capture",
               "assumption: capture rates of 50-90 %", bounds=(0.0, 1.0)),
    _uncertain("machinery_permit_compliance", 0.6, 1.0, "1",
               "share of the machinery reached by permit demands that actually runs fossil free",
               "assumption: site checks are sparse", bounds=(0.0, 1.0)),
)

BY_NAME: dict[str, Parameter] = {p.name: p for p in PARAMETERS}
LEVERS: tuple[Parameter, ...] = tuple(p for p in PARAMETERS if p.role == "lever")
UNCERTAINTIES: tuple[Parameter, ...] = tuple(p for p in PARAMETERS if p.role == "uncertainty")
