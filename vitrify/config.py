"""Load, complete and validate the configuration tree before any job runs.

The schema (workflow/schemas/config.schema.yaml) holds every key's default; `fill_defaults`
puts them into the config before validation, so a config file need only say what differs.
Schema errors and the checks a schema cannot express (compositions summing to one,
species a potential covers, protocol shape, files that must exist) all end in one
ConfigError whose message is a single line: the file, the key path, the value and what
was expected.
"""

from __future__ import annotations

import copy
from pathlib import Path

import jsonschema
import yaml
from ase.data import chemical_symbols

from .split_sizes import part_sizes
from .potential_table import CLASSICAL, DEFAULT_TEACHER, classical_entry, teachers

REPO_ROOT = Path(__file__).resolve().parents[1]
SCHEMA_PATH = REPO_ROOT / "workflow" / "schemas" / "config.schema.yaml"
COMPOSITION_TOLERANCE = 1e-3


class ConfigError(ValueError):
    """An invalid configuration; str() is one line naming file, key, value, expectation."""

    def __init__(self, source: str, key: str, value, expected: str):
        self.source, self.key, self.value, self.expected = source, key, value, expected
        super().__init__(f"{source}: {key} = {_short(value)}: expected {expected}")


def _short(value, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _key(path) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "<top level>"


def load_yaml(path: str | Path) -> dict:
    path = Path(path)
    if not path.exists():
        raise ConfigError(str(path), "<file>", str(path), "an existing YAML config file")
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise ConfigError(str(path), "<file>", str(path), f"valid YAML ({exc})".replace("\n", " ")) from exc
    if not isinstance(data, dict):
        raise ConfigError(str(path), "<top level>", data, "a mapping of keys")
    return data


def load_config(path: str | Path, base_dir: Path | None = None) -> dict:
    """Read one config file, fill in the schema's defaults and validate it."""
    config = load_yaml(path)
    validate_config(config, source=str(path), base_dir=base_dir or REPO_ROOT)
    return config


def load_schema(schema_path: Path = SCHEMA_PATH) -> dict:
    return yaml.safe_load(schema_path.read_text())


def resolve_node(node: dict, root: dict) -> dict:
    """A schema node with a local $ref replaced by its target (siblings of $ref win)."""
    ref = node.get("$ref")
    if not ref:
        return node
    target = root
    for part in ref.removeprefix("#/").split("/"):
        target = target[part]
    return {**resolve_node(target, root), **{k: v for k, v in node.items() if k != "$ref"}}


def fill_defaults(instance, schema: dict, root: dict | None = None) -> None:
    """Insert the schema's `default` of every absent key, in place, depth first.

    Object-valued keys with a default of {} are created and then filled, so a section
    can be left out of a config file entirely. Entries of open mappings (systems) and
    list items (protocol segments, RISE studies) get their own keys' defaults, but the
    entries themselves are never invented.
    """
    root = root or schema
    schema = resolve_node(schema, root)
    if isinstance(instance, dict):
        props = schema.get("properties", {})
        for key, sub in props.items():
            sub = resolve_node(sub, root)
            if key not in instance and "default" in sub:
                instance[key] = copy.deepcopy(sub["default"])
            if key in instance:
                fill_defaults(instance[key], sub, root)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict):
            for key, value in instance.items():
                if key not in props:
                    fill_defaults(value, extra, root)
    elif isinstance(instance, list) and isinstance(schema.get("items"), dict):
        for item in instance:
            fill_defaults(item, schema["items"], root)


def _schema_message(err: jsonschema.ValidationError) -> tuple[str, object, str]:
    """(key, value, expectation) for a schema error, in the words of a user."""
    path = list(err.absolute_path)
    v = err.validator
    value = err.instance
    if v == "required":
        missing = next(k for k in err.validator_value if k not in err.instance)
        return _key(path + [missing]), "<missing>", "this required key to be set"
    if v == "additionalProperties":
        allowed = sorted(err.schema.get("properties", {}))
        extra = sorted(set(err.instance) - set(allowed))
        return _key(path + [extra[0]]), err.instance[extra[0]], f"a known key (allowed: {', '.join(allowed)})"
    desc = err.schema.get("description", "")
    hint = f" ({desc})" if desc and len(desc) < 60 else ""
    expectations = {
        "type": lambda: f"type {err.validator_value}",
        "exclusiveMinimum": lambda: f"a number > {err.validator_value}{hint}",
        "minimum": lambda: f"a number >= {err.validator_value}{hint}",
        "maximum": lambda: f"a number <= {err.validator_value}{hint}",
        "exclusiveMaximum": lambda: f"a number < {err.validator_value}{hint}",
        "enum": lambda: f"one of {err.validator_value}",
        "minItems": lambda: f"a list of at least {err.validator_value} item(s)",
        "minProperties": lambda: f"a mapping with at least {err.validator_value} entry",
        "uniqueItems": lambda: "a list without repeated items",
        "pattern": lambda: f"a string matching {err.validator_value}",
    }
    expected = expectations.get(v, lambda: err.message)()
    return _key(path), value, expected


