"""One page of a list at a time: the browser never holds a whole company's invoices.

Pages are cut by offset (``ORDER BY <the list's columns>, <a unique tie-breaker> LIMIT 25 OFFSET
n``), not by keyset, because these lists are read the way a person reads them: numbered pages, a
jump to any page ("1–25 sur 312"), a choice of four sort columns (dates that may be empty, an
amount, the number), each of which a keyset would have to encode in a cursor with its NULLs. The
cost of an offset grows with the page's depth only, never with the first page people open, and
every sort order ends with a unique column, so a row never appears on two pages nor on none.
The total is counted on the same conditions as the rows, in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, overload

from sqlmodel import Session

T = TypeVar("T")
U = TypeVar("U")
PAGE_SIZE = 25  # rows a page shows


@dataclass(frozen=True)
class Page(Sequence[T], Generic[T]):
    """One page of a list: its rows (the page iterates, indexes and counts as its rows), how many
    rows the whole filtered list holds, which page this is (from 1) and how many pages there are
    (at least 1, an empty list being one empty page)."""

    rows: tuple[T, ...]
    total: int
    page: int = 1
    pages: int = 1

    @overload
    def __getitem__(self, index: int) -> T: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[T, ...]: ...

    def __getitem__(self, index: int | slice) -> T | tuple[T, ...]:
        return self.rows[index]

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[T]:
        return iter(self.rows)

    def map(self, build: Callable[[T], U]) -> Page[U]:
        """The same page, each of its rows built into another (a view row of a table row)."""
        return Page(tuple(build(row) for row in self.rows), self.total, self.page, self.pages)


def page_count(total: int) -> int:
    """How many pages ``total`` rows fill (an empty list is one page)."""
    return max(1, -(-total // PAGE_SIZE))


def clamp_page(page: object, total: int) -> int:
    """The page to show: ``page`` when it is a page number of the list, the last page past the
    end, the first for anything that is not a positive whole number."""
    if not isinstance(page, int) or isinstance(page, bool) or page < 1:
        return 1
    return min(page, page_count(total))


def fetch_page(session: Session, rows: Any, count: Any, page: object, *, keys: Any = None) -> Page[Any]:
    """Count the list, then load only the asked page of its rows (see :meth:`Page.map` to build
    view rows of them).

    Args:
        session: The read.
        rows: The list's select, already sorted in a total order.
        count: A select of one number: how many rows ``rows`` holds without its limit.
        page: The page asked for (see :func:`clamp_page`).
        keys: The same list reduced to its rows' unique column, in the same order (``select(
            Invoice.id).where(...).order_by(...)``). The page is then cut from the keys, which an
            index holds on its own, and only the page's rows are read in full: a filter matching
            thousands of rows sorts their index entries, not the rows themselves.
    """
    total = int(session.exec(count).one())
    number = clamp_page(page, total)
    offset = (number - 1) * PAGE_SIZE
    if keys is None:
        found = session.exec(rows.offset(offset).limit(PAGE_SIZE)).all()
    else:
        cut = keys.offset(offset).limit(PAGE_SIZE)
        found = session.exec(rows.where(keys.selected_columns[0].in_(cut))).all()
    return Page(tuple(found), total, number, page_count(total))
