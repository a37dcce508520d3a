"""The deterministic synthetic demo region, built by the project's own code into the data model.

Two example scenarios for the region ship with it (:func:`demo_scenario_files`): ``dekkend demo`` copies
them into the workspace and puts them side by side in the demo report.
"""

from importlib import resources
from pathlib import Path

from dekkend.demo.build import build_demo_workspace, demo_tables


def demo_scenario_files() -> list[Path]:
    """The example scenario files of the demo region (YAML, in the installed package), sorted by name."""
    folder = resources.files("dekkend.demo") / "scenarios"
    return sorted(Path(str(folder / item.name)) for item in folder.iterdir() if item.name.endswith(".yaml"))


__all__ = ["build_demo_workspace", "demo_scenario_files", "demo_tables"]
