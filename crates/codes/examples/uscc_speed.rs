//! Release-mode throughput of USCC validation on one core.
//!
//! `cargo run --release -p chengxin-codes --example uscc_speed [-- N_CODES PASSES]`
//!
//! Codes are generated (distinct, all valid, realistic region spread) into one buffer, like
//! a batch file read into memory, and validated `PASSES` times on one thread. Two rates are
//! printed: per second of wall time, and per second of this thread's CPU time (from
//! `/proc/thread-self/schedstat` on Linux), which is what one core achieves when the
//! machine is busy with other work.

use std::hint::black_box;
use std::time::{Duration, Instant};

use chengxin_codes::generate::{self, Rng};
use chengxin_codes::{is_valid_uscc, validate_uscc};

/// CPU time of the current thread, if the platform tells.
fn thread_cpu() -> Option<Duration> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let ns: u64 = s.split_whitespace().next()?.parse().ok()?;
    Some(Duration::from_nanos(ns))
}

fn measure(label: &str, total: usize, f: impl FnOnce() -> usize) {
    let cpu0 = thread_cpu();
    let t = Instant::now();
    let ok = f();
    let wall = t.elapsed();
    let cpu = thread_cpu().zip(cpu0).map(|(b, a)| b.saturating_sub(a));
    assert_eq!(ok, total, "every generated code must validate");
    let rate = |d: Duration| total as f64 / d.as_secs_f64() / 1e6;
    match cpu {
        Some(cpu) => println!(
            "{label}: {:6.1} M codes/s wall, {:6.1} M codes/s CPU ({:.1} ns/code CPU)",
            rate(wall),
            rate(cpu),
            cpu.as_nanos() as f64 / total as f64
        ),
        None => println!("{label}: {:6.1} M codes/s wall", rate(wall)),
    }
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(100_000);
    let passes: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(50);

    let mut rng = Rng::new(20_150_917);
    let buf: String = (0..n).map(|_| generate::uscc(&mut rng)).collect();
    let codes: Vec<&str> = (0..n)
        .filter_map(|i| buf.get(i * 18..i * 18 + 18))
        .collect();
    // Warm up (also initialises the region table).
    assert!(codes.iter().all(|c| is_valid_uscc(c.as_bytes())));

    let total = n * passes;
    println!("{total} validations of {n} distinct valid USCCs, one thread");
    measure("is_valid_uscc", total, || {
        let mut ok = 0usize;
        for _ in 0..passes {
            for c in &codes {
                ok += usize::from(is_valid_uscc(black_box(c.as_bytes())));
            }
        }
        ok
    });
    measure("validate_uscc", total, || {
        let mut ok = 0usize;
        for _ in 0..passes {
            for c in &codes {
                ok += usize::from(validate_uscc(black_box(c)).is_ok());
            }
        }
        ok
    });
}
