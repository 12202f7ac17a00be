"""No output of `dsd stats` carries a dossier number, a register value, a name or text from a document."""

from __future__ import annotations

from dsd_cli.stats.suppress import suppress_column
from tests.stats.conftest import StatsArchive, StatsOutputs


def test_no_identifying_value_in_json_csv_html_or_the_terminal(stats_archive: StatsArchive,
                                                               stats_outputs: StatsOutputs):
    outputs = stats_outputs.text
    assert len([k for k in outputs if k.startswith("csv-nl/")]) >= 15
    assert {"json-nl", "json-fr", "html-nl", "html-fr", "terminal-nl", "terminal-fr"} <= set(outputs)
    searched = {v for v in stats_archive.identifying if v}
    assert len(searched) > 40
    leaks = [(name, value) for name, text in outputs.items() for value in searched
             if value.lower() in text.lower()]
    assert leaks == []
    # The figures are there all the same: suppressed cells, and counts.
    assert "< 5" in outputs["json-nl"] and "< 5" in outputs["csv-nl/documents_by_type.csv"]
    assert "&lt; 5" in outputs["html-fr"] and "Kerncijfers" in outputs["html-nl"]
    assert "Chiffres clés" in outputs["html-fr"] and "Dossiers" in outputs["terminal-nl"]


def test_primary_and_secondary_suppression():
    assert suppress_column([0, 3, 12, 40], 5, partition=True) == [0, None, None, 40]
    assert suppress_column([0, 3, 2, 40], 5, partition=True) == [0, None, None, 40]
    assert suppress_column([5, 4, 7], 5, partition=True) == [None, None, 7]
    assert suppress_column([3, 12, 40], 5, partition=False) == [None, 12, 40]
    assert suppress_column([3, 0, 0], 5, partition=True) == [None, 0, 0]
    assert suppress_column([12, 40], 5, partition=True) == [12, 40]
    assert suppress_column([1, 2, 3, 4], 2, partition=True) == [None, None, 3, 4]
