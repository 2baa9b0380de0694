//! The one integration-test binary: fixture sites built by the real `caidan` binary.

mod build;
mod cli;
mod diagnostics;
mod example;
mod harness;
mod robust;
mod serve;
mod xss;
