package ft.server;

import ft.protocol.HostPort;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
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

    @Override
    public Integer call() throws Exception {
        try (FtServer server = FtServer.start(root, new InetSocketAddress(listen.host(), listen.port()))) {
            InetSocketAddress bound = server.address();
            // Scripts that start a server on port 0 read the real address from this line.
            System.err.println("ft: serving " + server.root() + " on "
                    + new HostPort(bound.getHostString(), bound.getPort()));
            server.awaitClose();
        }
        return 0;
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
