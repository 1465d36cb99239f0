//! Where a run's time goes, phase by phase, printed with `-stats` or when
//! `CARAVAN_STATS` is set (with the number of files hashed, and the CPU
//! time caravan spent itself apart from the commands it ran): the figures
//! behind the null-build budget and the CPU excess of issue 18. The binary
//! decides whether to print.

use std::time::Instant;

/// A stopwatch that records named phases.
pub struct Timings {
    last: Instant,
    phases: Vec<(&'static str, f64)>,
    /// Figures of the run as `name=value` words.
    figures: Vec<String>,
}

impl Timings {
    /// Starts timing.
    pub fn start() -> Timings {
        Timings {
            last: Instant::now(),
            phases: Vec::new(),
            figures: Vec::new(),
        }
    }

    /// Ends the current phase under `name`.
    pub fn mark(&mut self, name: &'static str) {
        let now = Instant::now();
        self.phases
            .push((name, now.duration_since(self.last).as_secs_f64() * 1000.0));
        self.last = now;
    }

    /// Notes a figure of the run, printed as `name=value`.
    pub fn figure(&mut self, name: &str, value: impl std::fmt::Display) {
        self.figures.push(format!("{name}={value}"));
    }

    /// Prints the `caravan-stats: ...` lines.
    pub fn report(&self) {
        println!("caravan-stats: files-hashed={}", engine::files_hashed());
        if !self.figures.is_empty() {
            println!("caravan-stats: {}", self.figures.join(" "));
        }
        let phases: Vec<String> = self
            .phases
            .iter()
            .map(|(n, ms)| format!("{n}={ms:.2}ms"))
            .collect();
        println!("caravan-stats: {}", phases.join(" "));
        let (own, children) = (cpu_time(libc::RUSAGE_SELF), cpu_time(libc::RUSAGE_CHILDREN));
        println!(
            "caravan-stats: cpu own-user={:.3}s own-sys={:.3}s children-user={:.3}s children-sys={:.3}s",
            own.0, own.1, children.0, children.1
        );
    }
}

/// The user and system CPU seconds of `who` (`RUSAGE_SELF`: caravan's own
/// threads; `RUSAGE_CHILDREN`: the commands it ran and waited for).
fn cpu_time(who: libc::c_int) -> (f64, f64) {
    // SAFETY: an all-zero rusage is a valid value, and getrusage only
    // writes into the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is a valid, writable rusage; `who` is one of the two
    // values getrusage accepts here.
    if unsafe { libc::getrusage(who, &mut usage) } != 0 {
        return (0.0, 0.0);
    }
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    (seconds(usage.ru_utime), seconds(usage.ru_stime))
}
