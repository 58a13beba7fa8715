"""The S2 cell ids the embedded server keys GEO2DSPHERE index entries by (geojson.py): a
point's leaf cell as S2CellId(S2LatLng::FromDegrees(lat, lng).ToPoint()) gives it, checked
against ids S2 computes (the s2cell package's lat_lon_to_cell_id, an independent S2 port)."""
from __future__ import annotations

import pytest

from aerospike_c.testing.server.geojson import cell_parent, leaf_cell_id

#: [lng, lat] -> (S2 leaf cell id, its level-10 parent).
KNOWN = {(0, 0): (0x1000000000000001, 0x1000010000000000),
         (1, 0): (0x1000a75ff55561d5, 0x1000a70000000000),
         (12.3, 45.6): (0x47794b92e29bed2d, 0x47794b0000000000),
         (151.2, -33.9): (0x6b12b1c598ad7f87, 0x6b12b10000000000),
         (-179.9, 89.9): (0x5000076279199ba5, 0x5000070000000000),
         (-100, -10): (0x9affa419aea8f33b, 0x9affa50000000000)}


@pytest.mark.parametrize("position", sorted(KNOWN))
def test_leaf_cells_and_parents_are_s2s(position):
    leaf, parent = KNOWN[position]
    assert leaf_cell_id(list(position)) == leaf
    assert cell_parent(leaf, 10) == parent
