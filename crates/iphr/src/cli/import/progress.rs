//! The progress bar of a large import on a terminal.

/// A progress bar on standard error while a large file imports — only on a terminal (and not
/// with `--json` or when piped), redrawn at most ten times a second.
pub(super) struct ProgressBar {
    name: String,
    on: bool,
    last: std::sync::Mutex<Option<std::time::Instant>>,
}

impl ProgressBar {
    pub(super) fn new(name: &str) -> Self {
        use std::io::IsTerminal;
        Self { name: name.to_string(), on: std::io::stderr().is_terminal(), last: std::sync::Mutex::new(None) }
    }

    pub(super) fn update(&self, pass: iphr_import::Pass, done: u64, total: u64) {
        if !self.on {
            return;
        }
        let Ok(mut last) = self.last.lock() else { return };
        if last.is_some_and(|t| t.elapsed() < std::time::Duration::from_millis(100)) {
            return;
        }
        *last = Some(std::time::Instant::now());
        let step = match pass {
            iphr_import::Pass::Reading => 0,
            iphr_import::Pass::Converting => 1,
            iphr_import::Pass::Writing => 2,
        };
        let frac = if total == 0 { 0.0 } else { (done as f64 / total as f64).min(1.0) };
        let width = 30;
        let filled = (frac * width as f64) as usize;
        eprint!(
            "\r{} [{}{}] {:>3}% {}/3 {} {:.1}/{:.1} MiB ",
            self.name,
            "#".repeat(filled),
            "-".repeat(width - filled),
            (frac * 100.0) as u32,
            step + 1,
            pass.label_ja(),
            done as f64 / 1048576.0,
            total as f64 / 1048576.0,
        );
    }

    pub(super) fn finish(&self) {
        if self.on && self.last.lock().is_ok_and(|l| l.is_some()) {
            eprintln!();
        }
    }
}
