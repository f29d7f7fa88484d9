"""Helpers shared by the tests: sample structures, labelled frames, processes, configs."""
