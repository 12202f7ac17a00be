"""The batch engine behind `dsd run`: journal, archive lock, quarantine, and the stage orchestration."""
