"""The classic Run button: xlwings' "Run main" imports the module named like the workbook."""

from __future__ import annotations

import importlib.util

from addin.cli import main


def test_new_model_writes_the_run_button_module(tmp_path, capsys):
    path = tmp_path / "testshire_model.xlsx"
    assert main(["new-model", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    module = tmp_path / "testshire_model.py"
    assert module.is_file() and out[-1] == str(path)
    spec = importlib.util.spec_from_file_location("testshire_model", module)
    loaded = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(loaded)
    from addin.refresh import main as refresh_main

    assert loaded.main is refresh_main


def test_a_workbook_name_python_cannot_import_gets_a_note(tmp_path, capsys):
    path = tmp_path / "Testshire model 2025.xlsx"
    assert main(["new-model", str(path)]) == 0
    assert "rename the workbook" in capsys.readouterr().out
    assert not list(tmp_path.glob("*.py"))


def test_an_existing_module_is_left_alone(tmp_path, capsys):
    (tmp_path / "m.py").write_text("# mine\n")
    assert main(["new-model", str(tmp_path / "m.xlsx")]) == 0
    assert (tmp_path / "m.py").read_text() == "# mine\n"
    assert "left as it is" in capsys.readouterr().out
