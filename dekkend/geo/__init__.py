"""Geography: distances and travel times from home areas (PC4) to vestigingen, with water crossings.

- :mod:`~dekkend.geo.travel`: the travel model (detour factor, cycling speed) and its cited defaults;
- :mod:`~dekkend.geo.water`: zones that straight lines may not leave, ferries and the Westerschelde tunnel;
- :mod:`~dekkend.geo.cost`: generalised cost for school choice (crossing time, wait and fare in cycling km);
- :mod:`~dekkend.geo.matrix`: dense ``float32`` matrices of km and minutes, built in blocks;
- :mod:`~dekkend.geo.od`: the pluggable origin-destination file ``pc4,vestigingscode,km,minuten``;
- :mod:`~dekkend.geo.nearest`: nearest vestiging and counts within radii for many sets at once.
"""

from dekkend.geo.cost import CROSSING_COSTS, generalised_crossings, generalised_matrix
from dekkend.geo.matrix import (
    DistanceMatrix,
    distance_matrix,
    estimate_matrix,
    home_areas,
    school_locations,
)
from dekkend.geo.nearest import Nearest, NearestIndex, nearest_offering
from dekkend.geo.od import OD_COLUMNS, OdReport, apply_od, read_od_file
from dekkend.geo.travel import CYCLING_SPEED_KMH, DETOUR_FACTOR, TravelModel
from dekkend.geo.water import CROSSINGS, MAINLAND, ZONES, Crossing, Port, Zone, assign_zones

__all__ = [
    "CROSSING_COSTS",
    "generalised_crossings",
    "generalised_matrix",
    "CROSSINGS",
    "CYCLING_SPEED_KMH",
    "DETOUR_FACTOR",
    "MAINLAND",
    "OD_COLUMNS",
    "ZONES",
    "Crossing",
    "DistanceMatrix",
    "Nearest",
    "NearestIndex",
    "OdReport",
    "Port",
    "TravelModel",
    "Zone",
    "apply_od",
    "assign_zones",
    "distance_matrix",
    "estimate_matrix",
    "home_areas",
    "nearest_offering",
    "read_od_file",
    "school_locations",
]
