"""Sign-in throttling: lockouts per account and per network, growing lockouts, and the bounded store."""

from __future__ import annotations

from congvu.security.throttle import (
    MemoryThrottleStore,
    SignInThrottle,
    ThrottlePolicy,
    ThrottleState,
    network_key,
)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def make(clock: Clock) -> SignInThrottle:
    return SignInThrottle(MemoryThrottleStore(clock=clock), clock=clock,
                          account_policy=ThrottlePolicy(3, window_s=600, lockout_s=60, max_lockout_s=240),
                          network_policy=ThrottlePolicy(10, window_s=600, lockout_s=300, max_lockout_s=600))


def test_account_locks_after_failures_and_lockouts_grow() -> None:
    clock = Clock()
    throttle = make(clock)
    for _ in range(2):
        assert throttle.failure("a@x.vn", "203.0.113.1").allowed
    verdict = throttle.failure("a@x.vn", "203.0.113.9")
    assert not verdict.allowed and 55 <= verdict.retry_after_s <= 61
    assert not throttle.check("A@X.VN", "198.51.100.7").allowed  # the account is locked from everywhere
    assert throttle.check("b@x.vn", "203.0.113.1").allowed  # others are not
    clock.now += 61
    assert throttle.check("a@x.vn", "203.0.113.1").allowed
    for _ in range(3):
        throttle.failure("a@x.vn", "203.0.113.1")
    assert 115 <= throttle.check("a@x.vn", "203.0.113.1").retry_after_s <= 121  # doubled


def test_failures_outside_the_window_are_forgotten_and_success_clears() -> None:
    clock = Clock()
    throttle = make(clock)
    throttle.failure("a@x.vn", "203.0.113.1")
    throttle.failure("a@x.vn", "203.0.113.1")
    clock.now += 601
    assert throttle.failure("a@x.vn", "203.0.113.1").allowed
    throttle.failure("a@x.vn", "203.0.113.1")
    throttle.success("a@x.vn", "203.0.113.1")
    assert throttle.failure("a@x.vn", "203.0.113.1").allowed


def test_network_locks_across_accounts_and_ipv6_groups_by_64() -> None:
    clock = Clock()
    throttle = make(clock)
    for i in range(10):
        throttle.failure(f"user{i}@x.vn", f"2001:db8:1:2::{i + 1}")
    assert not throttle.check("someone@x.vn", "2001:db8:1:2:ffff::1").allowed
    assert throttle.check("someone@x.vn", "2001:db8:1:3::1").allowed
    assert network_key("::ffff:192.0.2.5") == "net:192.0.2.5"
    assert network_key("not an ip") == network_key(None)


def test_memory_store_is_bounded_and_expires() -> None:
    clock = Clock()
    store = MemoryThrottleStore(max_keys=3, clock=clock)
    for i in range(5):
        store.put(f"k{i}", ThrottleState(failures=(1.0,)), ttl_s=100 + i)
    assert sum(store.get(f"k{i}") is not None for i in range(5)) == 3
    clock.now += 200
    assert store.get("k4") is None
