package ft.cli;

import picocli.CommandLine.Option;

/** {@code -h, --help} for a subcommand; mixed in where {@code -h} means nothing else. */
final class HelpOption {
    @Option(
            names = {"-h", "--help"},
            usageHelp = true,
            description = "Show this help and exit.")
    boolean help;
}
