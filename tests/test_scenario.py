"""Scenario files: loading, defaults, and errors that name file, field, what is allowed and what was given."""
import re

import numpy as np
import pytest
from scipy import stats
from testdata import ROOT, scenario_text

import sim
from sim.declarations.parameters import BY_NAME, LEVERS, PARAMETERS, UNCERTAINTIES
from sim.sampling import parameter_values
from sim.scenario import Distribution, ScenarioError, parse_scenario


def message(path, field, allowed, given):
    """Regex for the one error template: '<file>: field '<field>': allowed <...>; given <...>'."""
    return (rf"^{re.escape(str(path))}: field '{re.escape(field)}': allowed .*{allowed}.*; "
            rf"given .*{given}")


def write(tmp_path, text, name="scenario.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def expect(tmp_path, text, field, allowed, given):
    """Loading ``text`` from a file raises ScenarioError naming that file, the field, the rule and the value."""
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError, match=message(path, field, allowed, given)) as info:
        sim.load_scenario(path)
    assert info.value.path == str(path) and info.value.field == field
    return info.value


# ------------------------------------------------------------ valid files
@pytest.mark.parametrize("name", ["baseline.toml", "klimatkontrakt_2024.toml"])
def test_shipped_scenarios_load(name):
    """The scenario files in scenarios/ validate, keep their text and fill every lever and uncertainty."""
    path = ROOT / "scenarios" / name
    scenario = sim.load_scenario(path)
    assert scenario.text == path.read_text(encoding="utf-8")
    assert scenario.path == str(path)
    assert set(scenario.levers) == {p.name for p in LEVERS}
    assert set(scenario.uncertainties) == {p.name for p in UNCERTAINTIES}
    assert scenario.start_year < scenario.end_year and scenario.scale > 0
    assert (scenario.municipality / "municipality.toml").is_file()


def test_defaults_and_given_values():
    """Unset levers take their declared default; given ones are kept as floats or choice strings."""
    scenario = parse_scenario(scenario_text(levers='grant_budget = 2e7\ngrant_allocation = "lottery"',
                                            uncertainties="imitation_rate = 0.05\n"
                                                          "pledge_decay = { low = 0.2, high = 0.3 }\n"
                                                          "cost_weight = { distribution = \"triangular\", "
                                                          "low = 0.5, mode = 0.7, high = 1.5 }"))
    assert scenario.levers["grant_budget"] == 2e7
    assert scenario.levers["grant_allocation"] == "lottery"
    assert scenario.levers["charge_points_per_year"] == BY_NAME["charge_points_per_year"].default
    assert scenario.uncertainties["imitation_rate"] == Distribution("fixed", 0.05, 0.05)
    assert scenario.uncertainties["pledge_decay"] == Distribution("uniform", 0.2, 0.3)
    assert scenario.uncertainties["cost_weight"] == Distribution("triangular", 0.5, 1.5, 0.7)
    assert scenario.uncertainties["social_weight"] == Distribution("uniform", *BY_NAME["social_weight"].default_range)
    assert scenario.path == "<string>"


def test_distribution_ppf_matches_scipy():
    """Uniform and triangular quantile functions equal scipy's."""
    q = np.linspace(0, 1, 41)
    tri = Distribution("triangular", 1.0, 4.0, 1.5)
    want = stats.triang(c=(1.5 - 1.0) / 3.0, loc=1.0, scale=3.0).ppf(q)
    np.testing.assert_allclose([tri.ppf(x) for x in q], want, rtol=1e-12)
    uni = Distribution("uniform", -2.0, 3.0)
    np.testing.assert_allclose([uni.ppf(x) for x in q], stats.uniform(-2.0, 5.0).ppf(q), rtol=1e-12)
    assert Distribution("fixed", 7.0, 7.0).ppf(0.3) == 7.0


def test_parameter_values_within_distributions():
    """A run's uncertainty draws fall inside each distribution; fixed ones and params= take their value."""
    scenario = parse_scenario(scenario_text(uncertainties="imitation_rate = 0.07"))
    values = parameter_values(scenario, seed=3, params={"pledge_decay": 0.9})
    for p in UNCERTAINTIES:
        d = scenario.uncertainties[p.name]
        if p.name != "pledge_decay":
            assert d.low <= values[p.name] <= d.high
    assert values["imitation_rate"] == 0.07 and values["pledge_decay"] == 0.9
    assert values != parameter_values(scenario, seed=4)
    assert values == parameter_values(scenario, seed=3, params={"pledge_decay": 0.9})