def validate_schema(config: dict, source: str, schema_path: Path = SCHEMA_PATH) -> None:
    """Fill in defaults (in place), then check the config against the schema."""
    schema = load_schema(schema_path)
    fill_defaults(config, schema)
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(config), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
    if errors:
        # The deepest error of the first failing branch names the offending key best.
        err = jsonschema.exceptions.best_match(errors)
        raise ConfigError(source, *_schema_message(err))


def validate_config(config: dict, source: str = "config", base_dir: Path | None = None) -> None:
    """Complete `config` with the schema's defaults (in place) and raise ConfigError on the
    first problem found; return None when the config is sound."""
    validate_schema(config, source)
    base_dir = Path(base_dir) if base_dir else Path.cwd()
    for name, system in config["systems"].items():
        _check_system(system, f"systems.{name}", source, base_dir)
    if "rise" in config:
        _check_rise(config, source)
    if "analysis" in config:
        _check_analysis(config, source, base_dir)
    if "reference" in config:
        _check_reference(config, source, base_dir)
    _check_mlip(config, source)
    _check_active_learning(config, source)


def _check_active_learning(config: dict, source: str) -> None:
    al = config.get("active_learning")
    if al is None:
        return
    mlip = config.get("mlip")
    if mlip is None or mlip["system"] != al["system"]:
        raise ConfigError(source, "active_learning.system", al["system"],
                          "the system of the mlip section (its committees explore)")
    if config["reference"]["labeler"]["backend"] == "dataset":
        raise ConfigError(source, "reference.labeler.backend", "dataset",
                          "a labeller that can label new frames (teacher, gfn1-xtb, cp2k) for active learning")
    if not al["lower_trust_eV_per_A"] < al["upper_trust_eV_per_A"]:
        raise ConfigError(source, "active_learning.lower_trust_eV_per_A", al["lower_trust_eV_per_A"],
                          f"a level below upper_trust_eV_per_A ({al['upper_trust_eV_per_A']})")
    if len(mlip["seeds"]) < 2:
        raise ConfigError(source, "mlip.seeds", mlip["seeds"], "at least two seeds: a committee scores the frames")
    n_explore = al["explore_n_atoms"] or config["systems"][al["system"]]["n_atoms"]
    if n_explore < config["reference"]["min_atoms"]:
        key = "active_learning.explore_n_atoms" if al["explore_n_atoms"] else f"systems.{al['system']}.n_atoms"
        raise ConfigError(source, key, n_explore,
                          f"at least reference.min_atoms ({config['reference']['min_atoms']}): the explored "
                          "frames are labelled whole, and Gamma-point labels need large cells")
    if al["explore_frame_interval_ps"] is not None:
        _check_interval(al["explore_frame_interval_ps"], config["systems"][al["system"]]["md"]["timestep_fs"],
                        "active_learning.explore_frame_interval_ps", source)


def _check_mlip(config: dict, source: str) -> None:
    mlip = config.get("mlip")
    if mlip is not None and ("reference" not in config or config["reference"]["system"] != mlip["system"]):
        raise ConfigError(source, "mlip.system", mlip["system"], "the system of the reference section (its dataset trains the models)")
    if mlip is not None and mlip["md"]["driver"] == "pair_style_mace" and not mlip["export_torchscript"]:
        raise ConfigError(source, "mlip.md.driver", "pair_style_mace", "mlip.export_torchscript: true (LAMMPS reads the TorchScript file)")
    # A model named like an architecture (sr, lr) is trained by the mlip section.
    archs = load_schema()["$defs"]["mlip"]["properties"]["archs"]["items"]["enum"]
    for name, system in config["systems"].items():
        for i, model in enumerate(system["models"]):
            if model not in archs:
                continue
            if mlip is None:
                raise ConfigError(source, f"systems.{name}.models[{i}]", model, "an mlip section that trains this model")
            if mlip["system"] != name or model not in mlip["archs"]:
                raise ConfigError(source, f"systems.{name}.models[{i}]", model,
                                  f"a model trained by the mlip section (system {mlip['system']}, archs {mlip['archs']})")


