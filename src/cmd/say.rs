//! Printing that never panics. `println!` panics when stdout is a pipe whose
//! reader has gone (`explainer completions zsh | head`), and `eprint!` when
//! stderr cannot be written (a full disk): the process then ends with exit
//! 101 and a panic message about printing. These write, and treat a reader
//! that went away as done.

use std::io::{self, Write};

use super::Failure;

/// Prints to stdout; a closed pipe or a failed write is ignored (for
/// summary lines: the build itself succeeded).
pub fn out(text: &str) {
    let _ = io::stdout().lock().write_all(text.as_bytes());
}

/// Prints to stderr; a failed write is ignored (there is nowhere left to
/// say so).
pub fn err(text: &str) {
    let _ = io::stderr().lock().write_all(text.as_bytes());
}

/// Writes a command's product to stdout (a completion script, a report):
/// a reader that stopped early (`| head`) is fine, any other failure (a
/// full disk behind `>`) is an error, so a cut-off file is never taken for
/// a whole one.
pub fn product(bytes: &[u8]) -> Result<(), Failure> {
    let mut stdout = io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Err(e) if e.kind() != io::ErrorKind::BrokenPipe => {
            Err(Failure(format!("cannot write to standard output: {e}")))
        }
        _ => Ok(()),
    }
}
