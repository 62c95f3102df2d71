package ft.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import ft.cli.ExitStatus;
import ft.protocol.HostPort;
import ft.server.PemStore;
import ft.server.TlsIdentity;
import ft.server.TlsServerSockets;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real TLS 1.3 handshakes on loopback between {@link TlsServerSockets} and {@link TlsTrust}. */
class TlsTrustTest {
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final InetAddress LOOPBACK = ipv4Loopback();

    @TempDir
    Path dir;

    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        Collections.reverse(toClose);
        for (AutoCloseable c : toClose) {
            c.close();
        }
    }

    @Test
    void firstContactAsksThenRemembersAndSecondContactDoesNotAsk() throws Exception {
        TlsIdentity identity = PemStore.loadOrCreate(dir.resolve("root/.ft"));
        EchoServer server = start(identity);
        KnownServers known = new KnownServers(dir.resolve("config/ft/known_servers"));

        Asked asked = new Asked(true);
        try (SSLSocket s = new TlsTrust(known).connect(server.address(), WAIT, asked)) {
            assertThat(echo(s)).isEqualTo("TLSv1.3");
            assertThat(TlsTrust.fingerprintOf(s)).isEqualTo(identity.fingerprint());
        }
        assertThat(asked.calls).containsExactly(server.address() + " " + identity.fingerprint());
        assertThat(server.nextResult()).isEqualTo("ok TLSv1.3");
        assertThat(Files.readAllLines(known.file()))
                .containsExactly("127.0.0.1:" + server.address().port() + " " + identity.fingerprint());

        Asked notAgain = new Asked(false);
        try (SSLSocket s = new TlsTrust(known).connect(server.address(), WAIT, notAgain)) {
            assertThat(echo(s)).isEqualTo("TLSv1.3");
        }
        assertThat(notAgain.calls).as("a remembered server is not asked about").isEmpty();
        assertThat(server.nextResult()).isEqualTo("ok TLSv1.3");
        assertThat(Files.readAllLines(known.file())).hasSize(1);
    }

    @Test
    void aChangedCertificateIsAHardErrorAndNobodyIsAsked() throws Exception {
        TlsIdentity original = PemStore.loadOrCreate(dir.resolve("root/.ft"));
        EchoServer server = start(original);
        KnownServers known = new KnownServers(dir.resolve("config/ft/known_servers"));
        try (SSLSocket s = new TlsTrust(known).connect(server.address(), WAIT, TrustDecision.always())) {
            echo(s);
        }
        assertThat(server.nextResult()).isEqualTo("ok TLSv1.3");
        String before = Files.readString(known.file());

        // The server's state directory is lost and a new certificate made, on the same address.
        TlsIdentity regenerated = PemStore.loadOrCreate(dir.resolve("new-root/.ft"));
        server.use(regenerated);
        Asked asked = new Asked(true);
        assertThatThrownBy(() -> new TlsTrust(known).connect(server.address(), WAIT, asked))
                .isInstanceOfSatisfying(TrustException.class, e -> {
                    assertThat(e.code()).isEqualTo("CERTIFICATE_CHANGED");
                    assertThat(ExitStatus.of(e).code()).isEqualTo(7);
                    assertThat(e.getMessage())
                            .contains(
                                    "the certificate of " + server.address() + " changed",
                                    "expected " + original.fingerprint(),
                                    "got " + regenerated.fingerprint(),
                                    "remove the line for " + server.address(),
                                    known.file().toString());
                });
        assertThat(asked.calls).isEmpty();
        assertThat(Files.readString(known.file())).isEqualTo(before);
        assertThat(server.nextResult()).startsWith("failed");
    }

    @Test
    void aRefusedFirstContactFailsAndRemembersNothing() throws Exception {
        EchoServer server = start(PemStore.loadOrCreate(dir.resolve("root/.ft")));
        KnownServers known = new KnownServers(dir.resolve("config/ft/known_servers"));
        Asked asked = new Asked(false);
        assertThatThrownBy(() -> new TlsTrust(known).connect(server.address(), WAIT, asked))
                .isInstanceOfSatisfying(TrustException.class, e -> {
                    assertThat(e.code()).isEqualTo("UNTRUSTED_SERVER");
                    assertThat(ExitStatus.of(e).code()).isEqualTo(7);
                    assertThat(e.getMessage())
                            .contains(
                                    server.address().toString(),
                                    "--trust",
                                    "terminal",
                                    known.file().toString());
                });
        assertThat(asked.calls).hasSize(1);
        assertThat(known.file()).doesNotExist();
        assertThat(known.file().getParent()).doesNotExist();
        // The handshake itself completed; the client hung up before sending anything.
        assertThat(server.nextResult()).isEqualTo("ok TLSv1.3 (client sent nothing)");
    }

    @Test
    void parallelFirstContactsAskOnlyOnce() throws Exception {
        EchoServer server = start(PemStore.loadOrCreate(dir.resolve("root/.ft")));
        KnownServers known = new KnownServers(dir.resolve("known_servers"));
        Asked asked = new Asked(true);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<String>> results = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                results.add(pool.submit(() -> {
                    try (SSLSocket s = new TlsTrust(known).connect(server.address(), WAIT, asked)) {
                        return echo(s);
                    }
                }));
            }
            for (Future<String> r : results) {
                assertThat(r.get(WAIT.toSeconds(), TimeUnit.SECONDS)).isEqualTo("TLSv1.3");
            }
        }
        assertThat(asked.calls).hasSize(1);
        assertThat(Files.readAllLines(known.file())).hasSize(1);
    }

    @Test
    void aCertificateFromATrustedAuthorityNeedsNoQuestion() throws Exception {
        Ca ca = new Ca();
        EchoServer server = start(ca.serverIdentity(dir, "127.0.0.1"));
        KnownServers known = new KnownServers(dir.resolve("known_servers"));
        Asked asked = new Asked(false);
        try (SSLSocket s = new TlsTrust(known, ca.trustManager()).connect(server.address(), WAIT, asked)) {
            assertThat(echo(s)).isEqualTo("TLSv1.3");
        }
        assertThat(asked.calls).isEmpty();
        assertThat(known.file())
                .as("authority-signed certificates are not pinned")
                .doesNotExist();
    }

    @Test
    void anAuthoritySignedCertificateDoesNotReplaceAPinnedOneWithoutCaTrust() throws Exception {
        TlsIdentity pinnedIdentity = PemStore.loadOrCreate(dir.resolve("root/.ft"));
        EchoServer server = start(pinnedIdentity);
        KnownServers known = new KnownServers(dir.resolve("known_servers"));
        Ca ca = new Ca();
        try (SSLSocket s =
                new TlsTrust(known, ca.trustManager()).connect(server.address(), WAIT, TrustDecision.always())) {
            echo(s);
        }
        assertThat(server.nextResult()).isEqualTo("ok TLSv1.3");

        // Someone with a certificate an authority signed for the same address takes over.
        TlsIdentity signed = ca.serverIdentity(dir, "127.0.0.1");
        server.use(signed);
        Asked asked = new Asked(true);
        assertThatThrownBy(() -> new TlsTrust(known, ca.trustManager()).connect(server.address(), WAIT, asked))
                .isInstanceOfSatisfying(TrustException.class, e -> {
                    assertThat(e.code()).isEqualTo("CERTIFICATE_CHANGED");
                    assertThat(ExitStatus.of(e).code()).isEqualTo(7);
                    assertThat(e.getMessage())
                            .contains("expected " + pinnedIdentity.fingerprint(), "got " + signed.fingerprint());
                });
        assertThat(asked.calls).isEmpty();
        assertThat(server.nextResult()).startsWith("failed");

        // The user asked for CA trust: the authority's signature stands.
        try (SSLSocket s = new TlsTrust(known, ca.trustManager(), true).connect(server.address(), WAIT, asked)) {
            assertThat(echo(s)).isEqualTo("TLSv1.3");
        }
    }

    @Test
    void aPinnedServerIsCheckedWithoutAskingTheAuthorities() throws Exception {
        TlsIdentity identity = PemStore.loadOrCreate(dir.resolve("root/.ft"));
        EchoServer server = start(identity);
        KnownServers known = new KnownServers(dir.resolve("known_servers"));
        CountingAuthorities authorities = new CountingAuthorities(new Ca().trustManager());
        try (SSLSocket s = new TlsTrust(known, authorities).connect(server.address(), WAIT, TrustDecision.always())) {
            assertThat(echo(s)).isEqualTo("TLSv1.3");
        }
        assertThat(authorities.asked)
                .as("a server met for the first time may be vouched for")
                .hasValue(1);

        // Pinned now: the pin decides, so the trust store (costly to load) is not consulted.
        try (SSLSocket s = new TlsTrust(known, authorities).connect(server.address(), WAIT, TrustDecision.never())) {
            assertThat(echo(s)).isEqualTo("TLSv1.3");
            assertThat(TlsTrust.fingerprintOf(s)).isEqualTo(identity.fingerprint());
        }
        assertThat(authorities.asked).hasValue(1);

        // With CA trust asked for, an authority outranks the pin, so it is asked.
        try (SSLSocket s =
                new TlsTrust(known, authorities, true).connect(server.address(), WAIT, TrustDecision.never())) {
            assertThat(echo(s)).isEqualTo("TLSv1.3");
        }
        assertThat(authorities.asked).hasValue(2);
    }

    @Test
    void ftClientAndServerNegotiateAes256Gcm() throws Exception {
        // The cipher policy (docs/SECURITY.md): the JDK's TLS 1.3 order, AES-256-GCM first. On
        // CPUs with AES instructions it is also the fastest of the three suites in the JDK
        // (ChaCha20-Poly1305 measured 3-4 times slower here), so a change shows here first.
        TlsIdentity identity = PemStore.loadOrCreate(dir.resolve("root/.ft"));
        EchoServer server = start(identity);
        KnownServers known = new KnownServers(dir.resolve("known_servers"));
        try (SSLSocket s = new TlsTrust(known).connect(server.address(), WAIT, TrustDecision.always())) {
            assertThat(echo(s)).isEqualTo("TLSv1.3");
            assertThat(s.getSession().getCipherSuite()).isEqualTo("TLS_AES_256_GCM_SHA384");
        }
    }

    @Test
    void aTokenIsWithheldFromAServerAcceptedOnThisConnection() throws Exception {
        TlsIdentity identity = PemStore.loadOrCreate(dir.resolve("root/.ft"));
        EchoServer server = start(identity);
        KnownServers known = new KnownServers(dir.resolve("known_servers"));
        Socket raw = new Socket(LOOPBACK, server.address().port());
        assertThatThrownBy(() -> new TlsTrust(known).wrap(raw, server.address(), WAIT, TrustDecision.always(), true))
                .isInstanceOfSatisfying(TrustException.class, e -> {
                    assertThat(e.code()).isEqualTo("TOKEN_WITHHELD");
                    assertThat(ExitStatus.of(e).code()).isEqualTo(7);
                    assertThat(e.getMessage()).contains(server.address().toString(), "run the command again");
                });
        assertThat(server.nextResult()).isEqualTo("ok TLSv1.3 (client sent nothing)");
        assertThat(known.fingerprints(server.address())).containsExactly(identity.fingerprint());

        // Known before this connection: fit for a token.
        assertFitForAToken(new TlsTrust(known), server);
    }

    @Test
    void aTokenIsWithheldFromAnAuthoritySignedServerUnlessCaTrustWasAskedFor() throws Exception {
        Ca ca = new Ca();
        EchoServer server = start(ca.serverIdentity(dir, "127.0.0.1"));
        KnownServers known = new KnownServers(dir.resolve("known_servers"));
        Socket raw = new Socket(LOOPBACK, server.address().port());
        assertThatThrownBy(() -> new TlsTrust(known, ca.trustManager())
                        .wrap(raw, server.address(), WAIT, TrustDecision.never(), true))
                .isInstanceOfSatisfying(TrustException.class, e -> {
                    assertThat(e.code()).isEqualTo("TOKEN_WITHHELD");
                    assertThat(e.getMessage()).contains("--trust-ca");
                });
        assertThat(server.nextResult()).isEqualTo("ok TLSv1.3 (client sent nothing)");
        assertFitForAToken(new TlsTrust(known, ca.trustManager(), true), server);
    }

    @Test
    void anAuthorityCertificateForAnotherNameFallsBackToTheFingerprint() throws Exception {
        Ca ca = new Ca();
        TlsIdentity identity = ca.serverIdentity(dir, "elsewhere.example");
        EchoServer server = start(identity);
        KnownServers known = new KnownServers(dir.resolve("known_servers"));
        Asked asked = new Asked(false);
        assertThatThrownBy(() -> new TlsTrust(known, ca.trustManager()).connect(server.address(), WAIT, asked))
                .isInstanceOfSatisfying(
                        TrustException.class, e -> assertThat(e.code()).isEqualTo("UNTRUSTED_SERVER"));
        assertThat(asked.calls).containsExactly(server.address() + " " + identity.fingerprint());
    }

    @Test
    void aServerWithoutTlsIsExplained() throws Exception {
        ServerSocket plain = listen();
        Future<?> answer = background(() -> {
            try (Socket s = plain.accept()) {
                s.setSoTimeout((int) WAIT.toMillis());
                s.getInputStream().read(new byte[5]);
                // What an ft server without TLS says to a frame it cannot read.
                s.getOutputStream().write(new byte[] {0, 0, 0, 2, '{', '}'});
                s.getOutputStream().flush();
            }
            return null;
        });
        HostPort address = new HostPort("127.0.0.1", plain.getLocalPort());
        assertThatThrownBy(() ->
                        new TlsTrust(new KnownServers(dir.resolve("k"))).connect(address, WAIT, TrustDecision.always()))
                .isInstanceOfSatisfying(ConnectionException.class, e -> {
                    assertThat(e.code()).isEqualTo("TLS_FAILED");
                    assertThat(ExitStatus.of(e).code()).isEqualTo(3);
                    assertThat(e.getMessage()).contains(address.toString(), "started with --tls");
                });
        answer.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(dir.resolve("k")).doesNotExist();
    }

    @Test
    void aServerThatNeverAnswersTimesOut() throws Exception {
        ServerSocket silent = listen();
        HostPort address = new HostPort("127.0.0.1", silent.getLocalPort());
        // The listener never accepts: the connection waits in its backlog and nothing answers.
        assertTimeoutPreemptively(
                WAIT,
                () -> assertThatThrownBy(() -> new TlsTrust(new KnownServers(dir.resolve("k")))
                                .connect(address, Duration.ofMillis(300), TrustDecision.always()))
                        .isInstanceOfSatisfying(ConnectionException.class, e -> {
                            assertThat(e.code()).isEqualTo("TIMEOUT");
                            assertThat(e.getMessage()).contains("did not complete the TLS handshake");
                        }));
    }

    @Test
    void nothingListeningIsConnectFailed() throws Exception {
        ServerSocket gone = listen();
        int port = gone.getLocalPort();
        gone.close();
        assertThatThrownBy(() -> new TlsTrust(new KnownServers(dir.resolve("k")))
                        .connect(new HostPort("127.0.0.1", port), WAIT, TrustDecision.always()))
                .isInstanceOfSatisfying(
                        ConnectionException.class, e -> assertThat(e.code()).isEqualTo("CONNECT_FAILED"));
    }

    @Test
    void anUnreadableKnownServersFileIsALocalError() throws Exception {
        EchoServer server = start(PemStore.loadOrCreate(dir.resolve("root/.ft")));
        Path notAFile = Files.createDirectories(dir.resolve("known_servers"));
        assertThatThrownBy(() -> new TlsTrust(new KnownServers(notAFile))
                        .connect(server.address(), WAIT, TrustDecision.always()))
                .isInstanceOfSatisfying(LocalIoException.class, e -> {
                    assertThat(ExitStatus.of(e).code()).isEqualTo(6);
                    assertThat(e.getMessage()).contains(notAFile.toString());
                });
    }

    @Test
    void clientAndServerAgreeOnTheFingerprint() throws Exception {
        TlsIdentity identity = PemStore.loadOrCreate(dir.resolve("root/.ft"));
        assertThat(TlsTrust.fingerprintOf(identity.certificate())).isEqualTo(identity.fingerprint());
        assertThat(KnownServers.isFingerprint(identity.fingerprint())).isTrue();
    }

    // --- helpers ---

    private static InetAddress ipv4Loopback() {
        try {
            return InetAddress.getByAddress("localhost", new byte[] {127, 0, 0, 1});
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A TrustDecision that records what it was asked and always gives the same answer. */
    private static final class Asked implements TrustDecision {
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());
        private final boolean answer;

        Asked(boolean answer) {
            this.answer = answer;
        }

        @Override
        public boolean trustNew(HostPort server, String fingerprint) {
            calls.add(server + " " + fingerprint);
            return answer;
        }
    }

    /**
     * Accepts connections on 127.0.0.1, wraps each with {@link TlsServerSockets} (server side of
     * the future FtServer wiring) and echoes one byte; reports each connection's outcome.
     */
    private static final class EchoServer implements AutoCloseable {
        private final ServerSocket listener;
        private final AtomicReference<TlsServerSockets> tls;
        private final BlockingQueue<String> results = new LinkedBlockingQueue<>();
        private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

        EchoServer(TlsIdentity identity) throws IOException {
            listener = new ServerSocket(0, 50, LOOPBACK);
            tls = new AtomicReference<>(new TlsServerSockets(identity));
            threads.submit(this::acceptLoop);
        }

        HostPort address() {
            return new HostPort("127.0.0.1", listener.getLocalPort());
        }

        /** Presents another certificate from now on, on the same address. */
        void use(TlsIdentity identity) throws IOException {
            tls.set(new TlsServerSockets(identity));
        }

        String nextResult() throws InterruptedException {
            String r = results.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(r).as("a connection's outcome").isNotNull();
            return r;
        }

        private Void acceptLoop() {
            while (!listener.isClosed()) {
                Socket accepted;
                try {
                    accepted = listener.accept();
                } catch (IOException e) {
                    return null;
                }
                threads.submit(() -> serve(accepted));
            }
            return null;
        }

        private void serve(Socket accepted) {
            try (SSLSocket ssl = tls.get().wrapServer(accepted, WAIT)) {
                String protocol = ssl.getSession().getProtocol();
                ssl.setSoTimeout((int) WAIT.toMillis());
                int b;
                try {
                    b = ssl.getInputStream().read();
                } catch (IOException e) {
                    b = -1;
                }
                if (b < 0) {
                    results.add("ok " + protocol + " (client sent nothing)");
                    return;
                }
                ssl.getOutputStream().write(b);
                ssl.getOutputStream().flush();
                results.add("ok " + protocol);
            } catch (IOException | RuntimeException e) {
                results.add("failed: " + e);
            }
        }

        @Override
        public void close() throws IOException {
            listener.close();
            threads.shutdownNow();
            try {
                assertThat(threads.awaitTermination(WAIT.toSeconds(), TimeUnit.SECONDS))
                        .isTrue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private EchoServer start(TlsIdentity identity) throws IOException {
        EchoServer server = new EchoServer(identity);
        toClose.add(server);
        return server;
    }

    private ServerSocket listen() throws IOException {
        ServerSocket s = new ServerSocket(0, 50, LOOPBACK);
        toClose.add(s);
        return s;
    }

    private <T> Future<T> background(java.util.concurrent.Callable<T> task) {
        ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor();
        toClose.add(pool::shutdownNow);
        return pool.submit(task);
    }

    /** A connection that will carry a token is wrapped (nobody asked) and speaks TLS 1.3. */
    private static void assertFitForAToken(TlsTrust trust, EchoServer server) throws IOException, FtException {
        try (SSLSocket s = trust.wrap(
                new Socket(LOOPBACK, server.address().port()), server.address(), WAIT, TrustDecision.never(), true)) {
            assertThat(echo(s)).isEqualTo("TLSv1.3");
        }
    }

    /** Handshake done by connect(); sends a byte and expects it back; returns the protocol. */
    private static String echo(SSLSocket s) throws IOException {
        s.setSoTimeout((int) WAIT.toMillis());
        OutputStream out = s.getOutputStream();
        out.write(42);
        out.flush();
        InputStream in = s.getInputStream();
        assertThat(in.read()).isEqualTo(42);
        return s.getSession().getProtocol();
    }

    /** Authorities that count how often they are asked about a server. */
    private static final class CountingAuthorities extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager delegate;
        final java.util.concurrent.atomic.AtomicInteger asked = new java.util.concurrent.atomic.AtomicInteger();

        CountingAuthorities(X509ExtendedTrustManager delegate) {
            this.delegate = delegate;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws java.security.cert.CertificateException {
            asked.incrementAndGet();
            delegate.checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine)
                throws java.security.cert.CertificateException {
            asked.incrementAndGet();
            delegate.checkServerTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType)
                throws java.security.cert.CertificateException {
            asked.incrementAndGet();
            delegate.checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws java.security.cert.CertificateException {
            delegate.checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine)
                throws java.security.cert.CertificateException {
            delegate.checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType)
                throws java.security.cert.CertificateException {
            delegate.checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate.getAcceptedIssuers();
        }
    }

    /** A test certificate authority and server certificates it signs. */
    private static final class Ca {
        private static final SecureRandom RANDOM = new SecureRandom();
        private final KeyPair key = p256();
        private final X509Certificate cert;

        Ca() throws Exception {
            cert = issue(new X500Name("CN=ft test CA"), key, true, null);
        }

        X509ExtendedTrustManager trustManager() throws Exception {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setCertificateEntry("ca", cert);
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager x) {
                    return x;
                }
            }
            throw new IllegalStateException("no X509ExtendedTrustManager");
        }

        /** A server identity signed by this CA for {@code name} (an IP address or a DNS name). */
        TlsIdentity serverIdentity(Path dir, String name) throws Exception {
            KeyPair serverKey = p256();
            GeneralName san = Character.isDigit(name.charAt(0))
                    ? new GeneralName(GeneralName.iPAddress, name)
                    : new GeneralName(GeneralName.dNSName, name);
            X509Certificate leaf = issue(new X500Name("CN=" + name), serverKey, false, san);
            Path certPem = dir.resolve("ca-cert.pem");
            Path keyPem = dir.resolve("ca-key.pem");
            Files.writeString(certPem, pem(leaf) + pem(cert));
            Files.writeString(keyPem, pkcs8Pem(serverKey.getPrivate()));
            // ft serve refuses a key others can read, as ssh does.
            Files.setPosixFilePermissions(keyPem, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
            return PemStore.read(certPem, keyPem);
        }

        private X509Certificate issue(X500Name subject, KeyPair subjectKey, boolean ca, GeneralName san)
                throws Exception {
            Instant now = Instant.now();
            var builder = new JcaX509v3CertificateBuilder(
                            new X500Name("CN=ft test CA"),
                            new BigInteger(64, RANDOM).setBit(63),
                            Date.from(now.minus(1, ChronoUnit.HOURS)),
                            Date.from(now.plus(1, ChronoUnit.DAYS)),
                            subject,
                            subjectKey.getPublic())
                    .addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
            if (san != null) {
                builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(san));
            }
            return new JcaX509CertificateConverter()
                    .getCertificate(
                            builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
        }

        private static KeyPair p256() {
            try {
                KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
                g.initialize(new ECGenParameterSpec("secp256r1"));
                return g.generateKeyPair();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        private static String pem(X509Certificate c) throws IOException {
            StringWriter out = new StringWriter();
            try (JcaPEMWriter w = new JcaPEMWriter(out)) {
                w.writeObject(c);
            }
            return out.toString();
        }

        private static String pkcs8Pem(PrivateKey k) throws IOException {
            StringWriter out = new StringWriter();
            try (JcaPEMWriter w = new JcaPEMWriter(out)) {
                w.writeObject(new JcaPKCS8Generator(k, null));
            }
            return out.toString();
        }
    }
}
