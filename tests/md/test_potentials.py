"""The potential factory: one registry of model kinds, one way to build what drives LAMMPS."""

import dataclasses
import re
from pathlib import Path

import pytest

from tests.support.configs import settings
from vitrify.config import load_schema
from vitrify.lammps.classical import ClassicalPotential
from vitrify.lammps.ionic import IonicPotential
from vitrify.lammps.potential import Potential
from vitrify.md.potentials import MODEL_KINDS, make_potential, model_label, model_source, start_potential

REPO = Path(__file__).resolve().parents[2]


def test_registry_matches_the_schema():
    schema = load_schema()
    models = schema["$defs"]["system"]["properties"]["models"]["items"]["enum"]
    archs = schema["$defs"]["mlip"]["properties"]["archs"]["items"]["enum"]
    assert sorted(models) == sorted(MODEL_KINDS)
    assert sorted(archs) == sorted(name for name, kind in MODEL_KINDS.items() if kind.trained)
    assert set(schema["$defs"]["reference"]["properties"]["md_model"]["enum"]) <= {
        name for name, kind in MODEL_KINDS.items() if not kind.trained}


def test_classical_kind_builds_the_systems_potential():
    silica = settings("test").systems["silica"]
    pot = make_potential(silica, "classical")
    assert isinstance(pot, ClassicalPotential) and isinstance(pot, Potential)
    assert pot.name == silica.classical_potential and "Vashishta" in pot.energy_source
    assert start_potential(silica, "classical") is None
    assert start_potential(silica, "lr").name == silica.classical_potential
    assert model_label(silica, "classical") == "classical (vashishta_1990)"
    assert model_source(silica, "lr") == "MACE LR (first committee seed) trained on the silica reference data"


def test_a_teacher_is_named_as_one_and_relaxes_starts_of_trained_models():
    silica = dataclasses.replace(settings("test").systems["silica"], classical_potential="bks_ssp")
    pot = make_potential(silica, "classical")
    assert isinstance(pot, IonicPotential) and pot.atom_style == "charge"
    assert model_label(silica, "classical") == "classical teacher (bks_ssp)"
    assert model_source(silica, "classical") == "classical teacher potential bks_ssp"
    assert "classical teacher" in pot.energy_source and "van Beest" in pot.energy_source
    assert start_potential(silica, "sr").name == "bks_ssp"


def test_trained_kind_needs_its_model_file():
    silica = settings("test").systems["silica"]
    with pytest.raises(ValueError, match="needs its model file"):
        make_potential(silica, "sr")
    with pytest.raises(KeyError, match="unknown model 'transformer'"):
        make_potential(silica, "transformer")


LITERAL = re.compile(r"""(==|!=|\bin)\s*\(?\s*["'](classical|sr|lr)["']|["'](classical|sr|lr)["']\s*(==|!=)""")


def test_no_model_name_is_compared_outside_the_factory():
    """Only vitrify/md/potentials.py knows what a model name means."""
    offenders = []
    for path in [*REPO.glob("vitrify/**/*.py"), *REPO.glob("workflow/**/*.py"), *REPO.glob("workflow/**/*.smk"),
                 REPO / "Snakefile"]:
        if path.name == "potentials.py" and path.parent.name == "md":
            continue
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if LITERAL.search(line):
                offenders.append(f"{path.relative_to(REPO)}:{n}: {line.strip()}")
    assert not offenders, offenders


def test_scripts_read_no_config_directly():
    """Jobs get their settings as params (a change reruns them); none reads snakemake.config."""
    readers = [p.name for p in (REPO / "workflow" / "scripts").glob("*.py") if "snakemake.config" in p.read_text()]
    assert readers == []
