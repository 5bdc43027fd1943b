"""Slow, obviously-correct pure-Python references of the numba kernels.

Each function follows the rule as the kernel's docstring states it, one agent
at a time, with Python ints and floats. Random draws come from a pure-Python
SplitMix64 (checked bit for bit against :mod:`sim.kernels.rng`) or, where a
test says so, from the kernel's own ``uniform_at`` called from Python, so
that a reference and a kernel see the same counter-based draws.
"""
from __future__ import annotations

import math

import numpy as np

MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
M1 = 0xBF58476D1CE4E5B9
M2 = 0x94D049BB133111EB


# ------------------------------------------------------------------ rng
def mix64(x: int) -> int:
    """SplitMix64 finaliser on Python ints (Steele, Lea and Flood 2014)."""
    x = (x + GOLDEN) & MASK
    x = ((x ^ (x >> 30)) * M1) & MASK
    x = ((x ^ (x >> 27)) * M2) & MASK
    return x ^ (x >> 31)


def stream_key(seed: int, year: int, stream: int) -> int:
    key = mix64(seed & MASK)
    key = mix64(key ^ year)
    return mix64(key ^ stream)


def uniform(key: int, agent: int) -> float:
    return (mix64(int(key) ^ mix64(agent)) >> 11) * 2.0 ** -53


def uniform_at(key: int, agent: int, draw: int) -> float:
    return (mix64(mix64(int(key) ^ mix64(agent)) ^ draw) >> 11) * 2.0 ** -53


# ------------------------------------------------------------ influence
def neighbour_share(indptr, indices, signals):
    """Mean of each signal (columns of a 0/1 matrix) over each agent's neighbours."""
    n, k = signals.shape
    out = np.zeros((n, k))
    for i in range(n):
        neighbours = [int(j) for j in indices[indptr[i]:indptr[i + 1]]]
        for s in range(k):
            if neighbours:
                out[i, s] = sum(float(signals[j, s]) for j in neighbours) / len(neighbours)
    return out


# ------------------------------------------------------------- adoption
def utilities(usage, attitude, pledged, exposure, capex, usage_cost, constant, green, cost_unit, weights):
    n, k = len(usage), len(capex)
    out = np.empty((n, k))
    for i in range(n):
        lean = weights[1] * exposure[i] + weights[2] * (attitude[i] - 0.5) + weights[3] * pledged[i]
        for j in range(k):
            cost = capex[j] + usage[i] * usage_cost[j]
            out[i, j] = constant[j] - weights[0] * cost / cost_unit + lean * green[j]
    return out


def adopt(current, replacement_rate, utilities_, exposure, imitation, dt, key, draw):
    """Competing hazards h_ij = r_i s_ij + q_j e_i [q_c = 0, j != c_i, j available]; ``draw(key, i, d)`` the uniforms.

    An option with utility -inf is unavailable: its logit share is 0 and it is
    not imitated. An event happens when the first draw falls below
    ``1 - exp(-dt sum_j h_ij)``; the option is then the first whose cumulative
    hazard exceeds the second draw times the total hazard (the last option of
    positive hazard if rounding leaves none).
    """
    n, k = utilities_.shape
    chosen = np.array(current, dtype=np.int8).copy()
    replaced = np.zeros(n, dtype=bool)
    for i in range(n):
        c = int(current[i])
        r, e = float(replacement_rate[i]), float(exposure[i])
        imitating = float(imitation[c]) == 0.0   # adopters of an imitated option do not imitate
        imitable = [imitating and j != c and utilities_[i, j] != -math.inf for j in range(k)]
        imitated = sum(float(imitation[j]) for j in range(k) if imitable[j])
        total = r + e * imitated
        if total <= 0.0 or draw(key, i, 0) >= 1.0 - math.exp(-dt * total):
            continue
        top = max(float(u) for u in utilities_[i])
        weights = [math.exp(float(u) - top) for u in utilities_[i]]
        denominator = 0.0
        for w in weights:
            denominator += w
        target = draw(key, i, 1) * total
        cumulative, pick, last = 0.0, None, c
        for j in range(k):
            hazard = r * weights[j] / denominator + (float(imitation[j]) * e if imitable[j] else 0.0)
            if hazard > 0.0:
                last = j
            cumulative += hazard
            if target < cumulative:
                pick = j
                break
        pick = last if pick is None else pick
        chosen[i] = pick
        replaced[i] = True
    return chosen, replaced