def test_with_levers_validates():
    """Scenario.with_levers changes a lever and refuses an out-of-range one with the same error."""
    scenario = parse_scenario(scenario_text())
    assert scenario.with_levers(grant_budget=1e6).levers["grant_budget"] == 1e6
    with pytest.raises(ScenarioError, match=message("<string>", "levers.grant_budget", r"\[0, 5e\+08\]", "-1")):
        scenario.with_levers(grant_budget=-1.0)


# ------------------------------------------------------------- file errors
def test_missing_file(tmp_path):
    """A missing file is a ScenarioError naming the path."""
    path = tmp_path / "nowhere.toml"
    with pytest.raises(ScenarioError, match=message(path, "(file)", "an existing TOML scenario file",
                                                   re.escape(str(path)))):
        sim.load_scenario(path)


def test_bad_toml(tmp_path):
    """Unparsable TOML is a ScenarioError naming the file and the syntax problem."""
    expect(tmp_path, scenario_text() + "\nscale = = 2\n", "(syntax)", "valid TOML", "line")


@pytest.mark.parametrize("extra,field,allowed,given", [
    ("[bogus]\nx = 1\n", "bogus", "one of levers, outputs, scenario, uncertainties", "unknown key 'bogus'"),
    ("[levers]\nnot_a_lever = 1\n", "levers.not_a_lever", "a lever of sim.declarations.parameters", "unknown key"),
    ("[uncertainties]\nnot_a_parameter = 1\n", "uncertainties.not_a_parameter",
     "an uncertainty of sim.declarations.parameters", "unknown key"),
    ("[levers]\nimitation_rate = 0.05\n", "levers.imitation_rate", "a lever", "unknown key"),
    ("[uncertainties]\ngrant_budget = 1e6\n", "uncertainties.grant_budget", "an uncertainty", "unknown key"),
    ("[outputs]\nplots = true\n", "outputs.plots", "one of pledge_counterfactual, variables", "unknown key 'plots'"),
])
def test_unknown_keys(tmp_path, extra, field, allowed, given):
    """Unknown tables and keys, and levers and uncertainties in each other's table, are refused."""
    expect(tmp_path, scenario_text() + extra, field, re.escape(allowed), re.escape(given))


def test_unknown_scenario_key(tmp_path):
    """An unknown key in [scenario] is refused with the list of known keys."""
    text = scenario_text().replace('name = "test"', 'name = "test"\nhorizon = 2050')
    expect(tmp_path, text, "scenario.horizon", "description, end_year", "unknown key 'horizon'")


@pytest.mark.parametrize("old,new,field,allowed,given", [
    ('name = "test"', "name = 3", "scenario.name", "a non-empty string", "3"),
    ('name = "test"', 'name = "  "', "scenario.name", "a non-empty string", "'  '"),
    ("start_year = 2020", "start_year = 2020.5", "scenario.start_year", "a whole year", "2020.5"),
    ("start_year = 2020", 'start_year = "2020"', "scenario.start_year", "a whole year", "'2020'"),
    ("end_year = 2032", "end_year = 2020", "scenario.end_year", "2021..2100", "2020"),
    ("end_year = 2032", "end_year = 2101", "scenario.end_year", "2021..2100", "2101"),
    ("scale = 0.02", "scale = 0", "scenario.scale", "a number > 0", "0"),
    ("scale = 0.02", "scale = -1.0", "scenario.scale", "a number > 0", r"-1\.0"),
    ("scale = 0.02", 'scale = "big"', "scenario.scale", "a number > 0", "'big'"),
    ("scale = 0.02", "scale = true", "scenario.scale", "a number > 0", "True"),
    ("scale = 0.02", "scale = inf", "scenario.scale", "a number > 0", "inf"),
    ('municipality = "eskilstuna"', 'municipality = "atlantis"', "scenario.municipality",
     r"available: \[.*'eskilstuna'.*'malmo'.*\]", "'atlantis'"),
    ("end_year = 2032\n", "", "scenario.end_year", "a whole year after start_year", r"'\(missing\)'"),
])
def test_scenario_table_errors(tmp_path, old, new, field, allowed, given):
    """Wrong types, missing keys and out-of-range values in [scenario] name the field and the value."""
    text = scenario_text()
    assert old in text
    expect(tmp_path, text.replace(old, new), field, allowed, given)


