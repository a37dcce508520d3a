"""The deterministic synthetic demo region, built by the project's own code into the data model.

Two example scenarios for the region ship with it (:func:`demo_scenario_files`): ``dekkend demo`` copies
them into the workspace and puts them side by side in the demo report.
"""

from importlib import resources
from importlib.resources.abc import Traversable

from dekkend.demo.build import build_demo_workspace, demo_tables


def demo_scenario_files() -> list[Traversable]:
    """The example scenario files of the demo region (YAML, in the installed package), sorted by name.

    They are package resources: read them with ``read_text``/``read_bytes`` (they need not be files on disk).
    """
    folder = resources.files("dekkend.demo") / "scenarios"
    return sorted((item for item in folder.iterdir() if item.name.endswith(".yaml")), key=lambda item: item.name)


__all__ = ["build_demo_workspace", "demo_scenario_files", "demo_tables"]
