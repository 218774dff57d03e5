"""Every write of the evaluation system: import (Excel / Word / seed), export, editing the tree,
the version mapping and diff, and adoption of a new version.

Services take explicit arguments and a keyword-only ``acting_user`` (a user, or
``chuangwen.org.actors.SYSTEM`` for management commands and the demo builder). Only the office
(``scope.write_all``) may write.
"""

from .catalogue import create_check_item, create_site_type
from .common import split_clauses
from .exporting import export_system_xlsx
from .importing import (
    SEED_PATH,
    import_evaluation_system,
    load_evaluation_system,
    parse_file,
    validate,
)
from .links import is_linkable, link_standards, set_system_title, unlink_standards
from .tree import create_indicator, move_indicator, retire_indicator, update_indicator
from .versions import (
    SIMILARITY_THRESHOLD,
    AdoptionResult,
    DiffReport,
    DiffRow,
    adopt_system,
    build_mapping,
    diff_report,
    diff_xlsx,
    match_nodes,
    move_attached,
    pending_references,
    set_mapping,
    similarity,
)

__all__ = [
    "SEED_PATH",
    "SIMILARITY_THRESHOLD",
    "AdoptionResult",
    "DiffReport",
    "DiffRow",
    "adopt_system",
    "build_mapping",
    "create_check_item",
    "create_indicator",
    "create_site_type",
    "diff_report",
    "diff_xlsx",
    "export_system_xlsx",
    "import_evaluation_system",
    "is_linkable",
    "link_standards",
    "load_evaluation_system",
    "match_nodes",
    "move_attached",
    "move_indicator",
    "parse_file",
    "pending_references",
    "retire_indicator",
    "set_mapping",
    "set_system_title",
    "similarity",
    "split_clauses",
    "unlink_standards",
    "update_indicator",
    "validate",
]