def test_missing_scenario_table(tmp_path):
    """A file without [scenario] is refused."""
    expect(tmp_path, "[levers]\ngrant_budget = 1.0\n", "scenario", re.escape("a table [scenario]"),
           re.escape("'(missing)'"))


@pytest.mark.parametrize("line,field,allowed,given", [
    ('grant_budget = "lots"', "levers.grant_budget", re.escape("a number in [0, 5e+08] SEK/yr"), "'lots'"),
    ("grant_start_year = 2022.5", "levers.grant_start_year", "a whole number", r"2022\.5"),
    ('grant_allocation = "first_come"', "levers.grant_allocation", re.escape("['tonnes_per_krona', 'lottery']"),
     "'first_come'"),
    ("grant_budget = nan", "levers.grant_budget", "a number", "nan"),
    ("grant_budget = [1, 2]", "levers.grant_budget", "a number", re.escape("[1, 2]")),
])
def test_lever_type_errors(tmp_path, line, field, allowed, given):
    """A lever of the wrong type (string, fraction of a year, unknown choice, NaN, list) is refused."""
    expect(tmp_path, scenario_text(levers=line), field, allowed, given)


@pytest.mark.parametrize("line,field,allowed,given", [
    ('imitation_rate = "high"', "uncertainties.imitation_rate", "a number, {low, high}", "'high'"),
    ('imitation_rate = { distribution = "normal", low = 0.0, high = 0.1 }',
     "uncertainties.imitation_rate.distribution", re.escape("['uniform', 'triangular', 'fixed']"), "'normal'"),
    ("imitation_rate = { low = 0.0, mode = 0.05, high = 0.1 }", "uncertainties.imitation_rate",
     re.escape("keys ['high', 'low'] for a uniform distribution"), re.escape("['high', 'low', 'mode']")),
    ('imitation_rate = { distribution = "triangular", low = 0.0, high = 0.1 }', "uncertainties.imitation_rate",
     re.escape("keys ['high', 'low', 'mode']"), re.escape("['high', 'low']")),
    ('imitation_rate = { distribution = "fixed", low = 0.1 }', "uncertainties.imitation_rate",
     re.escape("keys ['value']"), re.escape("['low']")),
    ("imitation_rate = { low = 0.2, high = 0.1 }", "uncertainties.imitation_rate", "low <= mode <= high",
     "'low': 0.2"),
    ('imitation_rate = { distribution = "triangular", low = 0.0, mode = 0.3, high = 0.1 }',
     "uncertainties.imitation_rate", "low <= mode <= high", "'mode': 0.3"),
    ('imitation_rate = { low = "a", high = 0.1 }', "uncertainties.imitation_rate.low", "a number in", "'a'"),
])
def test_bad_distributions(tmp_path, line, field, allowed, given):
    """Unknown distributions, wrong keys, wrong types and disordered bounds are refused."""
    expect(tmp_path, scenario_text(uncertainties=line), field, allowed, given)


def test_bad_outputs(tmp_path):
    """Output variables must be a list of result names."""
    expect(tmp_path, scenario_text(extra='\n[outputs]\nvariables = ["emissions", "happiness"]\n'),
           "outputs.variables", "a list of names from", "happiness")
    expect(tmp_path, scenario_text(extra='\n[outputs]\nvariables = "emissions"\n'),
           "outputs.variables", "a list of names from", "'emissions'")


# ------------------------------------------- every declared parameter, out of range
def _toml(value):
    return repr(float(value)) if not isinstance(value, str) else f'"{value}"'


def _beyond(p, side):
    """A value just outside a numeric parameter's bound (a whole number for integer levers)."""
    bound = p.high if side == "high" else p.low
    step = max(1.0, abs(bound))
    return bound + step if side == "high" else bound - step


