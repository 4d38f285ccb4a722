"""The intake form's lists are cached per process: a reference load must still show at once."""

import json
import shutil

from portal.directory.loader import DATA_DIR, load_reference_data
from portal.extensions import db


def data_dir_renaming(tmp_path, code, name_zh):
    """A copy of the shipped data files with one category renamed."""
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    path = data / "categories.json"
    document = json.loads(path.read_text(encoding="utf-8"))
    for item in document["items"]:
        if item["code"] == code:
            item["name_zh"] = name_zh
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return data


def test_seed_reference_change_shows_in_the_form_without_a_restart(client, tmp_path):
    assert "餐饮服务" in client.get("/report/new").get_data(as_text=True)  # the lists are cached now
    load_reference_data(data_dir=data_dir_renaming(tmp_path, "food.catering", "餐饮服务（含外卖）"))
    db.session.commit()
    page = client.get("/report/new").get_data(as_text=True)
    assert "餐饮服务（含外卖）" in page


def test_unchanged_reload_keeps_serving_the_same_lists(client):
    first = client.get("/report/new").get_data(as_text=True)
    load_reference_data()  # nothing changed: no event, no reload needed
    db.session.commit()
    assert "餐饮服务" in client.get("/report/new").get_data(as_text=True)
    assert first.count("<option") == client.get("/report/new").get_data(as_text=True).count("<option")


def test_the_cached_choices_follow_the_page_language(client):
    """The choices are built once per language: English after Chinese must not reuse them."""
    assert "餐饮服务" in client.get("/report/new").get_data(as_text=True)
    english = client.get("/report/new?lang=en").get_data(as_text=True)
    assert ">Catering<" in english and "餐饮服务" not in english
    assert "Food" in english and "食品" not in english  # the group labels too
    assert "餐饮服务" in client.get("/report/new?lang=zh_CN").get_data(as_text=True)
