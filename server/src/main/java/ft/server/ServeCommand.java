package ft.server;

import ft.protocol.HostPort;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.channels.UnresolvedAddressException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/** {@code ft serve}: share a directory until interrupted. */
@Command(name = "serve",
        description = "Share a directory over the ft protocol until interrupted.",
        footer = {"", "Examples:",
                "  ft serve                               share ./ft-data on 127.0.0.1:7070",
                "  ft serve --root /srv/files --listen 127.0.0.1:9000"})
public final class ServeCommand implements Callable<Integer> {
    @Option(names = "--root", paramLabel = "DIR", defaultValue = "ft-data",
            description = "Directory to share; created if missing (default: ${DEFAULT-VALUE}).")
    Path root;

    @Option(names = "--listen", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:7070",
            converter = HostPortConverter.class,
            description = "Address to listen on; port 0 picks a free one (default: ${DEFAULT-VALUE}).")
    HostPort listen;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        PrintWriter err = spec.commandLine().getErr();
        if (Files.exists(root) && !Files.isDirectory(root)) {
            err.println("ft: serve: cannot share " + root + ": not a directory (LOCAL_IO)");
            return 6;
        }
        FtServer started;
        try {
            started = FtServer.start(root, new InetSocketAddress(listen.host(), listen.port()));
        } catch (BindException | UnresolvedAddressException | SecurityException e) {
            err.println("ft: serve: cannot listen on " + listen + ": " + describe(e) + " (LISTEN_FAILED)");
            return 1;
        } catch (IOException e) {
            err.println("ft: serve: cannot share " + root + ": " + describe(e) + " (LOCAL_IO)");
            return 6;
        }
        try (FtServer server = started) {
            InetSocketAddress bound = server.address();
            // Scripts that start a server on port 0 read the real address from this line.
            System.err.println("ft: serving " + server.root() + " on "
                    + new HostPort(bound.getHostString(), bound.getPort()));
            server.awaitClose();
        }
        return 0;
    }

    private static String describe(Exception e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Converts {@code HOST:PORT} option values, with picocli's usage error on bad input. */
    public static final class HostPortConverter implements picocli.CommandLine.ITypeConverter<HostPort> {
        @Override
        public HostPort convert(String value) {
            try {
                return HostPort.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