def _check_reference(config: dict, source: str, base_dir: Path) -> None:
    ref = config["reference"]
    if ref["system"] not in config["systems"]:
        raise ConfigError(source, "reference.system", ref["system"], f"one of the systems {sorted(config['systems'])}")
    if abs(sum(ref["split_fractions"]) - 1.0) > 1e-6:
        raise ConfigError(source, "reference.split_fractions", ref["split_fractions"], "train, valid, test fractions summing to 1")
    for i, cond in enumerate(ref["md_conditions"]):
        if not cond["T_K"] < ref["md_melt_T_K"]:
            raise ConfigError(source, f"reference.md_conditions[{i}].T_K", cond["T_K"],
                              f"a temperature below md_melt_T_K ({ref['md_melt_T_K']} K)")
    if ref["md_n_atoms"] < ref["min_atoms"]:
        raise ConfigError(source, "reference.md_n_atoms", ref["md_n_atoms"],
                          f"at least min_atoms ({ref['min_atoms']}): Gamma-point labels need large cells")
    lab = ref["labeler"]
    if lab["backend"] == "dataset":
        if "dataset" not in lab:
            raise ConfigError(source, "reference.labeler.dataset", "<missing>", "file and keys of the user dataset")
        _require_file(source, "reference.labeler.dataset.file", lab["dataset"]["file"], base_dir, "an existing extxyz file")
    if lab["backend"] == "teacher":
        _check_teacher(lab.get("options", {}), config["systems"][ref["system"]]["species"], source)


def _check_teacher(options: dict, species: list[str], source: str) -> None:
    unknown = sorted(set(options) - {"potential"})
    if unknown:
        raise ConfigError(source, f"reference.labeler.options.{unknown[0]}", options[unknown[0]],
                          "only `potential` (a classical teacher of vitrify.potential_table)")
    name = options.get("potential", DEFAULT_TEACHER)
    if name not in teachers():
        raise ConfigError(source, "reference.labeler.options.potential", name,
                          f"a classical teacher, one of {teachers()}")
    missing = [s for s in species if s not in CLASSICAL[name].species]
    if missing:
        raise ConfigError(source, "reference.labeler.options.potential", name,
                          f"a teacher covering species {species} ({name} covers {list(CLASSICAL[name].species)})")


def _check_analysis(config: dict, source: str, base_dir: Path) -> None:
    an = config["analysis"]
    if an["system"] not in config["systems"]:
        raise ConfigError(source, "analysis.system", an["system"], f"one of the systems {sorted(config['systems'])}")
    system = config["systems"][an["system"]]
    if set(system["species"]) != {"Si", "O"}:
        raise ConfigError(source, "analysis.system", an["system"], "a silica system (species Si and O)")
    segments = {seg["name"] for seg in system["protocol"]}
    for phase, segment in an["phases"].items():
        if segment not in segments:
            raise ConfigError(source, f"analysis.phases.{phase}", segment, f"a protocol segment of {an['system']} {sorted(segments)}")
    rate = an["compare_cooling_rate_K_per_ps"]
    if rate is not None and rate not in system["cooling_rates_K_per_ps"]:
        raise ConfigError(source, "analysis.compare_cooling_rate_K_per_ps", rate,
                          f"one of the cooling rates {system['cooling_rates_K_per_ps']} (or null: the slowest)")
    for key in ("fsdp_search_inv_A", "principal_search_inv_A"):
        lo, hi = an[key]
        if not lo < hi <= an["Q_max_inv_A"]:
            raise ConfigError(source, f"analysis.{key}", an[key], f"an increasing Q range within Q_max_inv_A={an['Q_max_inv_A']}")
    if an["ring_figure_method"] not in an["ring_methods"]:
        raise ConfigError(source, "analysis.ring_figure_method", an["ring_figure_method"],
                          f"one of analysis.ring_methods {an['ring_methods']}")
    _require_file(source, "analysis.literature_table", an["literature_table"], base_dir, "an existing CSV file")
    for i, exp in enumerate(an["experiment"]):
        _require_file(source, f"analysis.experiment[{i}].file", exp["file"], base_dir, "an existing file")
        if exp["phase"] not in an["phases"]:
            raise ConfigError(source, f"analysis.experiment[{i}].phase", exp["phase"], f"one of the phases {sorted(an['phases'])}")


