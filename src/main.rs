//! The `buffersim` command: parse arguments, run, and map failures to exit codes
//! (0 success, 2 bad input or unwritable output; a closed pipe is not an error).

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = buffersim::cli::Cli::parse();
    match buffersim::cli::run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