@pytest.mark.parametrize("p", [p for p in PARAMETERS if not p.is_choice], ids=lambda p: p.name)
@pytest.mark.parametrize("side", ["high", "low"])
def test_every_parameter_refuses_values_beyond_its_bounds(tmp_path, p, side):
    """Each lever or uncertainty declared in sim.parameters refuses a value beyond its bound, quoting the range."""
    value = _beyond(p, side)
    line = f"{p.name} = {_toml(value)}"
    bounds = re.escape(f"[{p.low:g}, {p.high:g}] {p.units}")
    if p.role == "lever":
        text, field = scenario_text(levers=line), f"levers.{p.name}"
    else:
        text, field = scenario_text(uncertainties=line), f"uncertainties.{p.name}"
    error = expect(tmp_path, text, field, bounds, re.escape(repr(float(value))))
    assert error.given == float(value)
    if p.role == "uncertainty":   # the same bound holds inside a range
        lo, hi = p.default_range
        ranged = f"{p.name} = {{ low = {_toml(lo)}, high = {_toml(value)} }}" if side == "high" else \
            f"{p.name} = {{ low = {_toml(value)}, high = {_toml(hi)} }}"
        expect(tmp_path, scenario_text(uncertainties=ranged), f"{field}.{side}", bounds,
               re.escape(repr(float(value))))


@pytest.mark.parametrize("p", PARAMETERS, ids=lambda p: p.name)
def test_every_parameter_accepts_its_bounds(p):
    """Each parameter accepts values at both bounds (or every choice), so the refusals above are about range."""
    if p.is_choice:
        values = list(p.choices)
    else:
        values = [p.low, p.high]
    for value in values:
        line = f"{p.name} = {_toml(value)}"
        text = scenario_text(levers=line) if p.role == "lever" else scenario_text(uncertainties=line)
        parse_scenario(text)


@pytest.mark.parametrize("p", [p for p in LEVERS if p.is_choice], ids=lambda p: p.name)
def test_every_choice_lever_refuses_unknown_choice(tmp_path, p):
    """A choice lever refuses a value outside its declared choices, listing them."""
    expect(tmp_path, scenario_text(levers=f'{p.name} = "no_such_choice"'), f"levers.{p.name}",
           re.escape(str(list(p.choices))), "'no_such_choice'")


# --------------------------------------------------------- params= of simulate
def test_params_unknown_name(small_scenario):
    """simulate(params=) refuses a name that is neither a lever nor an uncertainty."""
    with pytest.raises(ScenarioError, match=message("<string>", "params.no_such_parameter",
                                                    "a lever or uncertainty", "unknown key 'no_such_parameter'")):
        sim.simulate(small_scenario, seed=1, params={"no_such_parameter": 0.1})


def test_params_set_a_lever_within_its_declaration(small_scenario):
    """simulate(params=) sets a lever for the run (a design's value), checked against the lever's bounds."""
    ds = sim.simulate(small_scenario, seed=1, params={"grant_budget": 2e7})
    assert float(ds["grant_budget"]) == 2e7
    with pytest.raises(ScenarioError, match="levers.grant_budget"):
        sim.simulate(small_scenario, seed=1, params={"grant_budget": -1.0})


@pytest.mark.parametrize("p", UNCERTAINTIES, ids=lambda p: p.name)
def test_params_out_of_range(small_scenario, p):
    """simulate(params=) refuses a value beyond any uncertainty's bound, quoting the bounds."""
    value = _beyond(p, "high")
    with pytest.raises(ScenarioError, match=message("<string>", f"params.{p.name}",
                                                    re.escape(f"[{p.low:g}, {p.high:g}]"),
                                                    re.escape(repr(value)))):
        sim.simulate(small_scenario, seed=1, params={p.name: value})


def test_params_wrong_type(small_scenario):
    """simulate(params=) refuses a string or NaN value."""
    for value in ("0.05", float("nan")):
        with pytest.raises(ScenarioError, match="params.imitation_rate"):
            sim.simulate(small_scenario, seed=1, params={"imitation_rate": value})


def test_error_is_a_value_error():
    """ScenarioError is a ValueError, so generic handlers catch it."""
    assert issubclass(ScenarioError, ValueError)


def test_params_accept_numpy_integers(small_scenario):
    """simulate(params=) takes any real number type, numpy integers included, as the file loader takes ints."""
    ds = sim.simulate(small_scenario, seed=1, params={"population_growth": np.int64(0)})
    assert float(ds["population_growth"]) == 0.0


def test_params_refuse_booleans(small_scenario):
    """simulate(params=) refuses True as a number, as scenario files do."""
    with pytest.raises(ScenarioError, match=message("<string>", "params.imitation_rate", "a number", "True")):
        sim.simulate(small_scenario, seed=1, params={"imitation_rate": True})


