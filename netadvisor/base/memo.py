"""Bounded memos: the engine and the writers remember what many cases share (a rule's words,
a therapy's evidence, a part's JSON), and a cohort of any size must not grow them for ever."""


def remember(memo: dict, key, value, limit: int = 4096):
    """memo[key] = value, returned; a memo that holds `limit` entries is emptied first, so memory
    stays flat (a forgotten entry is only worked out again, never changed)."""
    if len(memo) >= limit:
        memo.clear()
    memo[key] = value
    return value
