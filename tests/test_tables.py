"""lenet.tables：Markdown 表格的排版与出错时的说明。"""

import pytest

from lenet.tables import markdown_table


def test_table_has_header_rule_and_rows_with_alignment():
    text = markdown_table(["层", "参数"], [["conv1", "156"], ["合计", f"{44426:,}"]], align="lr")
    assert text.splitlines() == ["| 层 | 参数 |", "| --- | ---: |", "| conv1 | 156 |", "| 合计 | 44,426 |"]


def test_pipes_in_cells_are_escaped_and_non_strings_converted():
    text = markdown_table(["a"], [["x|y"], [3]])
    assert text.splitlines()[2:] == [r"| x\|y |", "| 3 |"]


@pytest.mark.parametrize("header,rows,align", [(["a", "b"], [["1"]], None), (["a", "b"], [], "l")])
def test_wrong_widths_are_refused(header, rows, align):
    with pytest.raises(ValueError):
        markdown_table(header, rows, align)
