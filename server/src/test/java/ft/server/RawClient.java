package ft.server;

import java.io.IOException;

/**
 * The shared {@link ft.testing.RawClient}, connected to an in-process {@link FtServer}: the
 * test fixtures know nothing of the server, so this binds the two for the server's tests.
 */
final class RawClient extends ft.testing.RawClient {
    private RawClient(java.net.Socket socket) throws IOException {
        super(socket);
    }

    /** Connects without saying hello. */
    static RawClient connect(FtServer server) throws IOException {
        return new RawClient(open(server.address(), null));
    }

    /** Connects and completes the hello exchange, asserting it succeeds. */
    static RawClient hello(FtServer server) throws IOException {
        RawClient client = connect(server);
        client.sayHello();
        return client;
    }
}
