// On Linux with glibc there is no Rust `fn main`: std's start-up (`lang_start`) reads
// /proc/self/maps to guard the main thread's stack, a seventh of a small check's
// instructions. glibc hands the arguments to std before `main` runs, so `std::env::args`
// works unchanged; kaslint's loader refuses deep nesting rather than relying on the guard,
// and a closed pipe ends the process as it ends `cat`. Elsewhere (musl, macOS, Windows)
// std's own start-up runs.
#![cfg_attr(all(target_os = "linux", target_env = "gnu", not(test)), no_main)]
#![deny(unsafe_code)]

use clap::Parser;

mod allocator;

// The loader, the model's merges and the script analysis allocate per node.
#[global_allocator]
static ALLOCATOR: allocator::Allocator = allocator::Allocator;

/// Parses the command line and runs it: the exit code.
fn run() -> u8 {
    match kaslint::cli::Cli::try_parse() {
        Ok(cli) => kaslint::run(cli),
        Err(e) => {
            let _ = e.print();
            if e.use_stderr() {
                kaslint::exit::ERROR
            } else {
                kaslint::exit::CLEAN
            }
        }
    }
}

/// The C entry point glibc calls.
#[cfg(all(target_os = "linux", target_env = "gnu", not(test)))]
#[allow(unsafe_code)] // `no_mangle` names the C `main`: nothing else is exported
#[no_mangle]
pub extern "C" fn main(
    _argc: std::ffi::c_int,
    _argv: *const *const std::ffi::c_char,
) -> std::ffi::c_int {
    // A panic (a bug) ends as under std's start: its message, then exit code 101, rather
    // than an abort for unwinding out of a C function. `exit` flushes standard output, as
    // returning from Rust's `main` would.
    let code = std::panic::catch_unwind(run).map_or(101, i32::from);
    std::process::exit(code)
}

#[cfg(not(all(target_os = "linux", target_env = "gnu", not(test))))]
fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(run())
}