def bass(t, p, q):
    """Closed-form Bass adoption fraction F(t) (Bass 1969), F(0) = 0."""
    decay = np.exp(-(p + q) * np.asarray(t, dtype=float))
    return (1.0 - decay) / (1.0 + (q / p) * decay)


# -------------------------------------------------------------- pledges
def sign_pledges(kind, attitude, pledge_year, exposure, hazard_by_kind, social_weight, year, key, draw):
    out = np.array(pledge_year, dtype=np.int32).copy()
    for i in range(len(kind)):
        if out[i] != 0:
            continue
        hazard = (hazard_by_kind[kind[i]] + social_weight * exposure[i]) * 2.0 * attitude[i]
        if hazard > 0.0 and draw(key, i) < 1.0 - math.exp(-hazard):
            out[i] = year
    return out


def pledge_strength(pledge_year, year, decay):
    return np.array([0.0 if (y == 0 or y > year) else math.exp(-decay * (year - y)) for y in pledge_year])


def delivery_factor(pledge_year, year, commitment, fulfilment, ramp_years, key, draw):
    out = np.ones(len(pledge_year))
    for i, y in enumerate(pledge_year):
        if y == 0 or y > year:
            continue
        # own fulfilment: the widest uniform inside [0, 1] whose mean is ``fulfilment``
        low, high = max(0.0, 2.0 * fulfilment - 1.0), min(1.0, 2.0 * fulfilment)
        own = low + (high - low) * draw(key, i, 0)
        progress = min(1.0, (year - y + 1) / ramp_years)
        out[i] = 1.0 - commitment * own * progress
    return out


# --------------------------------------------------------------- grants
def allocate_grants(cost, claimed, true_abatement, budget, lottery, free_rider_share, delivery, key, draw, ids=None,
                    free_rider_key=None):
    """Greedy funding in rank order, skipping what does not fit; credit funded, delivered non-free-riders."""
    m = len(cost)
    ids = range(m) if ids is None else ids
    if lottery:
        order = sorted(range(m), key=lambda p: (-draw(key, ids[p], 0), p))
    else:
        order = sorted(range(m), key=lambda p: (-(claimed[p] / cost[p]) if cost[p] > 0 else -math.inf, p))
    funded = np.zeros(m, dtype=bool)
    remaining, spend = float(budget), 0.0
    for p in order:
        if cost[p] <= remaining:
            funded[p] = True
            remaining -= cost[p]
            spend += cost[p]
    executed = np.zeros(m, dtype=bool)
    free = np.zeros(m, dtype=bool)
    credited = 0.0
    for p in range(m):
        free[p] = (draw(key, ids[p], 1) if free_rider_key is None else draw(free_rider_key, ids[p], 0)) < free_rider_share
        delivered = draw(key, ids[p], 2) < delivery
        executed[p] = delivered and (funded[p] or free[p])
        if funded[p] and delivered and not free[p]:
            credited += true_abatement[p]
    return funded, executed, free, spend, credited


# ------------------------------------------------------------ behaviour
def household_behaviour(zone, attitude, strength, exposure_diet, low_meat_diet, zone_km_factor, mode_shift,
                        pledge_km_cut, diet_shift_rate, key, draw):
    n = len(zone)
    km = np.empty(n)
    diet = np.array(low_meat_diet, dtype=bool).copy()
    for i in range(n):
        z = zone[i]
        km[i] = zone_km_factor[z] * (1.0 - mode_shift[z]) * (1.0 - pledge_km_cut * strength[i])
        if not diet[i]:
            hazard = diet_shift_rate * 2.0 * attitude[i] * (1.0 + strength[i] + exposure_diet[i])
            if draw(key, i) < 1.0 - math.exp(-hazard):
                diet[i] = True
    return km, diet


