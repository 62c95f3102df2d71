package ft.client.cli;

import ft.client.FtClient;
import ft.client.FtException;
import ft.client.KnownServers;
import ft.client.TlsTrust;
import ft.client.TrustDecision;
import ft.client.RemoteException;
import ft.protocol.ErrorCode;
import ft.protocol.HostPort;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/** The {@code ft} command: global options and the subcommands. */
@Command(name = "ft",
        mixinStandardHelpOptions = true,
        scope = ScopeType.INHERIT,
        versionProvider = FtCommand.Version.class,
        description = "Fast, verified, resumable file transfer.",
        footer = {"", "Examples:",
                "  ft serve --root ./shared        share a directory on 127.0.0.1:7070",
                "  ft get reports/q3.pdf           download into the current directory",
                "  ft put big.iso isos/            upload, resuming if interrupted before",
                "  ft get -r photos -j 8 --json    a whole tree, 8 at a time, JSON Lines results",
                "  ft ping                         is the server up? round trip and clock offset",
                "  FT_TOKEN=$(cat my.token) ft ls  a server started with --users needs a token",
                "  ft -s tls://host:7070 --trust ls   TLS; trust the server's certificate on first use",
                "", "Exit codes: 0 ok, 1 other error, 2 usage, 3 connection, 4 remote not found,",
                "            5 checksum mismatch, 6 local I/O or no space, 7 access denied or untrusted server,",
                "            8 some files of a batch failed, 130 interrupted (Ctrl-C)."})
public final class FtCommand {
    static final String DEFAULT_SERVER = "127.0.0.1:7070";
    static final String TLS_SCHEME = "tls://";

    @Spec
    CommandSpec spec;

    @Option(names = {"-s", "--server"}, paramLabel = "[tls://]HOST:PORT", scope = ScopeType.INHERIT,
            description = "Server to talk to; tls:// for TLS (default: $FT_SERVER, else 'server' in ~/.config/ft/config, else "
                    + DEFAULT_SERVER + ").")
    String server;

    @Option(names = "--tls", scope = ScopeType.INHERIT,
            description = "Use TLS 1.3. Clients: talk TLS to the server, as a server written tls://HOST:PORT does "
                    + "(default: $FT_TLS, else 'tls' in ~/.config/ft/config). serve: require TLS, with a self-signed "
                    + "certificate unless --cert/--key are given.")
    boolean tls;

    @Option(names = "--trust", scope = ScopeType.INHERIT,
            description = "With TLS: trust and remember a server's certificate seen for the first time without asking. "
                    + "A certificate that changed is refused either way.")
    boolean trust;

    @Option(names = {"-q", "--quiet"}, scope = ScopeType.INHERIT,
            description = "No progress bar and no notes on stderr; errors are still reported.")
    boolean quiet;

    @Option(names = "--timeout", paramLabel = "SECONDS", scope = ScopeType.INHERIT, defaultValue = "30",
            description = "Give up when the server sends nothing, or accepts none of an upload's bytes, for this long (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds;

    private final Map<String, String> env;
    /** From $FT_TOKEN or the config file, never from the command line; null when there is none. */
    private String token;

    FtCommand(Map<String, String> env) {
        this.env = env;
    }

    /** Set from {@link ConfigDefaults#token()} before any command runs. */
    void token(String token) {
        this.token = token;
    }

    Map<String, String> env() {
        return env;
    }

    /** Flag, then environment, then config file, then the built-in default. */
    HostPort serverAddress() {
        // The field holds the flag, else $FT_SERVER, else the config file's value (ConfigDefaults).
        String text = server != null ? server : DEFAULT_SERVER;
        if (text.regionMatches(true, 0, TLS_SCHEME, 0, TLS_SCHEME.length())) {
            text = text.substring(TLS_SCHEME.length());
        }
        try {
            return HostPort.parse(text);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "bad server address " + e.getMessage());
        }
    }

    /** Whether to use TLS: a {@code tls://} server address, or --tls / $FT_TLS / 'tls = true'. */
    boolean tlsEnabled() {
        return tls || (server != null && server.regionMatches(true, 0, TLS_SCHEME, 0, TLS_SCHEME.length()));
    }

    /** TLS settings for {@link FtClient#connect}, or null for plain TCP. */
    private FtClient.Tls tlsSettings() {
        if (!tlsEnabled()) {
            return null;
        }
        java.nio.file.Path known = KnownServers.defaultLocation(env);
        return new FtClient.Tls(new TlsTrust(new KnownServers(known)),
                trust ? TrustDecision.always() : TrustDecision.onTerminal(known));
    }

    Duration timeout() {
        if (timeoutSeconds <= 0) {
            throw new ParameterException(spec.commandLine(), "--timeout must be a positive number of seconds");
        }
        return Duration.ofSeconds(timeoutSeconds);
    }

    /** Connects to the chosen server and says hello, with the token if there is one. */
    FtClient connect() throws FtException {
        try {
            return FtClient.connect(serverAddress(), timeout(), token, tlsSettings());
        } catch (RemoteException e) {
            if (e.error() == ErrorCode.UNAUTHORIZED) {
                throw new RemoteException(ErrorCode.UNAUTHORIZED, e.getMessage() + (token == null
                        ? "; set FT_TOKEN, or 'token' in " + configFile() + ", to the token 'ft user add' printed"
                        : "; check FT_TOKEN, or 'token' in " + configFile()));
            }
            throw e;
        }
    }

    private String configFile() {
        return ConfigDefaults.shownLocation(env);
    }

    /** Reads the version Maven wrote into the jar's manifest. */
    static final class Version implements picocli.CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = FtCommand.class.getPackage().getImplementationVersion();
            return new String[] {"ft " + (v == null ? "(development build)" : v)};
        }
    }
}
