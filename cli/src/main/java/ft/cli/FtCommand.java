package ft.cli;

import ft.client.FtClient;
import ft.client.FtException;
import ft.client.KnownServers;
import ft.client.RemoteException;
import ft.client.TlsTrust;
import ft.client.TrustDecision;
import ft.protocol.ErrorCode;
import ft.protocol.HostPort;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

/**
 * The {@code ft} command: the options that may come before a subcommand, and what every
 * subcommand that talks to a server shares (server, TLS, timeout, token, terminal).
 *
 * <p>The server options are declared twice: here, for {@code ft -s HOST get …}, and in each
 * subcommand that uses them ({@link ClientOptions}, {@link ServerOptions}), for
 * {@code ft get -s HOST …} and so that each subcommand's help lists exactly its own options.
 * {@link #adopt} settles what the command runs with.
 */
@Command(
        name = "ft",
        mixinStandardHelpOptions = true,
        versionProvider = FtCommand.Version.class,
        description = "Fast, verified, resumable file transfer.",
        footer = {
            "",
            "Examples:",
            "  ft serve --root ./shared        share a directory on 127.0.0.1:7070",
            "  ft get reports/q3.pdf           download into the current directory",
            "  ft put big.iso isos/            upload, resuming if interrupted before",
            "  ft get -r photos -j 8 --json    a whole tree, 8 at a time, JSON Lines results",
            "  ft ping                         is the server up? round trip and clock offset",
            "  FT_TOKEN=$(cat my.token) ft ls  a server started with --users needs a token",
            "  ft -s tls://host:7070 --trust ls   TLS; trust the server's certificate on first use",
            "",
            "Options before the command apply to it; 'ft COMMAND --help' lists each command's own.",
            "",
            "Exit codes: 0 ok, 1 other error, 2 usage, 3 connection, 4 remote not found,",
            "  5 checksum mismatch, 6 local I/O or no space, 7 access denied or untrusted server,",
            "  8 some files of a batch failed, 130 interrupted (Ctrl-C)."
        })
public final class FtCommand {
    static final String DEFAULT_SERVER = "127.0.0.1:7070";
    static final String TLS_SCHEME = "tls://";
    private static final int DEFAULT_TIMEOUT_SECONDS = 30;

    @Spec
    CommandSpec spec;

    // No defaults here: a value is set only when given before the subcommand (see adopt).
    @Option(
            names = {"-s", "--server"},
            paramLabel = "[tls://]HOST:PORT",
            description =
                    "Server to talk to; tls:// for TLS (default: $FT_SERVER, else 'server' in ~/.config/ft/config, else "
                            + DEFAULT_SERVER + ").")
    String server;

    @Option(
            names = "--tls",
            description = "Talk TLS 1.3 to the server (default: $FT_TLS, else 'tls' in the config "
                    + "file). For serve: require TLS.")
    boolean tls;

    @Option(
            names = "--trust",
            description = "With TLS: trust and remember a server's certificate seen for the first time without asking.")
    boolean trust;

    @Option(
            names = "--trust-ca",
            description = "With TLS: trust certificate authorities over pinned fingerprints, and send a token to a "
                    + "server whose certificate an authority signed (default: $FT_TRUST_CA, else 'trust-ca' in the "
                    + "config file).")
    boolean trustCa;

    @Option(
            names = {"-q", "--quiet"},
            description = "No progress and no notes on stderr; errors are still reported.")
    boolean quiet;

    @Option(
            names = "--timeout",
            paramLabel = "SECONDS",
            description = "Give up when the server sends nothing, or accepts none of an upload's bytes, for this long "
                    + "(default: " + DEFAULT_TIMEOUT_SECONDS + ").")
    Integer timeoutSeconds;

    private final Map<String, String> env;
    private final InputStream stdin;
    private final OutputStream stdout;
    /**
     * From $FT_TOKEN or the config file, never from the command line; null when there is none.
     * Bound to {@link #tokenServer}: sent to no other server.
     */
    private String token;
    /** The server the environment or the config file names ({@code FT_SERVER}, else 'server'), null for the default. */
    private String tokenServer;
    /** Where {@link #token} came from, for messages. */
    private String tokenSource = "FT_TOKEN";
    /** The subcommand being run, for usage errors that point at its help. */
    private CommandLine leaf;