def _check_rise(config: dict, source: str) -> None:
    rise = config["rise"]
    names = []
    for i, study in enumerate(rise["studies"]):
        key = f"rise.studies[{i}]"
        if study["system"] not in config["systems"]:
            raise ConfigError(source, f"{key}.system", study["system"], f"one of the systems {sorted(config['systems'])}")
        system = config["systems"][study["system"]]
        if study["model"] not in system["models"]:
            raise ConfigError(source, f"{key}.model", study["model"],
                              f"a model that runs the melt-quench of {study['system']} ({system['models']})")
        name = f"{study['system']}_{study['model']}"
        if name in names:
            raise ConfigError(source, key, name, "each (system, model) study once")
        names.append(name)
        if study["vit"] and not rise.get("vit"):
            raise ConfigError(source, f"{key}.vit", True, "a rise.vit section with the transformer's settings")
        settings = {**rise, **study}
        hold_steps = settings["anneal_duration_ps"] * 1000.0 / system["md"]["timestep_fs"]
        if 4 * settings["snapshots_per_anneal"] > hold_steps:
            raise ConfigError(source, "rise.snapshots_per_anneal", settings["snapshots_per_anneal"],
                              f"at most a quarter as many snapshots as MD steps in the hold ({int(hold_steps)} steps of {study['system']})")
        _check_rise_sizes(rise, settings, system, study["system"], source)
    vit = rise.get("vit")
    if vit:
        if vit["grid"] % vit["patch"]:
            raise ConfigError(source, "rise.vit.patch", vit["patch"], f"a divisor of rise.vit.grid ({vit['grid']})")
        tokens = vit["grid"] // vit["patch"]
        for i, r in enumerate(vit["communication_blocks"]):
            if tokens % r:
                raise ConfigError(source, f"rise.vit.communication_blocks[{i}]", r,
                                  f"a divisor of the token grid grid/patch = {tokens} (blocks tile the periodic grid)")
        if vit["embed_dim"] % vit["heads"]:
            raise ConfigError(source, "rise.vit.heads", vit["heads"], f"a divisor of rise.vit.embed_dim ({vit['embed_dim']})")


def _check_rise_sizes(rise: dict, settings: dict, system: dict, name: str, source: str) -> None:
    """Every cooling-rate set splits into non-empty parts and the training part holds at
    least xgb_folds samples: checked on counts, before any sample exists."""
    per_set = system["replicas"] * len(settings["anneal_temperatures_K"]) * settings["snapshots_per_anneal"]
    n_sets = len(system["cooling_rates_K_per_ps"])
    what = (f"{per_set} samples per cooling-rate set of {name} (replicas x anneal temperatures x snapshots) "
            f"x {n_sets} sets")
    if rise["split"] == "stratified_by_rate":
        if rise["validation_fraction"] + rise["test_fraction"] >= 1:
            raise ConfigError(source, "rise.validation_fraction", rise["validation_fraction"],
                              f"a sum with rise.test_fraction ({rise['test_fraction']}) below 1")
        n_train = part_sizes(per_set, rise["validation_fraction"], rise["test_fraction"])[0]
        if n_train < 1:
            raise ConfigError(source, "rise.snapshots_per_anneal", settings["snapshots_per_anneal"],
                              f"enough for one sample each in train, validation and test of every set ({what})")
        n_train *= n_sets
    else:
        n_train = part_sizes(per_set * n_sets, 0.0, rise["test_fraction"])[0]
    if n_train < rise["xgb_folds"]:
        raise ConfigError(source, "rise.xgb_folds", rise["xgb_folds"],
                          f"at most the {n_train} training samples ({what}, split {rise['split']})")


def _require_file(source: str, key: str, value: str, base_dir: Path, expected: str) -> None:
    """Relative paths in a config are relative to the repository (base_dir)."""
    path = Path(value) if Path(value).is_absolute() else base_dir / value
    if not path.is_file():
        raise ConfigError(source, key, value, f"{expected} (looked at {path})")


