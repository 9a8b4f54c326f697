"""Signals the cables app sends so that other apps (the search index) follow the library.

The cables app never imports the search app: it announces changes here, and search listens
(search/apps.py connects search/indexing.py). The cable page reaches search the same way round,
through the hooks search installs in cables/hooks.py. tests/cables/test_imports.py holds both
to it.
"""

from django.dispatch import Signal

# Sent when an import begins, before it stores anything (no arguments). Lets the search index
# be created while the library is still empty, so searches during a first import never fail.
import_started = Signal()
# Sent when that import ends, however it ends (no arguments), after the cables_stored of what
# it committed (unless it runs inside an outer transaction, whose commit sends those later).
# Listeners may work on stored cables in the background during an import; they finish here,
# and a failure they raise stops the import's report with an error.
import_finished = Signal()
# Sent after the transaction that stored them commits. Arguments: ``ids`` (list of cable ids);
# ``in_import``: True when an import sends it, which sends import_finished later (listeners
# may then do the work in the background and finish it there).
cables_stored = Signal()
# Sent after the transaction that deleted them commits. Argument: ``ids``.
cables_deleted = Signal()