def climb_energy_steps(energy_step, top_step, pledged, exposure_steps, base_rate, support, pledge_factor,
                       social_weight, key, draw):
    out = np.array(energy_step, dtype=np.int8).copy()
    for i in range(len(out)):
        if out[i] >= top_step:
            continue
        hazard = (base_rate * (1.0 + 2.0 * support) * (1.0 + pledge_factor * pledged[i])
                  + social_weight * exposure_steps[i])
        if draw(key, i) < 1.0 - math.exp(-hazard):
            out[i] += 1
    return out


def connect_heat_recovery(eligible, connected, pledged, base_rate, support_rate, support, key, draw):
    out = np.array(connected, dtype=bool).copy()
    for i in range(len(out)):
        if not eligible[i] or out[i]:
            continue
        hazard = base_rate * (1.0 + pledged[i]) + support_rate * support
        if draw(key, i) < 1.0 - math.exp(-hazard):
            out[i] = True
    return out


# ----------------------------------------------------------- accounting
def household_accounts(car_owner, car_fuel, km_per_car, km_factor, fossil_kg_per_km, footprint_kg_per_km,
                       heating, heat_demand, oil_system, oil_t_per_mwh, heat_electricity, heat_district, persons,
                       low_meat_diet, food):
    """Totals in agent order: car t, car footprint t, oil heat t, district heat MWh, electricity MWh, food t."""
    totals = [0.0] * 6
    for i in range(len(persons)):
        h = int(heating[i])
        if h == oil_system:
            totals[2] += heat_demand[i] * oil_t_per_mwh
        totals[3] += heat_demand[i] * heat_district[h]
        totals[4] += heat_demand[i] * heat_electricity[h]
        totals[5] += persons[i] * (food[1] if low_meat_diet[i] else food[0])
    for c in range(len(car_owner)):
        km = km_per_car * km_factor[car_owner[c]]
        totals[0] += km * fossil_kg_per_km[car_fuel[c]] / 1000.0
        totals[1] += km * footprint_kg_per_km[car_fuel[c]] / 1000.0
    return np.array(totals)


def firm_accounts(sector, vehicle_energy, fleet_tech, process_energy, process_electrified, heating_fossil,
                  machinery_energy, machinery_fossil_free, electricity, district_heat, energy_step,
                  step_saving, delivery, freight_cut, fleet_t_per_mwh, fuel_t_per_mwh, electric_fleet,
                  electric_efficiency):
    """Per firm: transport, industry, own heating, machinery t; district heat and electricity MWh."""
    n = len(sector)
    totals = np.zeros(6)
    direct = np.zeros(n)
    for i in range(n):
        efficiency = (1.0 - step_saving) ** int(energy_step[i])
        vehicles = vehicle_energy[i] * (1.0 - freight_cut[sector[i]]) * delivery[i]
        transport = vehicles * fleet_t_per_mwh[fleet_tech[i]]
        electric_vehicles = vehicles / electric_efficiency if fleet_tech[i] == electric_fleet else 0.0
        process = process_energy[i] * efficiency * delivery[i]
        industry = 0.0 if process_electrified[i] else process * fuel_t_per_mwh[0]
        power = electricity[i] * efficiency + electric_vehicles + (process if process_electrified[i] else 0.0)
        heat = heating_fossil[i] * efficiency * delivery[i] * fuel_t_per_mwh[1]
        machinery = 0.0 if machinery_fossil_free[i] else machinery_energy[i] * delivery[i] * fuel_t_per_mwh[2]
        totals += [transport, industry, heat, machinery, district_heat[i] * efficiency, power]
        direct[i] = transport + industry + heat + machinery
    return totals, direct


# -------------------------------------------------------------- network
def csr_from_edges(n, source, target):
    """Undirected simple graph (no self loops, no duplicates) as sorted CSR arrays."""
    neighbours = [set() for _ in range(n)]
    for a, b in zip(source, target):
        if a != b:
            neighbours[int(a)].add(int(b))
            neighbours[int(b)].add(int(a))
    indptr = np.zeros(n + 1, dtype=np.int64)
    indptr[1:] = np.cumsum([len(s) for s in neighbours])
    indices = np.array([j for s in neighbours for j in sorted(s)], dtype=np.int32)
    return indptr, indices