@pytest.mark.parametrize("start", [1990, 2010, 2014, 2022, 2050])
def test_start_year_without_data_is_a_scenario_error(tmp_path, start):
    """A start year the municipality's data cannot build is refused on loading, listing the years that can."""
    text = scenario_text(start_year=start, end_year=start + 5)
    allowed = re.escape("[2015, 2016, 2017, 2018, 2019, 2020, 2021]")
    error = expect(tmp_path, text, "scenario.start_year", allowed, str(start))
    assert error.given == start


@pytest.mark.parametrize("start", range(2015, 2022))
def test_every_start_year_with_data_loads(start):
    """Every start year the data support is accepted."""
    assert parse_scenario(scenario_text(start_year=start, end_year=start + 3)).start_year == start


# ------------------------------------------- hostile files: one line naming file and field (issue 13)
@pytest.mark.parametrize("data,offset,line", [
    (scenario_text().encode() + "# café\n".encode("latin-1"), len(scenario_text().encode()) + 5, 8),
    (scenario_text().encode("utf-16"), 0, 1),
    (bytes(range(256)) * 4, 128, 2),
    (b'[scenario]\nname = "caf\xe9"\n', 22, 2),
])
def test_non_utf8_files_name_the_byte(tmp_path, data, offset, line):
    """Latin-1, UTF-16, binary: a ScenarioError naming the file and the first bad byte's offset and line.

    Regression: these gave "'utf-8' codec can't decode byte 0xa5 ..." with no file.
    """
    path = tmp_path / "scenario.toml"
    path.write_bytes(data)
    with pytest.raises(ScenarioError, match=message(path, "(encoding)", "UTF-8", f"at offset {offset} "
                                                    rf"\(line {line}\)")):
        sim.load_scenario(path)


@pytest.mark.parametrize("text,field,allowed,given", [
    ("a = " + "[" * 5000 + "]" * 5000, "(syntax)", "nested a few levels deep", "too deep"),
    ('[scenario]\nname = "x"\nx = ' + "{a = " * 5000 + "1" + "}" * 5000, "(syntax)", "nested", "too deep"),
    (scenario_text(levers="grant_budget = " + "9" * 5000), "(syntax)", "at most 4300 digits", "5000 digits"),
    (scenario_text(scale=float("nan")).replace("scale = nan", "scale = " + "9" * 401), "scenario.scale",
     "a number > 0", "9999"),
    (scenario_text(levers="grant_budget = " + "9" * 401), "levers.grant_budget", "a number in", "9999"),
    (scenario_text(uncertainties="imitation_rate = " + "9" * 401), "uncertainties.imitation_rate", "a number",
     "9999"),
    (scenario_text(extra='\n[outputs]\nvariables = [["net_emissions"]]\n'), "outputs.variables",
     "a list of names from", re.escape("[['net_emissions']]")),
    (scenario_text(extra='\n[outputs]\nvariables = [{a = 1}]\n'), "outputs.variables", "a list of names", "'a'"),
    (scenario_text(levers='grant_allocation = ["lottery"]'), "levers.grant_allocation", "one of", "lottery"),
])
def test_hostile_values_are_one_line_errors(tmp_path, text, field, allowed, given):
    """Deep nesting, numbers beyond a float or beyond Python's digit limit, unhashable lists: one line each.

    Regression: RecursionError, OverflowError, ValueError and TypeError: unhashable type, naming nothing.
    """
    error = expect(tmp_path, text, field, allowed, given)
    assert "\n" not in str(error) and len(str(error)) < 1200


def test_files_over_the_size_limit_are_refused_before_reading(tmp_path, monkeypatch):
    """A file over MAX_SCENARIO_BYTES is refused from its size alone (50 MB was read and shipped to every task)."""
    from sim.scenario import MAX_SCENARIO_BYTES

    path = tmp_path / "big.toml"
    with path.open("wb") as out:
        out.write(scenario_text().encode())
        out.truncate(MAX_SCENARIO_BYTES + 1)  # sparse: a comment of NULs would be read if the size were not checked
    with monkeypatch.context() as patch:
        patch.setattr(type(path), "read_bytes", lambda self: pytest.fail("read a file over the limit"))
        with pytest.raises(ScenarioError, match=message(path, "(file)", "at most 1,000,000 bytes",
                                                        "1,000,001 bytes")):
            sim.load_scenario(path)
    with pytest.raises(ScenarioError, match=message("<string>", "(file)", "at most", "1,000,001 characters")):
        parse_scenario(" " * (MAX_SCENARIO_BYTES + 1))
    assert len(sim.load_scenario(ROOT / "scenarios" / "klimatkontrakt_2024.toml").text) < MAX_SCENARIO_BYTES / 100


