package ft.cli;

import picocli.CommandLine.Option;

/**
 * Which server and how long to wait for it: mixed into every command that talks to one. The
 * same options given before the subcommand (to {@code ft} itself) count too; see
 * {@link FtCommand#adopt}.
 */
final class ServerOptions {
    @Option(
            names = {"-s", "--server"},
            paramLabel = "[tls://]HOST:PORT",
            description =
                    "Server to talk to; tls:// for TLS (default: $FT_SERVER, else 'server' in ~/.config/ft/config, else "
                            + FtCommand.DEFAULT_SERVER + ").")
    String server;

    @Option(
            names = "--timeout",
            paramLabel = "SECONDS",
            defaultValue = "30",
            description = "Give up when the server sends nothing, or accepts none of an upload's bytes, for this long "
                    + "(default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;
}
