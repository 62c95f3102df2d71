package ft.cli;

import ft.client.FtException;
import ft.client.FtException.Family;
import ft.protocol.HostPort;
import ft.server.*;
import ft.server.metrics.MetricsEndpoint;
import ft.server.storage.local.RootJail;
import ft.server.storage.s3.S3Location;
import ft.server.storage.s3.S3Settings;
import ft.server.storage.s3.S3Store;
import ft.transfer.UnsafeStateException;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code ft serve}: share a directory until interrupted. */
@Command(
        name = "serve",
        description = {
            "Share a directory over the ft protocol until interrupted.",
            "SIGTERM or Ctrl-C stops gracefully: no new connections, transfers in flight get",
            "--grace seconds to finish, interrupted uploads are kept for resume, exit 0."
        },
        footer = {
            "",
            "Examples:",
            "  ft serve                               share ./ft-data on 127.0.0.1:7070",
            "  ft serve --root /srv/files --listen 127.0.0.1:9000",
            "  ft serve --read-only --max-connections 200 --max-file-size 10G",
            "  ft serve --max-rate 20M                each connection at most 20 MiB/s of file bytes",
            "  AWS_ENDPOINT_URL=http://127.0.0.1:9000 AWS_REGION=us-east-1 AWS_ACCESS_KEY_ID=… \\",
            "    AWS_SECRET_ACCESS_KEY=… ft serve --store s3://bucket/files   share an S3 bucket's prefix",
            "  ft user add alice --users users.jsonl --root alice   (prints alice's token once)",
            "  ft serve --users users.jsonl                         every client needs a token",
            "  ft serve --tls --users users.jsonl --listen 0.0.0.0:7070   on the network: TLS (clients use tls://HOST:PORT)",
            "  ft serve --metrics 127.0.0.1:9470       Prometheus metrics at http://127.0.0.1:9470/metrics",
            "",
            "Without --users the server binds loopback addresses only; --allow-anonymous is",
            "required to listen on any other address without authentication. With --users, any",
            "other address also needs --tls (or --cert/--key): tokens never cross a network in the",
            "clear; without TLS listen on 127.0.0.1 and reach it through an SSH tunnel.",
            "",
            "--tls encrypts every connection with TLS 1.3, using a self-signed certificate kept in",
            "the root's .ft/tls directory (made on first use) unless --cert and --key name another;",
            "the certificate's fingerprint is printed at start."
        })
public final class ServeCommand implements Callable<Integer> {
    @Option(
            names = "--tls",
            description = "Require TLS 1.3 on every connection, with a self-signed certificate kept in the root's "
                    + ".ft/tls directory (made on first start) unless --cert and --key name another.")
    boolean tls;

    @Mixin
    HelpOption help;

    @Option(
            names = "--root",
            paramLabel = "DIR",
            defaultValue = "${env:FT_ROOT:-ft-data}",
            description = "Directory to share; created if missing (default: $$FT_ROOT, else ft-data).")
    Path root;

    @Option(
            names = "--store",
            paramLabel = "URL",
            description = "Share an S3-compatible object store instead of --root: s3://BUCKET[/PREFIX]. Credentials, "
                    + "region and endpoint come from the standard AWS settings (AWS_ACCESS_KEY_ID, "
                    + "AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT_URL, AWS_PROFILE and ~/.aws), never a flag. "
                    + "Several servers may share one store behind a TCP balancer.")
    String store;

    @Option(
            names = "--s3-path-style",
            arity = "0..1",
            paramLabel = "true|false",
            description = "Address buckets by path (http://host/bucket/key) rather than by host name (default: "
                    + "$$FT_S3_PATH_STYLE, else true when AWS_ENDPOINT_URL names an endpoint, false for AWS).")
    Boolean s3PathStyle;

    @Option(
            names = "--s3-checksums",
            paramLabel = "MODE",
            defaultValue = "${env:FT_S3_CHECKSUMS:-when-supported}",
            description = "when-supported (the AWS SDK's default: a CRC32 with every upload) or when-required (for "
                    + "S3 servers that refuse those headers) (default: $$FT_S3_CHECKSUMS, else ${DEFAULT-VALUE}).")
    String s3Checksums;

