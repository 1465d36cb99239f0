//! Where a run's time goes, phase by phase, printed with `-stats` or when
//! `CARAVAN_STATS` is set (with the number of files hashed): the figures
//! behind the null-build budget. The binary decides whether to print.

use std::time::Instant;

/// A stopwatch that records named phases.
pub struct Timings {
    last: Instant,
    phases: Vec<(&'static str, f64)>,
}

impl Timings {
    /// Starts timing.
    pub fn start() -> Timings {
        Timings {
            last: Instant::now(),
            phases: Vec::new(),
        }
    }

    /// Ends the current phase under `name`.
    pub fn mark(&mut self, name: &'static str) {
        let now = Instant::now();
        self.phases
            .push((name, now.duration_since(self.last).as_secs_f64() * 1000.0));
        self.last = now;
    }

    /// Prints the `caravan-stats: ...` lines.
    pub fn report(&self) {
        println!("caravan-stats: files-hashed={}", engine::files_hashed());
        let phases: Vec<String> = self
            .phases
            .iter()
            .map(|(n, ms)| format!("{n}={ms:.2}ms"))
            .collect();
        println!("caravan-stats: {}", phases.join(" "));
    }
}
