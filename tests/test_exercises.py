"""The exercises: answers against hand calculations, the checker's messages, the blocks a
reader would write, predictions and explanations, and the renderings of every answer."""

from __future__ import annotations

import math

import pytest
from keras import layers, ops

from cnn_keras import exercises

ALL = exercises.exercises_for()
ANSWERS = [e for e in ALL if e.kind == "answer"]
BY_KIND = {kind: [e for e in ALL if e.kind == kind] for kind in exercises.KINDS}

# Worked by hand from each question's text (the formulas of notebook 00), not by the package.
BY_HAND = {
    "00.1": (55 - 3) // 2 + 1,
    "00.2": 64 * (3 * 3 * 64 + 1),
    "01.1": 256 * (5 * 5 * 96 + 1),
    "01.3": 55 * 55 * 96 * 11 * 11 * 3,
    "02.1": (55 - 5) // 2 + 1,
    "02.2": 96 * (11 * 11 * 3 - 7 * 7 * 3),
    "03.1": 56 * 56 * 256 * 3 * 3 * 256,
    "03.2": 5,
    "04.1": 28 * 28 * (192 * 16 + 5 * 5 * 16 * 32),
    "04.2": 256 + 3 * (128 + 192 + 96),
    "04.4": (512 * 128 + 128) + (4 * 4 * 128 * 1024 + 1024) + (1024 * 1000 + 1000),
    "05.1": 256 * 64 + 3 * 3 * 64 * 64 + 64 * 256,
    "05.2": 2 * 56 * 56 * 64 * 3 * 3 * 64,
    "06.1": 1 - 2 * 5 / 25,
    "06.2": 17 * 17 * 192 * 7 * 192,
    "07.1": 256 * 896 + 896,
    "07.2": (math.sqrt(1 + 20), math.sqrt(1 + 20 * 0.01)),
    "07.3": 17 * 17 * 384 * 1088,
    "08.1": (128 * 4 * 9, 128 * 2 * 9),
    "08.3": 1 / 512 + 1 / 25,
    "08.4": (((64 + 6 * 32) // 2 + 12 * 32) // 2 + 32 * 32) // 2 + 32 * 32,
    "10.1": 64_000 * 128 / 45_000,
    "10.3": 0.1 * 4,
    "11.1": 8 * 8 * 192 * 10 + 10,
    "11.2": (256 * 16 + 16) + (16 * 256 + 256),
    "11.4": (1.2 * 1.1**2 * 1.15**2) ** 2,
    "11.5": 56 * 56 * (24 * 144 + 3 * 3 * 144 + 144 * 24),
    "12.1": 64 * (7 * 7 * 3 + 1),
    "12.2": (512, 224 // 14),
}
# The count without the biases must be a named mistake where a question asks for biases.
WITHOUT_BIASES = {
    "00.2": 36_864,
    "01.1": 614_400,
    "04.4": 3_186_688,
    "07.1": 229_376,
    "12.1": 9_408,
}


def checked(key, answer, capsys) -> str:
    exercises.check(key, answer)
    return capsys.readouterr().out


@pytest.mark.parametrize("key", sorted(BY_HAND))
def test_answers_equal_the_hand_calculation(key):
    assert exercises.is_right(key, BY_HAND[key])


@pytest.mark.parametrize("entry", ANSWERS, ids=lambda e: e.key)
def test_each_answer_is_exact_or_within_its_stated_tolerance(entry, capsys):
    answer = entry.solve()
    values = answer if isinstance(answer, tuple) else (answer,)
    for value in values:
        assert isinstance(value, (int, float)) and not isinstance(value, bool)
        if isinstance(value, float):
            assert entry.rel_tol is not None, "a float answer states its tolerance"
    if isinstance(answer, int):  # a count: off by one is wrong
        assert not exercises.is_right(entry.key, answer + 1)
        assert not exercises.is_right(entry.key, answer - 1)
    elif isinstance(answer, float):
        assert not exercises.is_right(entry.key, answer * (1 + 3 * entry.rel_tol) + 1e-9)
    printed = checked(entry.key, answer, capsys)
    assert printed == f"{entry.key} ({entry.title}): right.\n"
    for wrong in (answer * 2, answer * 0.5) if not isinstance(answer, tuple) else ():
        printed = checked(entry.key, wrong, capsys)
        shown = printed.replace(entry.key, "").replace(repr(wrong), "")
        assert "not yet" in printed and str(answer) not in shown


@pytest.mark.parametrize("key", sorted(WITHOUT_BIASES))
def test_the_count_without_biases_is_named(key, capsys):
    printed = checked(key, WITHOUT_BIASES[key], capsys)
    assert "not yet: this is the count without the biases." in printed


def test_every_declared_mistake_is_wrong_and_named(capsys):
    for entry in ANSWERS:
        for description, compute in entry.mistakes.items():
            value = compute()
            if isinstance(value, tuple):
                value = tuple(
                    v if v is not None else a for v, a in zip(value, entry.solve(), strict=True)
                )
            assert not exercises.is_right(entry.key, value), (entry.key, description)
            assert description in checked(entry.key, value, capsys), (entry.key, description)


def test_tuples_name_the_wrong_value_and_types_are_named(capsys):
    params, macs = exercises.solution("08.2")
    printed = checked("08.2", (params, macs * 3), capsys)
    assert "the second value (MACs) is far too high" in printed and "first" not in printed
    printed = checked("08.2", (params - 1, macs), capsys)
    assert "the first value (trainable parameters) is a little too low" in printed
    assert "give 2 values (trainable parameters, MACs), got 1 values" in checked(
        "08.2", [params], capsys
    )
    assert "give an int (a whole count), got str '1e9'" in checked("01.3", "1e9", capsys)
    assert "give a number (int or float), got str '0.5'" in checked("06.1", "0.5", capsys)
    assert "the first value (unscaled): give a number" in checked("07.2", ("a", 1.0), capsys)
    assert "is the variance" not in checked("07.2", exercises.solution("07.2"), capsys)
    assert "right." in checked("00.2", 36928.0, capsys)  # a whole float is a count
    assert "give an int" in checked("00.2", 36928.5, capsys)
    assert "far too high" in checked("00.2", 10**6, capsys)


def test_check_speaks_to_the_student(capsys):
    exercises.check("00.2", None)
    assert "replace None with your answer" in capsys.readouterr().out
    with pytest.raises(ValueError, match=r"Unknown exercise key='99\.9'"):
        exercises.check("99.9", 1)
    with pytest.raises(ValueError, match=r"key must look like '03\.1'.*key='3-1'"):
        exercises.exercise("3-1", "bad key")(lambda: 1)
    with pytest.raises(ValueError, match=r"Call exercises\.check_block\('05\.5'"):
        exercises.check("05.5", 3)
    with pytest.raises(ValueError, match=r"Call exercises\.predict\('04\.6'"):
        exercises.explain("04.6")


def test_each_lesson_has_two_exercises_that_are_not_arithmetic():
    for number in range(13):
        kinds = [e.kind for e in exercises.exercises_for(f"{number:02d}")]
        assert sum(kind != "answer" for kind in kinds) >= 2, number
    assert all(BY_KIND[kind] for kind in exercises.KINDS)


# Blocks as a reader writes them, from the question alone; each with a broken twin.
def unit(x, bias=False):
    x = layers.Conv2D(32, 3, padding="same", use_bias=bias)(x)
    return layers.ReLU()(layers.BatchNormalization()(x))


def lrn(x, n=5):
    squares = ops.pad(ops.square(x), [[0, 0], [0, 0], [0, 0], [n // 2, n // 2]])
    total = sum(squares[..., i : i + x.shape[-1]] for i in range(n))
    return x / ops.power(2.0 + 1e-4 * total, 0.75)


def vgg_stage(x, last="relu"):
    x = layers.Conv2D(128, 3, padding="same", activation="relu")(x)
    x = layers.Conv2D(128, 3, padding="same", activation=last)(x)
    return layers.MaxPooling2D(2)(x)


def module_3a(x, swap=False):
    def conv(t, filters, size):
        return layers.Conv2D(filters, size, padding="same", activation="relu")(t)

    one = conv(x, 64, 1)
    three = conv(conv(x, 96, 1), 128, 3)
    five = conv(conv(x, 16, 1), 32, 5)
    pool = conv(layers.MaxPooling2D(3, strides=1, padding="same")(x), 32, 1)
    return layers.Concatenate()([one, five, three, pool] if swap else [one, three, five, pool])


def conv_bn(x, filters, size, relu=True, scale=True, epsilon=1e-3):
    x = layers.Conv2D(filters, size, padding="same", use_bias=False)(x)
    x = layers.BatchNormalization(epsilon=epsilon, scale=scale)(x)
    return layers.ReLU()(x) if relu else x


def basic(x, relu_before_add=False):
    y = conv_bn(conv_bn(x, 64, 3), 64, 3, relu=relu_before_add)
    return layers.ReLU()(layers.Add()([x, y]))


def bottleneck(x, shortcut=True):
    y = conv_bn(conv_bn(conv_bn(x, 64, 1), 64, 3), 256, 1, relu=False)
    return layers.ReLU()(layers.Add()([x, y]) if shortcut else y)


def factorized(x, scale=False):
    return conv_bn(conv_bn(x, 192, (1, 7), scale=scale), 192, (7, 1), scale=scale)


def block35(x, scale=0.17):
    def cb(t, size):
        return conv_bn(t, 32, size, scale=False)

    branches = [cb(x, 1), cb(cb(x, 1), 3), cb(cb(cb(x, 1), 3), 3)]
    mixed = layers.Concatenate()(branches)
    residual = layers.Rescaling(scale)(layers.Conv2D(256, 1)(mixed))
    return layers.ReLU()(layers.Add()([x, residual]))


def separable(x, bn_after_depthwise=True):
    x = layers.DepthwiseConv2D(3, padding="same", use_bias=False)(x)
    x = layers.ReLU(6.0)(layers.BatchNormalization()(x) if bn_after_depthwise else x)
    x = layers.Conv2D(128, 1, use_bias=False)(x)
    return layers.ReLU(6.0)(layers.BatchNormalization()(x))


def dense(x, input_first=True):
    def bn_relu_conv(t, filters, size):
        t = layers.ReLU()(layers.BatchNormalization(epsilon=1.001e-5)(t))
        return layers.Conv2D(filters, size, padding="same", use_bias=False)(t)

    new = bn_relu_conv(bn_relu_conv(x, 128, 1), 32, 3)
    return layers.Concatenate()([x, new] if input_first else [new, x])


def se(x, gate="sigmoid"):
    weights = layers.Dense(4, activation="relu")(layers.GlobalAveragePooling2D()(x))
    weights = layers.Reshape((1, 1, 64))(layers.Dense(64, activation=gate)(weights))
    return layers.Multiply()([x, weights])


def inverted(x, relu_last=False):
    y = conv_bn(x, 144, 1, relu=False)
    y = layers.ReLU(6.0)(y)
    y = layers.DepthwiseConv2D(3, padding="same", use_bias=False)(y)
    y = layers.ReLU(6.0)(layers.BatchNormalization()(y))
    y = conv_bn(y, 24, 1, relu=False)
    return layers.Add()([layers.ReLU(6.0)(y) if relu_last else y, x])


READER_BLOCKS = {
    "00.5": (unit, lambda x: unit(x, bias=True), "32 more parameters"),
    "01.6": (lrn, lambda x: lrn(x, n=3), "outputs differ"),
    "03.6": (vgg_stage, lambda x: vgg_stage(x, last=None), "outputs differ"),
    "04.7": (module_3a, lambda x: module_3a(x, swap=True), "outputs differ"),
    "05.5": (basic, lambda x: basic(x, relu_before_add=True), "outputs differ"),
    "05.6": (bottleneck, lambda x: bottleneck(x, shortcut=False), "outputs differ"),
    "06.5": (factorized, lambda x: factorized(x, scale=True), "384 more parameters"),
    "07.5": (block35, lambda x: block35(x, scale=1.0), "outputs differ"),
    "08.6": (separable, lambda x: separable(x, False), "BatchNormalization: yours 1"),
    "08.7": (dense, lambda x: dense(x, input_first=False), "outputs differ"),
    "11.6": (se, lambda x: se(x, gate="relu"), "outputs differ"),
    "11.7": (inverted, lambda x: inverted(x, relu_last=True), "outputs differ"),
}


def test_every_block_exercise_has_a_reader_solution_here():
    assert sorted(READER_BLOCKS) == [e.key for e in BY_KIND["block"]]


@pytest.mark.parametrize("key", sorted(READER_BLOCKS))
def test_check_block_accepts_a_readers_block_and_finds_the_broken_one(key, capsys):
    right, broken, message = READER_BLOCKS[key]
    exercises.check_block(key, right)
    assert ": right: output" in capsys.readouterr().out
    exercises.check_block(key, broken)
    printed = capsys.readouterr().out
    assert "not yet" in printed and message in printed, printed


def test_check_block_says_what_differs(capsys):
    exercises.check_block("05.5", lambda x: layers.Conv2D(32, 3)(x))
    assert (
        "your block outputs shape (6, 6, 32), the package's (8, 8, 64)" in capsys.readouterr().out
    )
    exercises.check_block("05.5", lambda x: [x])
    assert "must return one Keras tensor; it returned list" in capsys.readouterr().out
    exercises.check_block("05.5", lambda x: x.no_such_thing)
    assert "your block raised AttributeError" in capsys.readouterr().out
    assert not exercises.is_right("05.5", 3) and exercises.is_right("05.5", basic)
    exercises.check_block("05.5", None)
    assert "replace None with your block function" in capsys.readouterr().out


@pytest.mark.parametrize("entry", BY_KIND["predict"], ids=lambda e: e.key)
def test_predictions_explain_either_way(entry, capsys):
    right = entry.solve()
    assert right in entry.choices and len(entry.choices) >= 3
    assert entry.question.startswith(f"**{entry.key}** (predict, then measure)")
    wrong = next(letter for letter in entry.choices if letter != right)
    exercises.predict(entry.key, right.upper())
    exercises.predict(entry.key, wrong)
    printed = capsys.readouterr().out
    assert printed.count(entry.model_answer.split()[0]) >= 2
    assert ": right." in printed and "not yet: the measurement says otherwise" in printed
    exercises.predict(entry.key, "z")
    assert "give one of 'a', 'b'" in capsys.readouterr().out
    exercises.predict(entry.key, None)
    assert "(a) " in capsys.readouterr().out


def test_explanations_have_a_question_and_a_short_model_answer(capsys):
    explained = BY_KIND["explain"] + [exercises.get(key) for key in ("05.4", "08.2", "09.3")]
    for entry in explained:
        exercises.explain(entry.key)
        printed = capsys.readouterr().out
        assert "a model answer:" in printed and 40 <= len(entry.model_answer.split()) <= 110
    for entry in BY_KIND["explain"]:
        assert entry.question.startswith(f"**{entry.key}** (explain)")
        assert exercises.question(entry.key) == entry.question
    with pytest.raises(ValueError, match="no model answer"):
        exercises.explain("00.1")


def test_answer_renderings():
    assert {"36928", "36,928", "36 928", "36.9 K", "36.9K"} <= set(
        exercises.answer_renderings("00.2")
    )
    assert {"60 %", "60%", "0.60", "0.6"} & set(exercises.answer_renderings("06.1"))
    assert {"74.6 M", "74,575,872"} <= set(exercises.answer_renderings("06.2"))
    assert "4608" in exercises.answer_renderings("08.1") and "2,304" in exercises.answer_renderings(
        "08.1"
    )
    assert exercises.answer_renderings("05.5") == exercises.answer_renderings("04.6") == ()
    for entry in ANSWERS:
        assert exercises.answer_renderings(entry.key), entry.key


def test_the_package_holds_the_new_exercises_text():
    for entry in BY_KIND["block"]:
        assert entry.question.startswith(f"**{entry.key}** (implement it)")
        assert f'exercises.check_block("{entry.key}", ' in entry.question
    assert "(b) " in exercises.question("04.6") and exercises.question("00.1").startswith("output")
    assert exercises.solution("05.5") is exercises.get("05.5").solve
    assert exercises.solution("00.7") == exercises.get("00.7").model_answer