    @Option(
            names = "--s3-part-size",
            paramLabel = "SIZE",
            defaultValue = "8MiB",
            converter = ByteSizeConverter.class,
            description = "Uploads larger than this go as multipart uploads in parts of this size, at least 5M; an "
                    + "interrupted one resumes from its last whole part (default: 8 MiB).")
    long s3PartSize;

    @Option(
            names = "--s3-lease",
            paramLabel = "SECONDS",
            defaultValue = "30",
            description = "How long an upload's claim on its name outlives a server that stopped renewing it (killed): "
                    + "other servers answer BUSY for that name until then (default: ${DEFAULT-VALUE}).")
    long s3LeaseSeconds;

    @Option(
            names = "--listen",
            paramLabel = "HOST:PORT",
            defaultValue = "${env:FT_LISTEN:-127.0.0.1:7070}",
            converter = HostPortConverter.class,
            description = "Address to listen on; port 0 picks a free one (default: $$FT_LISTEN, else 127.0.0.1:7070).")
    HostPort listen;

    @Option(
            names = "--allow-anonymous",
            description = "Without --users: allow listening on a non-loopback address (anyone who can "
                    + "reach it can read and, unless --read-only, write).")
    boolean allowAnonymous;

    @Option(
            names = "--users",
            paramLabel = "FILE",
            description = "Require a token in every hello, checked against this users file (made with 'ft user "
                    + "add'); each user sees their own root. Re-read when it changes. Off loopback it needs --tls.")
    Path users;

    @Option(
            names = "--read-only",
            description = "Refuse uploads and changes (put, mkdir, rm, mv) with ACCESS_DENIED, for every user.")
    boolean readOnly;

    @Option(
            names = "--idle-timeout",
            paramLabel = "SECONDS",
            defaultValue = "300",
            description = "Close connections silent for this long (default: ${DEFAULT-VALUE}).")
    long idleSeconds;

    @Option(
            names = "--header-timeout",
            paramLabel = "SECONDS",
            defaultValue = "10",
            description = "A header must arrive within this time of its first byte, and the hello within this time of "
                    + "connecting (default: ${DEFAULT-VALUE}).")
    long headerSeconds;

    @Option(
            names = "--write-timeout",
            paramLabel = "SECONDS",
            defaultValue = "60",
            description = "Drop clients that read nothing for this long (default: ${DEFAULT-VALUE}).")
    long writeSeconds;

    @Option(
            names = "--max-connections",
            paramLabel = "N",
            defaultValue = "1000",
            description = "Connections at once; more are answered BUSY (default: ${DEFAULT-VALUE}).")
    int maxConnections;

    @Option(
            names = "--max-per-address",
            paramLabel = "N",
            defaultValue = "64",
            description = "Connections at once from one IP address (default: ${DEFAULT-VALUE}).")
    int maxPerAddress;

    @Option(
            names = "--max-file-size",
            paramLabel = "SIZE",
            defaultValue = "1TiB",
            converter = ByteSizeConverter.class,
            description = "Largest upload accepted, e.g. 10G or 500M; larger ones get TOO_LARGE (default: 1 TiB).")
    long maxFileSize;

    /** Bytes per second; 0 (the default) for no limit. */
    @Option(
            names = "--max-rate",
            paramLabel = "RATE",
            converter = ByteSizeConverter.class,
            description = "Per connection, at most this many bytes per second of get and put bodies, e.g. 500K or "
                    + "20M (default: no limit).")
    long maxRate;

    /** Bytes; 0 (the default) for a quarter of the maximum heap. */
    @Option(
            names = "--buffer-budget",
            paramLabel = "SIZE",
            converter = ByteSizeConverter.class,
            description = "Heap all transfers' buffers and list pages may hold at once, e.g. 64M; when it is spent, "
                    + "transfers wait for each other (default: a quarter of the maximum heap).")
    long bufferBudget;

