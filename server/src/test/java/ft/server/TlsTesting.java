package ft.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/** What the TLS tests of the server share: a client that trusts one certificate, an echo over TLS. */
final class TlsTesting {
    private TlsTesting() {}

    static final Duration WAIT = Duration.ofSeconds(20);

    static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    // --- helpers ---

    /** Accepts one connection, wraps it with {@link TlsServerSockets} and echoes one byte. */
    static Future<String> serveOnce(ServerSocket listener, TlsIdentity id) throws IOException {
        TlsServerSockets tls = new TlsServerSockets(id);
        // Its own thread, which ends with the accept: closing the listener ends it too.
        FutureTask<String> served = new FutureTask<>(() -> {
            try (SSLSocket ssl = tls.wrapServer(listener.accept(), WAIT)) {
                echoBack(ssl);
                return ssl.getSession().getProtocol();
            }
        });
        Thread.ofVirtual().name("tls-serve-once").start(served);
        return served;
    }

    static void echoBack(SSLSocket ssl) throws IOException {
        int b = ssl.getInputStream().read();
        ssl.getOutputStream().write(b);
        ssl.getOutputStream().flush();
    }

    /** Handshakes, sends a byte, expects it back; returns the negotiated protocol. */
    static String echo(SSLSocket s) throws IOException {
        s.setSoTimeout((int) WAIT.toMillis());
        s.startHandshake();
        OutputStream out = s.getOutputStream();
        out.write(42);
        out.flush();
        InputStream in = s.getInputStream();
        assertEquals(42, in.read());
        return s.getSession().getProtocol();
    }

    static SSLContext clientTrusting(X509Certificate anchor) throws Exception {
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("anchor", anchor);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(store);
        SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(null, tmf.getTrustManagers(), null);
        return context;
    }

    static KeyPair ecKeyPair() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }
}