    FtCommand(Map<String, String> env) {
        this(env, InputStream.nullInputStream(), OutputStream.nullOutputStream());
    }

    FtCommand(Map<String, String> env, InputStream stdin, OutputStream stdout) {
        this.env = env;
        this.stdin = stdin;
        this.stdout = stdout;
    }

    /** Set from the config before any command runs: the token, the server it is bound to, where it came from. */
    void token(ConfigDefaults config) {
        this.token = config.token();
        this.tokenServer = config.defaultServer();
        this.tokenSource = config.tokenSource();
    }

    Map<String, String> env() {
        return env;
    }

    /** The process's standard input, as bytes (for {@code put -}). */
    InputStream stdin() {
        return stdin;
    }

    /** The process's standard output, as bytes (for {@code get -o -}). */
    OutputStream stdout() {
        return stdout;
    }

    /**
     * Takes the values of the subcommand's own server options: one given after the subcommand
     * wins over one given before it; one given before wins over a default from the environment
     * or the config file (which only the subcommand's options receive).
     */
    void adopt(ParseResult leafResult) {
        leaf = leafResult.commandSpec().commandLine();
        CommandSpec leafSpec = leafResult.commandSpec();
        ParseResult top = spec.commandLine().getParseResult();
        OptionSpec s = leafSpec.findOption("--server");
        if (s != null && (leafResult.hasMatchedOption("--server") || !top.hasMatchedOption("--server"))) {
            server = s.getValue();
        }
        OptionSpec t = leafSpec.findOption("--timeout");
        if (t != null && (leafResult.hasMatchedOption("--timeout") || !top.hasMatchedOption("--timeout"))) {
            timeoutSeconds = t.getValue();
        }
        tls |= isSet(leafSpec, "--tls");
        trust |= isSet(leafSpec, "--trust");
        trustCa |= isSet(leafSpec, "--trust-ca");
        quiet |= isSet(leafSpec, "--quiet");
    }

    private static boolean isSet(CommandSpec spec, String name) {
        OptionSpec o = spec.findOption(name);
        return o != null && Boolean.TRUE.equals(o.getValue());
    }

    /** A usage error of the subcommand being run (exit 2, pointing at its help). */
    ParameterException usage(String message) {
        return new ParameterException(leaf != null ? leaf : spec.commandLine(), message);
    }

    /** A remote path argument, cleaned ({@link RemotePath}); an empty one is a usage error. */
    RemotePath remote(String typed) {
        try {
            return RemotePath.of(typed);
        } catch (IllegalArgumentException e) {
            throw usage(e.getMessage());
        }
    }

    /** As {@link #remote}, for a command that needs a path inside the root, not the root itself. */
    RemotePath remoteBelowRoot(String typed) {
        RemotePath p = remote(typed);
        if (p.isRoot()) {
            throw usage("'" + typed + "' is the served root; name a path inside it");
        }
        return p;
    }

    /** Flag, then environment, then config file, then the built-in default. */
    HostPort serverAddress() {
        String text = server != null ? server : DEFAULT_SERVER;
        if (text.regionMatches(true, 0, TLS_SCHEME, 0, TLS_SCHEME.length())) {
            text = text.substring(TLS_SCHEME.length());
        }
        try {
            return HostPort.parse(text);
        } catch (IllegalArgumentException e) {
            throw usage("bad server address " + e.getMessage());
        }
    }

    /** Whether TLS was asked for: a {@code tls://} server address, or --tls / $FT_TLS / 'tls = true'. */
    boolean tlsEnabled() {
        return tls || (server != null && server.regionMatches(true, 0, TLS_SCHEME, 0, TLS_SCHEME.length()));
    }

    /**
     * TLS settings for {@link FtClient#connect}: always TLS when asked for; otherwise TLS only
     * where a token would leave this machine (see {@link FtClient.Tls#whenTokenLeavesHost}).
     */
    private FtClient.Tls tlsSettings(TrustDecision decision) {
        java.nio.file.Path known = KnownServers.defaultLocation(env);
        TlsTrust trustStore = new TlsTrust(new KnownServers(known), trustCa);
        TrustDecision decide =
                decision != null ? decision : trust ? TrustDecision.always() : TrustDecision.onTerminal(known);
        return tlsEnabled()
                ? FtClient.Tls.always(trustStore, decide)
                : FtClient.Tls.whenTokenLeavesHost(trustStore, decide);
    }