@pytest.mark.parametrize("scale,allowed", [
    (1e-4, r"a number >= 0\.0047 for Eskilstuna: below it the one-agent floor"),
    (1e-300, r"a number >= 0\.0047"),
    (0.0046, r"a number >= 0\.0047"),
    (1e308, "at most 100"),
    (100.5, "at most 100"),
])
def test_scale_is_bounded(tmp_path, scale, allowed):
    """A scale so small that the firm floors distort the totals, or too large for memory, is refused on loading.

    Regression: 1e-4 reported 287 kt for 244 kt, 1e-300 ran and reported 2.7e300 t, 1e308 failed in the workers.
    """
    expect(tmp_path, scenario_text(scale=scale), "scenario.scale", allowed, re.escape(repr(scale)))


@pytest.mark.parametrize("scale", [0.0047, 100.0])
def test_scale_bounds_are_allowed(scale):
    assert parse_scenario(scenario_text(scale=scale)).scale == scale


# -------------------------------------------------------- every error at once
def test_check_scenario_lists_every_error_with_suggestions(tmp_path):
    """check_scenario reports each bad field of a file, with the closest names for misspelt keys.

    Regression: validation stopped at the first error and had no suggestion for 'grant_bugdet'.
    """
    from sim.scenario import check_scenario

    text = (scenario_text(scale=1e-5, levers='grant_bugdet = 1e6\ngrant_allocation = "first_come"\n'
                                             "imitation_rate = 0.1",
                          uncertainties="imitation_rat = 0.1\npledge_decay = { low = 0.3, high = 0.2 }",
                          extra='\n[outputs]\nvariables = ["net_emisions"]\n[lever]\n')
            .replace("end_year = 2032", "end_year = 2032\nscael = 1"))
    path = write(tmp_path, text)
    errors = check_scenario(path)
    assert [e.field for e in errors] == ["lever", "scenario.scael", "scenario.scale", "levers.grant_bugdet",
                                         "levers.imitation_rate", "levers.grant_allocation",
                                         "uncertainties.imitation_rat", "uncertainties.pledge_decay",
                                         "outputs.variables"]
    text_of = {e.field: str(e) for e in errors}
    assert "(did you mean 'levers'?)" in text_of["lever"]
    assert "(did you mean 'scale'?)" in text_of["scenario.scael"]
    assert "(did you mean 'grant_budget'?)" in text_of["levers.grant_bugdet"]
    assert "(imitation_rate belongs in [uncertainties])" in text_of["levers.imitation_rate"]
    assert "(did you mean 'imitation_rate'?)" in text_of["uncertainties.imitation_rat"]
    assert all(str(e).startswith(f"{path}: field '{e.field}': allowed ") for e in errors)
    with pytest.raises(ScenarioError) as first:  # the API still raises the first one
        sim.load_scenario(path)
    assert str(first.value) == str(errors[0])
    assert check_scenario(ROOT / "scenarios" / "baseline.toml") == []
    assert [e.field for e in check_scenario(tmp_path / "none.toml")] == ["(file)"]


def test_check_scenario_keeps_lever_timing(tmp_path):
    """Timed levers ({value, from}) and [scenario] levers_from are checked field by field too."""
    from sim.scenario import check_scenario

    text = scenario_text(levers="grant_budget = { value = 1e6, from = 2040 }\n"
                                "charge_points_per_year = { value = 10, from = 2025, to = 1 }",
                         levers_from=None).replace("end_year = 2032", "end_year = 2032\nlevers_from = 1800")
    errors = check_scenario(write(tmp_path, text))
    assert [e.field for e in errors] == ["scenario.levers_from", "levers.grant_budget.from",
                                         "levers.charge_points_per_year"]
    assert "a whole year in 2020..2032" in str(errors[1])
