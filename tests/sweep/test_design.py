"""``--vary`` specs and designs: grids, random designs, and clear errors for bad specs."""

from __future__ import annotations

import pytest

from portalis.sweep import SweepError, make_design, parse_vary


def test_a_linear_range_has_count_values_with_both_ends_exact():
    axis = parse_vary("/World/Sim.inputs:speed=10:30:21")
    assert axis.attribute == "/World/Sim.inputs:speed"
    assert len(axis.values) == 21
    assert axis.values[0] == 10.0 and axis.values[-1] == 30.0
    assert axis.values[1] == pytest.approx(11.0)


def test_a_list_keeps_its_values_and_order():
    assert parse_vary("/World/Sim.inputs:angle=[60, 30,45]").values == (60, 30, 45)
    assert parse_vary('/A.mode=["fast", "slow"]').values == ("fast", "slow")
    assert parse_vary("/A.on=[true,false]").values == (True, False)


def test_the_grid_varies_the_first_spec_slowest():
    design = make_design([parse_vary("/A.inputs:x=0:1:2"), parse_vary("/A.inputs:y=[7,8,9]")])
    assert [v.index for v in design] == list(range(6))
    assert [(v.values["/A.inputs:x"], v.values["/A.inputs:y"]) for v in design] == [
        (0.0, 7), (0.0, 8), (0.0, 9), (1.0, 7), (1.0, 8), (1.0, 9),
    ]  # fmt: skip
    assert design[3].name == "0003"


def test_a_random_design_is_the_same_for_the_same_seed_and_stays_in_range():
    axes = [parse_vary("/A.inputs:x=10:30"), parse_vary("/A.inputs:y=[1,2,3]")]
    first = make_design(axes, samples=50, seed=7)
    assert first == make_design(axes, samples=50, seed=7)
    assert first != make_design(axes, samples=50, seed=8)
    assert all(10.0 <= v.values["/A.inputs:x"] <= 30.0 for v in first)
    assert {v.values["/A.inputs:y"] for v in first} == {1, 2, 3}


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("speed=10:30:21", "expected PRIM.ATTRIBUTE=VALUES"),
        ("/World/Sim.inputs:speed", "expected PRIM.ATTRIBUTE=VALUES"),
        ("/World/Sim.inputs:speed=10", "is neither a range START:STOP:COUNT nor a [list]"),
        ("/World/Sim.inputs:speed=10:30:5:1", "is neither a range"),
        ("/World/Sim.inputs:speed=ten:30:5", "the ends of range 'ten:30:5' must be numbers"),
        ("/World/Sim.inputs:speed=10:inf:5", "must be finite"),
        ("/World/Sim.inputs:speed=10:30:2.5", "the count '2.5' of range"),
        ("/World/Sim.inputs:speed=10:30:0", "must be at least 1"),
        ("/World/Sim.inputs:speed=[30,45", "[30,45 is not a list of values"),
        ("/World/Sim.inputs:speed=[]", "the list of values is empty"),
        ("/World/Sim.inputs:speed=[[1,2]]", "[1, 2] is not a number, true/false or text"),
    ],
)
def test_a_bad_spec_is_one_clear_error_naming_it(spec, message):
    with pytest.raises(SweepError) as caught:
        parse_vary(spec)
    assert message in str(caught.value)
    assert repr(spec) in str(caught.value)


def test_a_bad_design_is_one_clear_error():
    with pytest.raises(SweepError, match="a range needs a count"):
        make_design([parse_vary("/A.inputs:x=10:30")])
    with pytest.raises(SweepError, match=r"names /A\.inputs:x twice"):
        make_design([parse_vary("/A.inputs:x=[1]"), parse_vary("/A.inputs:x=[2]")])
    with pytest.raises(SweepError, match="at least 1 variant"):
        make_design([parse_vary("/A.inputs:x=[1]")], samples=0)
    with pytest.raises(SweepError, match="nothing to vary"):
        make_design([])
