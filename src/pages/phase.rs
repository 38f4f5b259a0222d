//! The life of a page, in one function. Every view, server function and (later) checkout asks
//! [`phase`]; nothing caches its answer, because it depends on the clock.
//!
//! scheduled (before `launchAt`) -> live -> ended (end time reached, or sold out) ; and at any time
//! inactive (switched off, or past `expiresAt`). Boundaries are exact: at the launch instant the page
//! is live; at the end instant it has ended; at the expiry instant it is inactive.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The times and switches that decide a page's phase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageClock {
    pub is_active: bool,
    pub launch_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    /// The kind's end: countdown target, sale or offer end, event end.
    pub end_time: DateTime<Utc>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EndReason {
    TimeUp,
    SoldOut,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Phase {
    /// Before launch: teaser, countdown to launch, optional notify-me.
    Scheduled { launches_at: DateTime<Utc> },
    /// Running, until `ends_at`.
    Live { ends_at: DateTime<Utc> },
    /// Over; the kind's post-action applies.
    Ended { reason: EndReason },
    /// Switched off or expired: 410 Gone.
    Inactive,
}

impl Phase {
    pub fn name(self) -> &'static str {
        match self {
            Phase::Scheduled { .. } => "scheduled",
            Phase::Live { .. } => "live",
            Phase::Ended { .. } => "ended",
            Phase::Inactive => "inactive",
        }
    }
}

/// The phase of a page at `now`. `sold_out` only matters once the page is live.
pub fn phase(clock: &PageClock, now: DateTime<Utc>, sold_out: bool) -> Phase {
    if !clock.is_active || clock.expires_at.is_some_and(|e| now >= e) {
        return Phase::Inactive;
    }
    if let Some(launch) = clock.launch_at {
        if now < launch {
            return Phase::Scheduled { launches_at: launch };
        }
    }
    if now >= clock.end_time {
        return Phase::Ended { reason: EndReason::TimeUp };
    }
    if sold_out {
        return Phase::Ended { reason: EndReason::SoldOut };
    }
    Phase::Live { ends_at: clock.end_time }
}

/// The next instant at which the phase changes by the clock alone, if any.
pub fn next_change(clock: &PageClock, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
    [clock.launch_at, Some(clock.end_time), clock.expires_at].into_iter().flatten().filter(|t| *t > now).min()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, TimeZone};

    fn t(h: u32, m: u32, s: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 12, 1, h, m, s).single().expect("valid time")
    }

    #[test]
    fn the_whole_life_of_a_page() {
        let clock = PageClock { is_active: true, launch_at: Some(t(10, 0, 0)), expires_at: Some(t(14, 0, 0)), end_time: t(12, 0, 0) };
        let ms = Duration::milliseconds(1);
        let cases: &[(DateTime<Utc>, bool, Phase)] = &[
            (t(9, 0, 0), false, Phase::Scheduled { launches_at: t(10, 0, 0) }),
            (t(10, 0, 0) - ms, false, Phase::Scheduled { launches_at: t(10, 0, 0) }),
            (t(10, 0, 0), false, Phase::Live { ends_at: t(12, 0, 0) }),
            (t(11, 59, 59), false, Phase::Live { ends_at: t(12, 0, 0) }),
            (t(12, 0, 0) - ms, false, Phase::Live { ends_at: t(12, 0, 0) }),
            (t(12, 0, 0), false, Phase::Ended { reason: EndReason::TimeUp }),
            (t(12, 0, 1), false, Phase::Ended { reason: EndReason::TimeUp }),
            (t(14, 0, 0) - ms, false, Phase::Ended { reason: EndReason::TimeUp }),
            (t(14, 0, 0), false, Phase::Inactive),
            // Stock only matters while live.
            (t(9, 0, 0), true, Phase::Scheduled { launches_at: t(10, 0, 0) }),
            (t(11, 0, 0), true, Phase::Ended { reason: EndReason::SoldOut }),
            (t(12, 30, 0), true, Phase::Ended { reason: EndReason::TimeUp }),
        ];
        for (now, sold_out, want) in cases {
            assert_eq!(phase(&clock, *now, *sold_out), *want, "at {now} sold_out={sold_out}");
        }
    }

    #[test]
    fn switched_off_is_inactive_at_every_moment() {
        let clock = PageClock { is_active: false, launch_at: Some(t(10, 0, 0)), expires_at: None, end_time: t(12, 0, 0) };
        for now in [t(9, 0, 0), t(11, 0, 0), t(13, 0, 0)] {
            assert_eq!(phase(&clock, now, false), Phase::Inactive);
        }
    }

    #[test]
    fn no_launch_time_means_live_at_once_and_no_expiry_means_ended_forever() {
        let clock = PageClock { is_active: true, launch_at: None, expires_at: None, end_time: t(12, 0, 0) };
        assert_eq!(phase(&clock, t(0, 0, 0), false), Phase::Live { ends_at: t(12, 0, 0) });
        assert_eq!(phase(&clock, t(23, 0, 0), false), Phase::Ended { reason: EndReason::TimeUp });
    }

    #[test]
    fn next_change_is_the_nearest_future_boundary() {
        let clock = PageClock { is_active: true, launch_at: Some(t(10, 0, 0)), expires_at: Some(t(14, 0, 0)), end_time: t(12, 0, 0) };
        assert_eq!(next_change(&clock, t(9, 0, 0)), Some(t(10, 0, 0)));
        assert_eq!(next_change(&clock, t(10, 0, 0)), Some(t(12, 0, 0)));
        assert_eq!(next_change(&clock, t(12, 0, 0)), Some(t(14, 0, 0)));
        assert_eq!(next_change(&clock, t(14, 0, 0)), None);
    }

    #[test]
    fn phase_is_computed_in_utc_so_dst_changes_do_not_move_it() {
        // Europe/Paris leaves summer time at 01:00 UTC on 2026-10-25: an hour "repeats" locally,
        // but the UTC instants are distinct and ordered, so the phase is unambiguous.
        let end = Utc.with_ymd_and_hms(2026, 10, 25, 1, 30, 0).single().expect("valid");
        let clock = PageClock { is_active: true, launch_at: None, expires_at: None, end_time: end };
        assert!(matches!(phase(&clock, end - Duration::hours(1), false), Phase::Live { .. }));
        assert!(matches!(phase(&clock, end, false), Phase::Ended { .. }));
    }
}