    Duration timeout() {
        int seconds = timeoutSeconds == null ? DEFAULT_TIMEOUT_SECONDS : timeoutSeconds;
        if (seconds <= 0) {
            throw usage("--timeout must be a positive number of seconds");
        }
        return Duration.ofSeconds(seconds);
    }

    /** Connects to the chosen server and says hello, with the token if there is one. */
    FtClient connect() throws FtException {
        return connect(timeout(), null);
    }

    /**
     * As {@link #connect()}, waiting at most {@code timeout}; {@code decision} (when not null)
     * decides about a TLS server seen for the first time instead of --trust or the terminal.
     */
    FtClient connect(Duration timeout, TrustDecision decision) throws FtException {
        HostPort target = serverAddress();
        Token chosen = tokenFor(target);
        try {
            return FtClient.connect(target, timeout, chosen.value(), tlsSettings(decision));
        } catch (RemoteException e) {
            if (e.error() == ErrorCode.UNAUTHORIZED) {
                String hint;
                if (chosen.value() != null) {
                    hint = "; check " + chosen.source();
                } else if (token != null) {
                    hint = "; " + tokenSource + " is bound to " + boundServer()
                            + " and is not sent to another server: bind a token to " + target
                            + " with 'ft login -s " + target + "', or set FT_SERVER to it";
                } else {
                    hint = "; set FT_TOKEN, or 'token' in " + configFile()
                            + ", to the token 'ft user add' printed, or bind one to " + target + " with 'ft login -s "
                            + target + "'";
                }
                throw new RemoteException(ErrorCode.UNAUTHORIZED, e.getMessage() + hint);
            }
            throw e;
        }
    }

    /**
     * Over TLS, checks the chosen server's certificate (pinning a new one on --trust or a yes
     * on the terminal) without sending anything; does nothing without TLS. What {@code ft login}
     * runs, so that later commands find the server known before they connect.
     */
    void pinServer() throws FtException {
        if (!tlsEnabled()) {
            return;
        }
        FtClient.Tls settings = tlsSettings(null);
        try (javax.net.ssl.SSLSocket s = settings.trust().connect(serverAddress(), timeout(), settings.decision())) {
            // Trusted (and remembered); nothing to say to the server.
        } catch (java.io.IOException e) {
            // Closing a socket that carried nothing cannot lose anything.
        }
    }

    /** A token and where it came from (for messages); a null value for none. */
    record Token(String value, String source) {}

    /**
     * The token for {@code target}, bound as docs/CONFIGURATION.md says: {@code FT_TOKEN} or the
     * config file's {@code token} only for the server named together with it ({@code FT_SERVER},
     * else the config file's {@code server}, else the built-in default), else the entry for
     * {@code target} in the tokens file; a server named only by {@code -s} never receives a token
     * that was meant for another.
     */
    Token tokenFor(HostPort target) throws FtException {
        if (token != null && sameServer(boundServer(), target)) {
            return new Token(token, tokenSource);
        }
        ft.client.ServerTokens tokens = new ft.client.ServerTokens(ft.client.ServerTokens.defaultLocation(env));
        try {
            java.util.Optional<String> bound = tokens.lookup(target);
            if (bound.isPresent()) {
                return new Token(bound.get(), "the entry for " + target + " in " + tokens.file());
            }
        } catch (java.io.IOException e) {
            throw new ConfigDefaults.BadConfigException("cannot use " + tokens.file() + ": " + e.getMessage());
        }
        return new Token(null, null);
    }

    /** The server {@link #token} is bound to. */
    private HostPort boundServer() {
        String text = tokenServer != null ? tokenServer : DEFAULT_SERVER;
        if (text.regionMatches(true, 0, TLS_SCHEME, 0, TLS_SCHEME.length())) {
            text = text.substring(TLS_SCHEME.length());
        }
        return HostPort.parse(text);
    }

    private static boolean sameServer(HostPort a, HostPort b) {
        return a.port() == b.port() && a.host().equalsIgnoreCase(b.host());
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