def _check_system(system: dict, key: str, source: str, base_dir: Path) -> None:
    species = system["species"]
    for i, sym in enumerate(species):
        if sym not in chemical_symbols[1:]:
            raise ConfigError(source, f"{key}.species[{i}]", sym, "a chemical element symbol")
    comp = system["composition"]
    if set(comp) != set(species):
        raise ConfigError(source, f"{key}.composition", comp, f"one atom fraction for each of species {species}")
    total = sum(comp.values())
    if abs(total - 1.0) > COMPOSITION_TOLERANCE:
        raise ConfigError(source, f"{key}.composition", comp,
                          f"atom fractions summing to 1 (they sum to {total:.6g})")
    if system["n_atoms"] < len(species):
        raise ConfigError(source, f"{key}.n_atoms", system["n_atoms"], f"at least one atom per species ({len(species)})")

    pot = classical_entry(system["classical_potential"])
    missing = [s for s in species if s not in pot.species]
    if missing:
        raise ConfigError(source, f"{key}.classical_potential", pot.name,
                          f"a potential covering species {species} ({pot.name} covers {list(pot.species)})")

    start = system.get("start_structure_file")
    if start:
        _require_file(source, f"{key}.start_structure_file", start, base_dir, "an existing file")

    md = system["md"]
    hottest = max(max(seg.get("T_K", 0), seg.get("T_start_K", 0), seg.get("T_end_K", 0)) for seg in system["protocol"])
    if md["guard_max_temperature_K"] <= hottest:
        raise ConfigError(source, f"{key}.md.guard_max_temperature_K", md["guard_max_temperature_K"],
                          f"a temperature above the protocol's hottest target ({hottest} K)")
    if md["guard_min_distance_A"] >= system["min_distance_A"]:
        raise ConfigError(source, f"{key}.md.guard_min_distance_A", md["guard_min_distance_A"],
                          f"a distance below min_distance_A ({system['min_distance_A']} A), the start's closest approach")
    for k in ("thermo_interval_ps", "frame_interval_ps", "restart_interval_ps"):
        _check_interval(md[k], md["timestep_fs"], f"{key}.md.{k}", source)

    _check_protocol(system["protocol"], f"{key}.protocol", source)


def _check_interval(interval_ps: float, timestep_fs: float, key: str, source: str) -> None:
    """An MD output interval must span at least one timestep."""
    if interval_ps * 1000.0 < timestep_fs:
        raise ConfigError(source, key, interval_ps, f"at least one timestep ({timestep_fs} fs)")


def _check_protocol(protocol: list[dict], key: str, source: str) -> None:
    names = [seg["name"] for seg in protocol]
    quenches = [i for i, seg in enumerate(protocol) if seg.get("quench")]
    if len(quenches) != 1:
        raise ConfigError(source, key, names, f"exactly one segment with quench: true (found {len(quenches)})")
    for i, seg in enumerate(protocol):
        k = f"{key}[{i}]"
        if names.count(seg["name"]) > 1:
            raise ConfigError(source, f"{k}.name", seg["name"], "segment names to be unique")
        hold = "T_K" in seg
        ramp = "T_start_K" in seg or "T_end_K" in seg
        if hold == ramp or (ramp and not ("T_start_K" in seg and "T_end_K" in seg)):
            raise ConfigError(source, k, seg, "either T_K (hold) or both T_start_K and T_end_K (ramp)")
        if seg.get("quench"):
            if not ramp or seg["T_start_K"] == seg["T_end_K"]:
                raise ConfigError(source, k, seg, "the quench segment to ramp between two different temperatures")
            if "duration_ps" in seg:
                raise ConfigError(source, f"{k}.duration_ps", seg["duration_ps"],
                                  "no duration on the quench segment (it follows from the cooling rate)")
        elif "duration_ps" not in seg:
            raise ConfigError(source, f"{k}.duration_ps", "<missing>", "a duration in ps for a non-quench segment")
        if seg["ensemble"] == "npt" and "pressure_GPa" not in seg:
            raise ConfigError(source, f"{k}.pressure_GPa", "<missing>", "a pressure for an npt segment")
        if seg["ensemble"] != "npt" and "pressure_GPa" in seg:
            raise ConfigError(source, f"{k}.pressure_GPa", seg["pressure_GPa"], "no pressure outside npt segments")


def defaults_table(schema: dict | None = None) -> str:
    """Every key with a default, as the Markdown table of config/README.md (a test keeps
    the two equal: run `python -m vitrify.config` to regenerate it)."""
    schema = schema or load_schema()
    rows = []

    def walk(node: dict, path: str) -> None:
        node = resolve_node(node, schema)
        for key, sub in node.get("properties", {}).items():
            sub = resolve_node(sub, schema)
            here = f"{path}.{key}" if path else key
            nested = "properties" in sub or isinstance(sub.get("additionalProperties"), dict) or (
                isinstance(sub.get("items"), dict) and "properties" in resolve_node(sub["items"], schema))
            if nested:
                walk(sub, here)
            elif "default" in sub:
                value = yaml.safe_dump(sub["default"], default_flow_style=True, width=1000).strip()
                value = value.removesuffix("...").strip()
                rows.append(f"| `{here}` | `{value}` |")
        extra = node.get("additionalProperties")
        if isinstance(extra, dict) and "properties" in resolve_node(extra, schema):
            walk(extra, f"{path}.<name>")
        items = node.get("items")
        if isinstance(items, dict) and "properties" in resolve_node(items, schema):
            walk(items, f"{path}[]")

    walk(schema, "")
    return "\n".join(["| key | default |", "|---|---|", *rows])


if __name__ == "__main__":
    print(defaults_table())
