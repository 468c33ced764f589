#![forbid(unsafe_code)]
use std::process::ExitCode;

use clap::Parser;

// The loader, the model's merges and the script analysis allocate per node.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match kaslint::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() {
                kaslint::exit::ERROR
            } else {
                kaslint::exit::CLEAN
            });
        }
    };
    ExitCode::from(kaslint::run(cli))
}
