package ft.cli;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options of every command that moves or manages files on a server: the server, TLS and
 * trust, quiet. The same options given before the subcommand (to {@code ft} itself) count too;
 * see {@link FtCommand#adopt}.
 */
final class ClientOptions {
    @Mixin
    ServerOptions server;

    @Option(
            names = "--tls",
            description = "Talk TLS 1.3 to the server, as a server written tls://HOST:PORT does (default: $FT_TLS, "
                    + "else 'tls' in ~/.config/ft/config). A token is never sent in clear text to a server that is "
                    + "not on this machine: with a token, TLS is used for such a server anyway.")
    boolean tls;

    @Option(
            names = "--trust",
            description = "With TLS: trust and remember a server's certificate seen for the first time without asking. "
                    + "A certificate that changed is refused either way.")
    boolean trust;

    @Option(
            names = "--trust-ca",
            description = "With TLS: trust certificate authorities over pinned fingerprints, and send a token to a "
                    + "server whose certificate an authority signed (default: $FT_TRUST_CA, else 'trust-ca' in "
                    + "~/.config/ft/config).")
    boolean trustCa;

    @Option(
            names = {"-q", "--quiet"},
            description = "No progress and no notes on stderr; errors are still reported.")
    boolean quiet;
}
