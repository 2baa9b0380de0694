//! The `caidan` command: parse the command line, run it, map the result to an exit code
//! (0 ok, 1 the site has errors, 2 usage or internal failure).

fn main() -> std::process::ExitCode {
    caidan::cli::main()
}
