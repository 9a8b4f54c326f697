"""The search page over an empty library (a module of its own: test_views.py shares a full one)."""


def test_an_empty_library_says_how_to_import(client, db, index_dir):
    html = client.get("/search").content.decode()

    assert "The library holds no cables yet." in html
    assert "manage.py import_cables" in html
