//! The imports this server is running and how far they are (the upload page shows them).

/// The imports this server is running, by upload: what the status fragment shows while one runs
/// (the step and how far into the file it is). Other servers behind the same load balancer read
/// the step this server writes to the upload's row every few seconds.
#[derive(Default)]
pub struct ImportProgress {
    runs: std::sync::Mutex<std::collections::HashMap<uuid::Uuid, std::sync::Arc<Run>>>,
}

/// One import running: its step and the bytes of the file read in it.
pub struct Run {
    started: std::time::Instant,
    pass: std::sync::atomic::AtomicU8,
    read: std::sync::atomic::AtomicU64,
    total: std::sync::atomic::AtomicU64,
}

impl Run {
    pub(crate) fn new() -> Self {
        Self { started: std::time::Instant::now(), pass: 0.into(), read: 0.into(), total: 0.into() }
    }

    pub(crate) fn update(&self, pass: iphr_import::Pass, read: u64, total: u64) {
        use std::sync::atomic::Ordering::Relaxed;
        let n = match pass {
            iphr_import::Pass::Reading => 1,
            iphr_import::Pass::Converting => 2,
            iphr_import::Pass::Writing => 3,
        };
        self.pass.store(n, Relaxed);
        self.read.store(read, Relaxed);
        self.total.store(total, Relaxed);
    }

    /// The step as shown ("変換 42% · 12 秒") and the share of the whole import done (percent),
    /// when known. Converting is counted as the first fifth, writing as the rest (it is the
    /// slow part).
    pub(crate) fn shown(&self) -> (String, Option<u8>) {
        use std::sync::atomic::Ordering::Relaxed;
        let secs = self.started.elapsed().as_secs();
        let (read, total) = (self.read.load(Relaxed), self.total.load(Relaxed));
        let within: u64 = read.min(total).saturating_mul(100).checked_div(total).unwrap_or(0);
        let share = |p: u64| u8::try_from(p.min(100)).ok();
        let (label, overall) = match self.pass.load(Relaxed) {
            1 => ("読込", None),
            2 => ("変換", share(within / 5)),
            3 => ("照合・書込", share(20 + within * 4 / 5)),
            _ => return (format!("取込中 · {secs} 秒"), None),
        };
        (format!("{label} {within}% · {secs} 秒"), overall)
    }
}

impl ImportProgress {
    pub(crate) fn start(&self, id: uuid::Uuid) -> std::sync::Arc<Run> {
        let run = std::sync::Arc::new(Run::new());
        if let Ok(mut runs) = self.runs.lock() {
            runs.insert(id, run.clone());
        }
        run
    }

    pub(crate) fn end(&self, id: uuid::Uuid) {
        if let Ok(mut runs) = self.runs.lock() {
            runs.remove(&id);
        }
    }

    pub(crate) fn get(&self, id: uuid::Uuid) -> Option<std::sync::Arc<Run>> {
        self.runs.lock().ok().and_then(|runs| runs.get(&id).cloned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_shows_the_step_and_the_share_of_the_import() {
        let run = Run::new();
        assert_eq!(run.shown(), ("取込中 · 0 秒".to_string(), None));
        run.update(iphr_import::Pass::Converting, 50, 100);
        assert_eq!(run.shown(), ("変換 50% · 0 秒".to_string(), Some(10)));
        run.update(iphr_import::Pass::Writing, 0, 100);
        assert_eq!(run.shown(), ("照合・書込 0% · 0 秒".to_string(), Some(20)));
        run.update(iphr_import::Pass::Writing, 100, 100);
        assert_eq!(run.shown(), ("照合・書込 100% · 0 秒".to_string(), Some(100)));
        // More bytes than the total (a file that grew) stays at 100 %; an empty file at 0 %.
        run.update(iphr_import::Pass::Writing, 150, 100);
        assert_eq!(run.shown().1, Some(100));
        run.update(iphr_import::Pass::Converting, 0, 0);
        assert_eq!(run.shown(), ("変換 0% · 0 秒".to_string(), Some(0)));

        let all = ImportProgress::default();
        let id = uuid::Uuid::now_v7();
        let started = all.start(id);
        started.update(iphr_import::Pass::Reading, 1, 2);
        assert_eq!(all.get(id).map(|r| r.shown().0), Some("読込 50% · 0 秒".to_string()));
        all.end(id);
        assert!(all.get(id).is_none());
    }
}
