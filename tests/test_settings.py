"""Typed settings: each job's view holds exactly what it reads, so a change reruns only its readers."""

from tests.support.configs import config
from vitrify.settings import Settings


def _settings_with(path, value):
    cfg = config("test")
    node = cfg
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return Settings.from_config(cfg)


def test_rise_views_change_only_with_their_keys():
    base = Settings.from_config(config("test")).rise
    more_trials = _settings_with(["rise", "xgb_trials"], 99).rise
    assert repr(base.soap) == repr(more_trials.soap) and repr(base.anneal) == repr(more_trials.anneal)
    assert repr(base.regression) != repr(more_trials.regression)
    finer = _settings_with(["rise", "soap_n_max"], 7).rise
    assert repr(base.soap) != repr(finer.soap) and repr(base.environments) == repr(finer.environments)


def test_a_new_cooling_rate_leaves_finished_runs_current():
    base = Settings.from_config(config("test")).systems["silica"]
    more = _settings_with(["systems", "silica", "cooling_rates_K_per_ps"], [2000, 500]).systems["silica"]
    assert repr(base.for_one_run) == repr(more.for_one_run) and repr(base) != repr(more)
    hotter = _settings_with(["systems", "silica", "md", "guard_max_temperature_K"], 12000).systems["silica"]
    assert repr(base.for_one_run) != repr(hotter.for_one_run)


def test_study_overrides_replace_the_sections_values():
    rise = Settings.from_config(config("test")).rise
    silica = rise.study("silica_lr")
    own = rise.for_study(silica)
    assert own.anneal_temperatures_K == silica.anneal_temperatures_K != rise.anneal_temperatures_K
    assert own.minimise.minimize_ftol_eV_per_A == silica.minimize_ftol_eV_per_A
    assert rise.for_study(rise.study("cuzr_classical")).anneal == rise.anneal


def test_exploration_runs_its_own_cell_and_frame_interval():
    cfg = config("config")
    cfg["active_learning"].update(explore_n_atoms=192, explore_frame_interval_ps=0.02)
    s = Settings.from_config(cfg)
    system = s.systems["silica"]
    explored = s.active_learning.exploration_system(system)
    assert (explored.n_atoms, explored.md.frame_interval_ps) == (192, 0.02)
    assert (system.n_atoms, system.md.frame_interval_ps) == (96, 0.25)
    assert explored.protocol == system.protocol and explored.models == ()
    cfg["active_learning"].update(explore_n_atoms=None, explore_frame_interval_ps=None)
    unchanged = Settings.from_config(cfg)
    assert unchanged.active_learning.exploration_system(system) == system.for_one_run
