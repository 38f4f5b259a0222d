//! The editor's preview: the visitor's page, rendered by the same component, at a moment of its
//! life the creator picks (before the launch, live, after the end).

use chrono::{DateTime, Duration, Utc};

#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum PreviewPhase {
    Scheduled,
    Live,
    Ended,
}

impl PreviewPhase {
    pub const ALL: [PreviewPhase; 3] = [PreviewPhase::Scheduled, PreviewPhase::Live, PreviewPhase::Ended];

    /// The `?preview=` value; anything unknown previews the live page.
    pub fn parse(s: &str) -> PreviewPhase {
        match s {
            "scheduled" => PreviewPhase::Scheduled,
            "ended" => PreviewPhase::Ended,
            _ => PreviewPhase::Live,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PreviewPhase::Scheduled => "scheduled",
            PreviewPhase::Live => "live",
            PreviewPhase::Ended => "ended",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PreviewPhase::Scheduled => "Before launch",
            PreviewPhase::Live => "Live",
            PreviewPhase::Ended => "After the end",
        }
    }

    /// The instant to show the page at: now when now already falls in the phase, else a moment
    /// inside it (an hour before the launch, just after the start, a second after the end).
    pub fn instant(self, now: DateTime<Utc>, launch_at: Option<DateTime<Utc>>, end: DateTime<Utc>) -> DateTime<Utc> {
        // Checked: a time at the edge of chrono's range stays where it is instead of panicking.
        let shift = |t: DateTime<Utc>, by: Duration| t.checked_add_signed(by).unwrap_or(t);
        let start = launch_at.unwrap_or(DateTime::<Utc>::MIN_UTC);
        match self {
            PreviewPhase::Scheduled => match launch_at {
                Some(launch) if now < launch => now,
                Some(launch) => shift(launch, -Duration::hours(1)),
                None => now.min(shift(end, -Duration::seconds(1))),
            },
            PreviewPhase::Live if now >= start && now < end => now,
            PreviewPhase::Live => launch_at.filter(|l| *l < end).map(|l| shift(l, Duration::seconds(1))).unwrap_or(shift(end, -Duration::hours(1))),
            PreviewPhase::Ended => now.max(shift(end, Duration::seconds(1))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::phase::{PageClock, Phase, phase};
    use chrono::TimeZone;

    #[test]
    fn each_preview_lands_in_its_phase() {
        let t = |h: u32| Utc.with_ymd_and_hms(2026, 12, 1, h, 0, 0).single().expect("valid");
        let (launch, end) = (t(10), t(12));
        for now in [t(8), t(11), t(13)] {
            for (want, p) in [("Scheduled", PreviewPhase::Scheduled), ("Live", PreviewPhase::Live), ("Ended", PreviewPhase::Ended)] {
                let at = p.instant(now, Some(launch), end);
                let clock = PageClock { is_active: true, launch_at: Some(launch), expires_at: None, end_time: end };
                assert_eq!(phase(&clock, at, false).name().to_ascii_lowercase(), want.to_ascii_lowercase(), "{p:?} at {now}");
            }
        }
        // With no launch time there is no "before": the preview shows the live page.
        let clock = PageClock { is_active: true, launch_at: None, expires_at: None, end_time: end };
        assert!(matches!(phase(&clock, PreviewPhase::Scheduled.instant(t(8), None, end), false), Phase::Live { .. }));
    }
}
