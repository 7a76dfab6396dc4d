"""Multi-sensor multi-target tracking: filters (KF/IMM), gating, association (GNN,
JPDA), track management (``Tracker``) and metrics (GOSPA, OSPA).

The public names are re-exported here; the work lives in the submodules.
"""

from airdefsim.tracking.tracker import Tracker

__all__ = ["Tracker"]
