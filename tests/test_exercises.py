"""The exercises' checker: right answers pass, wrong ones fail, and the answer stays hidden."""

from __future__ import annotations

import pytest

from cnn_keras import exercises

ALL = exercises.exercises_for()


def wrong(answer):
    """An answer that must be refused: numbers 10 % off, another word, one element changed."""
    if isinstance(answer, tuple):
        return (wrong(answer[0]), *answer[1:])
    if isinstance(answer, str):
        return answer + " not"
    return answer * 1.1 if answer else 1


@pytest.mark.parametrize("entry", ALL, ids=lambda e: e.key)
def test_each_exercise_accepts_its_answer_and_refuses_a_wrong_one(entry, capsys):
    answer = entry.solve()
    assert isinstance(answer, (int, float, str, tuple)) and not isinstance(answer, bool)
    assert exercises.is_right(entry.key, answer)
    assert not exercises.is_right(entry.key, wrong(answer))
    assert not exercises.is_right(entry.key, None)
    assert exercises.check(entry.key, answer) is None
    exercises.check(entry.key, wrong(answer))
    printed = capsys.readouterr().out
    assert f"{entry.key} ({entry.title}): right." in printed
    assert f"{entry.key} ({entry.title}): not yet." in printed
    if not isinstance(answer, str):
        assert str(answer) not in printed.replace(f"{entry.key} ", "")  # never shown


def test_check_speaks_to_the_student(capsys):
    key = ALL[0].key
    exercises.check(key, None)
    assert "replace None with your answer" in capsys.readouterr().out
    with pytest.raises(ValueError, match=r"Unknown exercise key='99\.9'"):
        exercises.check("99.9", 1)
    with pytest.raises(ValueError, match=r"key must look like '03\.1'.*key='3-1'"):
        exercises.exercise("3-1", "bad key")


def test_numbers_within_tolerance_and_directions():
    assert exercises._same(1000, 1004, 0.005) and not exercises._same(1000, 1010, 0.005)
    assert exercises._same((1, "B"), (1, "b"), 0.0) and not exercises._same((1,), (1, 2), 0.0)
    assert not exercises._same(True, 1, 0.0) and not exercises._same(float("nan"), 1.0, 0.1)
    assert "a little too high" in exercises._direction(110, 100)
    assert "far too low" in exercises._direction(10, 100)
