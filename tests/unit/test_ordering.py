"""Ordering maths of the editor's-choice block: nothing is ever lost, duplicated or put outside the block."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ca_editor.domain.ordering import duplicates, insert, move, qt_move_target, remove, would_evict

# Distinct items, so that an item's position identifies it unambiguously.
distinct_items = st.lists(st.integers(), unique=True, max_size=12)
non_empty_distinct_items = st.lists(st.integers(), unique=True, min_size=1, max_size=12)
any_index = st.integers(min_value=-20, max_value=30)


def _qt_move_rows(items: list[str], source: int, destination_child: int) -> list[str]:
    """What QAbstractItemModel.moveRows does to one row, simulated on a plain list.

    Qt inserts the moved row *before* ``destination_child``, counted in the list as it was before the
    move; the original row is then taken out.
    """
    moved = items[source]
    with_copy = [*items[:destination_child], moved, *items[destination_child:]]
    original_at = source + 1 if destination_child <= source else source
    del with_copy[original_at]
    return with_copy


# --- move -----------------------------------------------------------------------------------------------


def test_move_down_shifts_the_items_in_between_up() -> None:
    assert move("abcde", 1, 3) == ("a", "c", "d", "b", "e")


def test_move_up_shifts_the_items_in_between_down() -> None:
    assert move("abcde", 3, 0) == ("d", "a", "b", "c", "e")


def test_move_onto_itself_changes_nothing() -> None:
    assert move("abc", 1, 1) == ("a", "b", "c")


def test_move_of_an_empty_list_is_empty() -> None:
    assert move([], 0, 3) == ()


def test_move_past_the_end_lands_last_and_before_the_start_lands_first() -> None:
    assert move("abcd", 0, 99) == ("b", "c", "d", "a")
    assert move("abcd", 3, -5) == ("d", "a", "b", "c")


def test_move_returns_a_new_tuple_and_leaves_the_input_alone() -> None:
    items = ["a", "b", "c"]
    result = move(items, 0, 2)
    assert isinstance(result, tuple)
    assert items == ["a", "b", "c"]


@given(items=distinct_items, source=any_index, target=any_index)
def test_move_is_a_permutation(items: list[int], source: int, target: int) -> None:
    result = move(items, source, target)
    assert Counter(result) == Counter(items)
    assert len(result) == len(items)


@given(items=non_empty_distinct_items, source=any_index, target=any_index)
def test_moved_item_ends_at_the_clamped_target(items: list[int], source: int, target: int) -> None:
    last = len(items) - 1
    clamped_source = min(max(source, 0), last)
    clamped_target = min(max(target, 0), last)
    result = move(items, source, target)
    assert result[clamped_target] == items[clamped_source]


@given(items=non_empty_distinct_items, source=any_index, target=any_index)
def test_move_keeps_the_relative_order_of_the_other_items(items: list[int], source: int, target: int) -> None:
    moved = items[min(max(source, 0), len(items) - 1)]
    result = move(items, source, target)
    assert [x for x in result if x != moved] == [x for x in items if x != moved]


# --- insert ---------------------------------------------------------------------------------------------


def test_insert_into_a_block_with_room_evicts_nothing() -> None:
    assert insert(["a", "b"], "x", 1, capacity=4) == (("a", "x", "b"), None)


def test_insert_past_the_end_of_a_block_with_room_appends() -> None:
    assert insert(["a", "b"], "x", 10, capacity=4) == (("a", "b", "x"), None)


def test_insert_at_a_negative_index_puts_the_item_first() -> None:
    assert insert(["a", "b"], "x", -3, capacity=4) == (("x", "a", "b"), None)


def test_insert_at_the_top_of_a_full_block_evicts_the_last_item() -> None:
    assert insert(["a", "b", "c"], "x", 0, capacity=3) == (("x", "a", "b"), "c")


def test_insert_past_the_end_of_a_full_block_takes_the_last_slot() -> None:
    # The new story must not be the one that falls straight out again.
    assert insert(["a", "b", "c"], "x", 3, capacity=3) == (("a", "b", "x"), "c")
    assert insert(["a", "b", "c"], "x", 50, capacity=3) == (("a", "b", "x"), "c")


def test_insert_into_a_one_slot_block_replaces_its_item() -> None:
    assert insert(["a"], "x", 0, capacity=1) == (("x",), "a")


def test_insert_into_an_empty_block() -> None:
    assert insert([], "x", 5, capacity=3) == (("x",), None)


@pytest.mark.parametrize("capacity", [0, -1])
def test_insert_rejects_a_block_without_slots(capacity: int) -> None:
    with pytest.raises(ValueError, match="capacity"):
        insert(["a"], "x", 0, capacity=capacity)


@st.composite
def full_blocks(draw: st.DrawFn) -> tuple[list[int], int]:
    items = draw(st.lists(st.integers(min_value=0), unique=True, min_size=1, max_size=10))
    return items, len(items)


@given(block=full_blocks(), at=any_index)
def test_insert_into_a_full_block_evicts_exactly_the_previous_last_item(
    block: tuple[list[int], int], at: int
) -> None:
    items, capacity = block
    new = -1  # never among the drawn items, which are >= 0
    result, evicted = insert(items, new, at, capacity)
    assert evicted == items[-1]
    assert len(result) == capacity
    assert new in result
    assert Counter(result) == Counter([*items[:-1], new])


@given(items=distinct_items, extra_capacity=st.integers(min_value=0, max_value=5), at=any_index)
def test_insert_always_lands_the_new_item_inside_the_block(
    items: list[int], extra_capacity: int, at: int
) -> None:
    capacity = max(1, len(items) + extra_capacity)
    new = object()
    result, evicted = insert(items, new, at, capacity)
    assert len(result) <= capacity
    assert result.count(new) == 1
    assert evicted is not new
    expected_index = min(max(at, 0), len(items), capacity - 1)
    assert result.index(new) == expected_index


@given(items=distinct_items, extra_capacity=st.integers(min_value=1, max_value=5), at=any_index)
def test_insert_into_a_block_with_room_loses_nothing(items: list[int], extra_capacity: int, at: int) -> None:
    new = object()  # never equal to a generated item (an int marker such as -1 could be one)
    result, evicted = insert(items, new, at, len(items) + extra_capacity)
    assert evicted is None
    assert [x for x in result if x is not new] == items


# --- would_evict ----------------------------------------------------------------------------------------


def test_would_evict_names_the_last_item_of_a_full_block() -> None:
    assert would_evict(["a", "b", "c"], 3) == "c"


def test_would_evict_nothing_while_there_is_room() -> None:
    assert would_evict(["a", "b"], 3) is None
    assert would_evict([], 1) is None


@given(items=distinct_items, capacity=st.integers(min_value=1, max_value=12), at=any_index)
def test_would_evict_predicts_what_insert_evicts(items: list[int], capacity: int, at: int) -> None:
    block = items[:capacity]  # a block never holds more than its capacity
    assert would_evict(block, capacity) == insert(block, -1, at, capacity)[1]


# --- remove ---------------------------------------------------------------------------------------------


def test_remove_takes_out_only_the_given_slot() -> None:
    assert remove(["a", "b", "c"], 1) == ("a", "c")
    assert remove(["a", "b", "c"], 0) == ("b", "c")
    assert remove(["a", "b", "c"], 2) == ("a", "b")


@pytest.mark.parametrize("index", [-1, 3, 100])
def test_remove_refuses_an_index_outside_the_list(index: int) -> None:
    # -1 must not silently remove the last item as Python indexing would.
    with pytest.raises(IndexError, match=str(index)):
        remove(["a", "b", "c"], index)


@given(items=non_empty_distinct_items, data=st.data())
def test_remove_drops_exactly_one_item(items: list[int], data: st.DataObject) -> None:
    index = data.draw(st.integers(min_value=0, max_value=len(items) - 1))
    result = remove(items, index)
    assert len(result) == len(items) - 1
    assert items[index] not in result
    assert list(result) == items[:index] + items[index + 1 :]


# --- qt_move_target -------------------------------------------------------------------------------------


def test_qt_move_target_moving_up_keeps_the_destination() -> None:
    assert qt_move_target(3, 1) == 1


def test_qt_move_target_moving_down_lands_one_row_earlier() -> None:
    # Qt's destination 4 means "before the row that was at 4", which is index 3 once the row has left.
    assert qt_move_target(1, 4) == 3


def test_qt_move_target_to_the_end_of_the_list_lands_last() -> None:
    assert qt_move_target(0, 5) == 4  # five rows, destination == rowCount


@given(items=st.lists(st.text(max_size=3), unique=True, min_size=1, max_size=10), data=st.data())
def test_qt_move_target_matches_qt_move_rows_semantics(items: list[str], data: st.DataObject) -> None:
    source = data.draw(st.integers(min_value=0, max_value=len(items) - 1))
    destination_child = data.draw(st.integers(min_value=0, max_value=len(items)))  # rowCount is allowed
    expected = _qt_move_rows(items, source, destination_child)
    final_index = qt_move_target(source, destination_child)
    assert expected[final_index] == items[source]
    assert list(move(items, source, final_index)) == expected


# --- duplicates -----------------------------------------------------------------------------------------


def test_duplicates_of_a_list_without_repeats_is_empty() -> None:
    assert duplicates([1, 2, 3]) == set()
    assert duplicates([]) == set()


def test_duplicates_names_each_repeated_item_once() -> None:
    assert duplicates(["a", "b", "a", "c", "b", "a"]) == {"a", "b"}


@given(st.lists(st.integers(min_value=0, max_value=6), max_size=20))
def test_duplicates_are_exactly_the_items_seen_more_than_once(items: list[int]) -> None:
    assert duplicates(items) == {item for item, count in Counter(items).items() if count > 1}
