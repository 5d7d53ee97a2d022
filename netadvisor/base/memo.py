"""Bounded memos: the engine and the writers remember what many cases share (a rule's words,
a therapy's evidence, a part's JSON), and a cohort of any size must not grow them for ever."""


def remember(memo: dict, key, value, limit: int = 4096):
    """memo[key] = value, returned; a memo that holds `limit` entries is emptied first, so memory
    stays flat (a forgotten entry is only worked out again, never changed)."""
    if len(memo) >= limit:
        memo.clear()
    memo[key] = value
    return value


def per_object(work, limit: int = 4096):
    """work(value), remembered per object (by identity: 1 and 1.0 are equal, and worked apart), at
    most `limit` of them: for what the engine hands many cases as one object (a therapy's
    toxicities). The result is shared by every caller with that object: never change it."""
    memo: dict = {}

    def remembered(value):
        found = memo.get(id(value))
        if found is None or found[0] is not value:
            found = remember(memo, id(value), (value, work(value)), limit)  # holding the value keeps its id from being reused
        return found[1]

    return remembered
