"""Names with one- and two-letter words, as a catalog of real artist names has them (issue 21, point 13)."""

from __future__ import annotations

from typing import Any

import pytest

SUGGEST_LIMIT = 10


@pytest.fixture
def names(shelf: Any) -> dict[str, str]:
    ze = shelf.artist("Zé Ramalho")
    sigur = shelf.artist("Sigur Rós")
    # Eleven words starting with "r", each more frequent than "rós": a one-letter prefix has more
    # completions than a query can read, and "rós" is not among the most frequent ones.
    crowd = shelf.artist("Rain River Road Rock Rose Ruby Red Rush Run Ray Rio")
    for title in ("Rainy Day", "Road Song"):
        shelf.song(crowd, title)
    return {
        "ze": ze,
        "Avôhai": shelf.song(ze, "Avôhai"),
        "sigur": sigur,
        "Hoppípolla": shelf.song(sigur, "Hoppípolla"),
        "U2 x": shelf.song(shelf.artist("U2"), "A Sort of Homecoming"),
    }


def _artists(find: Any, q: str) -> list[str]:
    return [item["name"] for item in find(q)["artists"]["items"]]


def test_one_and_two_letter_words_match_like_any_other_word(names, find):
    assert _artists(find, "ze ramalho") == ["Zé Ramalho"]
    assert _artists(find, "ze ramalho ") == ["Zé Ramalho"]
    assert [s["title"] for s in find("ze ramalho")["songs"]["items"]] == ["Avôhai"]
    assert _artists(find, "u2") == ["U2"]
    assert [s["title"] for s in find("a sort of homecoming ")["songs"]["items"]] == ["A Sort of Homecoming"]


def test_a_name_is_found_letter_by_letter_however_short_the_last_word(names, find):
    typed = "sigur ros"
    for end in range(len("sigur r"), len(typed) + 1):
        assert _artists(find, typed[:end]) == ["Sigur Rós"], typed[:end]
    for end in range(1, len("ze ramalho") + 1):
        q = "ze ramalho"[:end]
        if q.endswith(" "):
            continue
        assert "Zé Ramalho" in _artists(find, q), q


def test_suggest_completes_short_last_words(names, api, user):
    for q in ("sigur r", "sigur ró", "ze r", "ze ramalho", "z"):
        response = api.get("/search/suggest", token=user.token, query={"q": q})
        assert response.status == 200, response.body
        texts = [item["text"] for item in response.json()["items"]]
        expected = "Sigur Rós" if q.startswith("s") else "Zé Ramalho"
        assert expected in texts, (q, texts)