    @Option(
            names = "--partial-max-age",
            paramLabel = "HOURS",
            defaultValue = "168",
            description = "Delete interrupted uploads untouched for this long (default: ${DEFAULT-VALUE}).")
    long partialMaxAgeHours;

    @Option(
            names = "--grace",
            paramLabel = "SECONDS",
            defaultValue = "30",
            description =
                    "On SIGTERM/SIGINT, how long transfers in flight may take to finish (default: ${DEFAULT-VALUE}).")
    long graceSeconds;

    @Option(
            names = "--cert",
            paramLabel = "FILE",
            description = "TLS certificate (PEM, server certificate first, then intermediates) to use instead of "
                    + "the self-signed one; needs --key, implies --tls.")
    Path cert;

    @Option(
            names = "--key",
            paramLabel = "FILE",
            description = "Unencrypted PEM private key of --cert; needs --cert, implies --tls.")
    Path key;

    @Option(
            names = "--metrics",
            paramLabel = "HOST:PORT",
            converter = HostPortConverter.class,
            description = "Serve Prometheus metrics at http://HOST:PORT/metrics and a health check for balancers at "
                    + "/healthz (200 only while the storage answers); plain HTTP without authentication, so "
                    + "keep it on loopback or a monitoring network (default: off).")
    HostPort metrics;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException, FtException {
        PrintWriter err = spec.commandLine().getErr();
        if (store == null && Files.exists(root) && !Files.isDirectory(root)) {
            throw Failures.of("LOCAL_IO", Family.LOCAL, "serve: cannot share " + root + ": not a directory");
        }
        if ((cert == null) != (key == null)) {
            throw new ParameterException(
                    spec.commandLine(), cert == null ? "--key needs --cert" : "--cert needs --key");
        }
        boolean tls = tlsRequested();
        boolean encrypted = tls || cert != null;
        Store.Opener opener = storeOpener();
        if (store != null && tls && cert == null) {
            throw new ParameterException(
                    spec.commandLine(),
                    "--tls with --store needs --cert and --key: every server on one store must present the same "
                            + "certificate, so that clients can pin it whichever server they reach");
        }
        if (users != null) {
            // Read up front: a missing or broken users file stops the start with a clear message.
            try {
                int count = Users.load(users).size();
                if (count == 0) {
                    err.println("ft: warning: " + users + " lists no users; every connection will be refused "
                            + "until 'ft user add' adds one");
                }
            } catch (Users.BadUsersFileException e) {
                throw Failures.of("BAD_USERS_FILE", Family.CALLER, "serve: " + e.getMessage());
            } catch (java.nio.file.NoSuchFileException e) {
                throw Failures.of(
                        "LOCAL_IO",
                        Family.LOCAL,
                        "serve: the users file " + users + " does not exist; create it with 'ft user add NAME "
                                + "--users " + users + "'");
            } catch (IOException e) {
                throw Failures.of(
                        "LOCAL_IO", Family.LOCAL, "serve: cannot read the users file " + users + ": " + describe(e));
            }
            if (allowAnonymous) {
                err.println(
                        "ft: warning: --allow-anonymous has no effect with --users: every connection needs a token");
            }
        }
        InetSocketAddress address = new InetSocketAddress(listen.host(), listen.port());
        if (!address.isUnresolved() && !address.getAddress().isLoopbackAddress()) {
            if (users != null) {
                if (!encrypted) {
                    // A token sent in the clear can be read and replayed by anyone on the path:
                    // refuse, rather than warn in a log nobody reads.
                    throw Failures.of(
                            "UNSAFE_LISTEN",
                            Family.CALLER,
                            "serve: refusing to listen on " + listen + " with --users but without TLS: "
                                    + "clients send tokens only over TLS off loopback; add --tls (or --cert/--key), or "
                                    + "listen on 127.0.0.1 and use an SSH tunnel");
                }
            } else if (!allowAnonymous) {
                throw Failures.of(
                        "UNSAFE_LISTEN",
                        Family.CALLER,
                        "serve: refusing to listen on " + listen + " without --users: anyone who can "
                                + "reach it could read and write " + shown() + "; listen on 127.0.0.1, add users with "
                                + "'ft user add' and pass --users FILE, or pass --allow-anonymous (and consider "
                                + "--read-only)");
            } else {
                err.println("ft: warning: serving " + shown() + " on " + listen + " to anyone who can reach it"
                        + (readOnly ? " (read-only)" : ", with write access"));
            }
        }
        InetSocketAddress metricsAddress = null;
        if (metrics != null) {
            metricsAddress = new InetSocketAddress(metrics.host(), metrics.port());
            if (metricsAddress.isUnresolved()) {
                throw Failures.of(
                        "LISTEN_FAILED",
                        Family.LOCAL,
                        "serve: cannot listen for metrics on " + metrics + ": unknown host " + metrics.host());
            }
            if (!metricsAddress.getAddress().isLoopbackAddress()) {
                // Counts and the storage's health, no files or tokens: allowed, but said out loud.
                err.println("ft: warning: metrics on " + metrics + " are readable by anyone who can reach it "
                        + "(plain HTTP, no authentication)");
            }
        }
        ServerLimits limits;
        try {
            limits = new ServerLimits(
                    Duration.ofSeconds(idleSeconds),
                    Duration.ofSeconds(headerSeconds),
                    Duration.ofSeconds(writeSeconds),
                    maxConnections,
                    maxPerAddress,
                    maxFileSize,
                    Duration.ofHours(partialMaxAgeHours),
                    maxRate,
                    bufferBudget);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        TlsIdentity identity = null;
        TlsServerSockets sockets = null;
        if (cert != null) {
            try {
                identity = PemStore.read(cert, key);
                sockets = new TlsServerSockets(identity);
            } catch (IOException e) {
                // A key others can read is the operator's to fix like any unusable key file.
                throw Failures.of("BAD_CERTIFICATE", Family.CALLER, "serve: " + describe(e));
            }
        } else if (tls) {
            try {
                Files.createDirectories(root);
                identity = PemStore.loadOrCreate(RootJail.stateDirOf(root));
                sockets = new TlsServerSockets(identity);
            } catch (UnsafeStateException e) {
                throw unsafeState(e);
            } catch (IOException e) {
                throw Failures.of(
                        "LOCAL_IO",
                        Family.LOCAL,
                        "serve: cannot load or create the TLS certificate under " + root + ": " + describe(e));
            }
        }
        FtServer started;
        try {
            started = FtServer.start(FtServer.Options.of(opener, address)
                    .withLimits(limits)
                    .withReadOnly(readOnly)
                    .withUsersFile(users)
                    .withTls(sockets)
                    .withMetrics(metricsAddress));
        } catch (MetricsEndpoint.MetricsBindException e) {
            throw Failures.of("LISTEN_FAILED", Family.LOCAL, "serve: " + e.getMessage());
        } catch (BindException | UnresolvedAddressException | SecurityException e) {
            throw Failures.of("LISTEN_FAILED", Family.LOCAL, "serve: cannot listen on " + listen + ": " + describe(e));
        } catch (IllegalArgumentException e) {
            // The only other one FtServer.start throws: a users file clients could reach.
            throw Failures.of("UNSAFE_USERS_FILE", Family.CALLER, "serve: " + e.getMessage());
        } catch (IOException e) {
            UnsafeStateException unsafe = unsafeStateIn(e);
            if (unsafe != null) {
                throw unsafeState(unsafe);
            }
            if (store != null) {
                throw Failures.of(
                        "STORE_UNAVAILABLE", Family.CONNECTION, "serve: cannot share " + store + ": " + describe(e));
            }
            throw Failures.of("LOCAL_IO", Family.LOCAL, "serve: cannot share " + root + ": " + describe(e));
        }
        try (FtServer server = started) {
            InetSocketAddress bound = server.address();
            if (identity != null) {
                // Clients compare this with what they are asked to trust (or what known_servers holds).
                System.err.println("ft: TLS certificate " + identity.fingerprint());
            }
            // Scripts that start a server on port 0 read the real address from this line.
            System.err.println(
                    "ft: serving " + server.served() + " on " + new HostPort(bound.getHostString(), bound.getPort()));
            if (users != null) {
                System.err.println("ft: every connection needs a token of a user in " + users);
            }
            InetSocketAddress metricsBound = server.metricsAddress();
            if (metricsBound != null) {
                System.err.println("ft: metrics on http://"
                        + new HostPort(metricsBound.getHostString(), metricsBound.getPort()) + "/metrics");
            }
            GracefulStop.onSignals(server, Duration.ofSeconds(graceSeconds));
            server.awaitClose();
        }
        return ExitStatus.SUCCESS.code();
    }

    /** What is shared, as messages name it. */
    private String shown() {
        return store != null ? store : root.toString();
    }

    /**
     * What the server will share: the --root directory, or with --store an object store. Only
     * the command line's --root conflicts with --store, not $FT_ROOT.
     */
    private Store.Opener storeOpener() {
        if (store == null) {
            return Store.local(root);
        }
        if (spec.commandLine().getParseResult().hasMatchedOption("--root")) {
            throw new ParameterException(spec.commandLine(), "--root and --store cannot be used together");
        }
        S3Location location;
        try {
            location = S3Location.parse(store);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--store: " + e.getMessage());
        }
        boolean checksumsWhenRequired =
                switch (s3Checksums) {
                    case "when-required" -> true;
                    case "when-supported" -> false;
                    default ->
                        throw new ParameterException(
                                spec.commandLine(),
                                "--s3-checksums must be when-supported or when-required, not '" + s3Checksums + "'");
                };
        S3Settings settings;
        try {
            settings = new S3Settings(
                    pathStyle(), checksumsWhenRequired, s3PartSize, Duration.ofSeconds(s3LeaseSeconds), null);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        return S3Store.opener(location, settings);
    }

    /** --s3-path-style, else $FT_S3_PATH_STYLE, else whether an endpoint other than AWS's is configured. */
    private boolean pathStyle() {
        if (s3PathStyle != null) {
            return s3PathStyle;
        }
        String env = System.getenv("FT_S3_PATH_STYLE");
        if (env != null && !env.isBlank()) {
            return Boolean.parseBoolean(env.trim());
        }
        return System.getenv("AWS_ENDPOINT_URL") != null || System.getenv("AWS_ENDPOINT_URL_S3") != null;
    }

    /**
     * Whether {@code --tls} was given on the command line, to serve or before it ({@code ft --tls
     * serve}). Only the command line counts, not $FT_TLS or the client config file, which are
     * about the servers a client talks to.
     */
    private boolean tlsRequested() {
        for (CommandLine c = spec.commandLine(); c != null; c = c.getParent()) {
            CommandLine.ParseResult parsed = c.getParseResult();
            if (parsed != null && parsed.hasMatchedOption("--tls")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The server's state in the root ({@code .ft}, its TLS identity, its digest index) is not
     * safe to use: the server refuses to start, with one line that says what is wrong and the
     * command that fixes it.
     */
    private static FtException unsafeState(UnsafeStateException e) {
        return Failures.of("UNSAFE_STATE", Family.CALLER, "serve: refusing to start: " + describe(e));
    }

    /** {@code e} or its first cause that is an {@link UnsafeStateException}, else null. */
    private static UnsafeStateException unsafeStateIn(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnsafeStateException unsafe) {
                return unsafe;
            }
        }
        return null;
    }

    private static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Converts {@code HOST:PORT} option values, with picocli's usage error on bad input. */
    public static final class HostPortConverter implements picocli.CommandLine.ITypeConverter<HostPort> {
        @Override
        public HostPort convert(String value) {
            return Converters.parse(HostPort::parse, value);
        }
    }
}
