package ft.client;

import ft.protocol.HostPort;
import ft.transfer.Deadline;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Opens TLS 1.3 connections to ft servers and decides whether to trust them, like ssh does.
 *
 * <ol>
 *   <li>A fingerprint pinned in {@link KnownServers} for the server wins: the same → trusted;
 *       another one → {@link TrustException} {@code CERTIFICATE_CHANGED}, a hard error, even
 *       when a certificate authority vouches for the new certificate: a pin is the user's
 *       statement of which certificate is right, and any of the JDK's hundred-odd authorities
 *       could sign another. Only with {@code trustAuthorities} (the user asked for CA trust,
 *       {@code --trust-ca}) does an authority's signature replace a pin.
 *   <li>A certificate the JDK trusts (signed by a known authority) for the host name or
 *       address dialled, with nothing pinned, is trusted for the connection, as a browser
 *       would, and not pinned.
 *   <li>Otherwise the server certificate's fingerprint is compared with
 *       {@link KnownServers}: the same → trusted; another one → {@link TrustException}
 *       {@code CERTIFICATE_CHANGED}, a hard error.
 *   <li>A server not in known_servers is accepted for the handshake only; before the socket
 *       is handed out (so before any byte, e.g. a token, is sent) the {@link TrustDecision} is
 *       asked. Yes → the fingerprint is remembered; no → {@code UNTRUSTED_SERVER}. Asking
 *       after the handshake keeps a slow human answer from running into the server's
 *       handshake deadline; the questions of parallel connections are asked one at a time.
 * </ol>
 *
 * <p>A token is a credential bound to one server, so it goes only to a server whose identity
 * was established before this connection: a fingerprint already pinned, or an authority's
 * signature when the user asked for CA trust. A server accepted for the first time on this
 * very connection ({@code --trust} or a yes on the terminal), or vouched for only by an
 * authority the user did not choose to trust, is refused with {@link
 * TrustException#TOKEN_WITHHELD} before any byte is sent (see {@link #wrap(Socket, HostPort,
 * Duration, TrustDecision, boolean)}); its fingerprint is remembered all the same, so a rerun
 * after the user checked it sends the token.
 *
 * <p>Every connection gets a context of its own, so no TLS session is ever resumed without
 * its certificate being checked again.
 */
public final class TlsTrust {
    /** The handshake failed for another reason than trust (e.g. the server does not speak TLS). */
    public static final String TLS_FAILED = "TLS_FAILED";

    static final String PROTOCOL = "TLSv1.3";

    /** One question at a time, and a second connection sees what the first one remembered. */
    private static final Object DECIDING = new Object();

    private final KnownServers known;
    private final X509ExtendedTrustManager authorities;
    private final boolean trustAuthorities;

    /** Pins in {@code known} first, then the JDK's certificate authorities for unpinned servers. */
    public TlsTrust(KnownServers known) {
        this(known, false);
    }

    /**
     * As {@link #TlsTrust(KnownServers)}; {@code trustAuthorities} (the user asked for CA trust)
     * lets an authority's signature override a pin and makes authority-signed servers fit for a
     * token.
     */
    public TlsTrust(KnownServers known, boolean trustAuthorities) {
        this(known, null, trustAuthorities);
    }

    /** With {@code authorities} instead of the JDK's default trust store (null for the default). */
    TlsTrust(KnownServers known, X509ExtendedTrustManager authorities) {
        this(known, authorities, false);
    }

    TlsTrust(KnownServers known, X509ExtendedTrustManager authorities, boolean trustAuthorities) {
        this.known = known;
        this.authorities = authorities;
        this.trustAuthorities = trustAuthorities;
    }

    public KnownServers knownServers() {
        return known;
    }

    /**
     * Connects to {@code server} and completes a trusted TLS 1.3 handshake; {@code timeout}
     * bounds the TCP connect and, separately, the handshake (not the question to a person).
     */
    public SSLSocket connect(HostPort server, Duration timeout, TrustDecision decision) throws FtException {
        Socket raw = new Socket();
        try {
            raw.connect(new InetSocketAddress(server.host(), server.port()), (int) clampMillis(timeout));
        } catch (IOException e) {
            closeQuietly(raw);
            throw new ConnectionException(
                    ConnectionException.CONNECT_FAILED, "cannot connect to " + server + ": " + describe(e), e);
        }
        return wrap(raw, server, timeout, decision);
    }

    /**
     * Runs a trusted TLS 1.3 handshake over the already connected {@code raw} socket (which
     * may be a {@code SocketChannel}'s). Closing the returned socket closes {@code raw}; on
     * any failure {@code raw} is closed.
     *
     * @throws TrustException if the server is not trusted (see the class comment)
     * @throws ConnectionException {@code TIMEOUT} if the handshake took longer than
     *     {@code timeout}, {@link #TLS_FAILED} if it failed otherwise
     * @throws LocalIoException if known_servers cannot be read or written
     */
    public SSLSocket wrap(Socket raw, HostPort server, Duration timeout, TrustDecision decision) throws FtException {
        return wrap(raw, server, timeout, decision, false);
    }

    /**
     * As {@link #wrap(Socket, HostPort, Duration, TrustDecision)}; when {@code forToken}, the
     * connection is refused with {@link TrustException#TOKEN_WITHHELD} unless the server's
     * identity was established before it (see the class comment).
     */
    public SSLSocket wrap(Socket raw, HostPort server, Duration timeout, TrustDecision decision, boolean forToken)
            throws FtException {
        SSLSocket ssl = null;
        try {
            Verifier verifier = new Verifier(server, readKnown(server));
            SSLContext context = SSLContext.getInstance(PROTOCOL);
            context.init(null, new TrustManager[] {verifier}, null);
            ssl = (SSLSocket) context.getSocketFactory().createSocket(raw, server.host(), server.port(), true);
            ssl.setUseClientMode(true);
            SSLParameters parameters = ssl.getSSLParameters();
            parameters.setProtocols(new String[] {PROTOCOL});
            // Only the certificate-authority path looks at this: the host name (or address) must
            // be in the certificate. A pinned fingerprint already names exactly one certificate.
            parameters.setEndpointIdentificationAlgorithm("HTTPS");
            ssl.setSSLParameters(parameters);
            handshake(ssl, raw, server, timeout, verifier);
            boolean knownBefore;
            if (verifier.verdict == Verdict.NEW) {
                knownBefore = decideNew(server, verifier.fingerprint, decision);
            } else if (verifier.verdict == Verdict.AUTHORITY) {
                knownBefore = trustAuthorities;
            } else if (verifier.verdict == Verdict.KNOWN) {
                knownBefore = true;
            } else {
                throw new ConnectionException(TLS_FAILED, "the certificate of " + server + " was not checked", null);
            }
            if (forToken && !knownBefore) {
                throw new TrustException(TrustException.TOKEN_WITHHELD, withheld(server, verifier.verdict));
            }
            return ssl;
        } catch (GeneralSecurityException e) {
            close(ssl, raw);
            throw new ConnectionException(TLS_FAILED, "cannot set up TLS: " + e.getMessage(), null);
        } catch (IOException e) {
            close(ssl, raw);
            throw new ConnectionException(TLS_FAILED, "cannot set up TLS with " + server + ": " + describe(e), e);
        } catch (FtException | RuntimeException e) {
            close(ssl, raw);
            throw e;
        }
    }

    /** {@code SHA256:} and the unpadded base64 SHA-256 of the certificate's DER encoding. */
    public static String fingerprintOf(X509Certificate certificate) {
        return ft.protocol.CertificateFingerprint.of(certificate);
    }

    /** The fingerprint of the server certificate of an established connection. */
    public static String fingerprintOf(SSLSocket socket) throws IOException {
        Certificate[] peer = socket.getSession().getPeerCertificates();
        return fingerprintOf((X509Certificate) peer[0]);
    }

    private List<String> readKnown(HostPort server) throws LocalIoException {
        try {
            return known.fingerprints(server);
        } catch (IOException e) {
            throw new LocalIoException("cannot read " + known.file() + ": " + describe(e), e);
        }
    }

    private void handshake(SSLSocket ssl, Socket raw, HostPort server, Duration timeout, Verifier verifier)
            throws FtException, IOException {
        long millis = clampMillis(timeout);
        // Closing the plain socket fails the handshake's blocked read or write at once.
        Deadline deadline = Deadline.of(Duration.ofMillis(millis), () -> closeQuietly(raw));
        deadline.enter();
        int previous = raw.getSoTimeout();
        try {
            ssl.setSoTimeout((int) millis);
            ssl.startHandshake();
            if (deadline.exit()) {
                throw new SocketTimeoutException("deadline passed");
            }
            ssl.setSoTimeout(previous);
            String protocol = ssl.getSession().getProtocol();
            if (!PROTOCOL.equals(protocol)) {
                throw new ConnectionException(
                        TLS_FAILED, server + " negotiated " + protocol + ", not " + PROTOCOL, null);
            }
        } catch (IOException e) {
            deadline.exit();
            if (verifier.verdict == Verdict.CHANGED) {
                throw new TrustException(TrustException.CERTIFICATE_CHANGED, verifier.problem);
            }
            if (deadline.expired() || e instanceof SocketTimeoutException) {
                throw new ConnectionException(
                        ConnectionException.TIMEOUT,
                        server + " did not complete the TLS " + "handshake within " + timeout.toSeconds()
                                + " s; giving up",
                        e);
            }
            if (e instanceof SSLException) {
                throw new ConnectionException(
                        TLS_FAILED,
                        "cannot set up TLS with " + server + ": " + describe(e)
                                + "; is it an ft server started with --tls?",
                        e);
            }
            throw e;
        }
    }

    /**
     * Asks about a server whose certificate was not pinned when this connection began, and
     * remembers a yes; returns whether it was pinned meanwhile by another process (so known
     * before this run's decision), false when this decision pinned it.
     */
    private boolean decideNew(HostPort server, String fingerprint, TrustDecision decision) throws FtException {
        synchronized (DECIDING) {
            List<String> now = readKnown(server);
            if (now.contains(fingerprint)) {
                // Another connection of this client was just told yes: still first seen in this run.
                return false;
            }
            if (!now.isEmpty()) {
                throw new TrustException(TrustException.CERTIFICATE_CHANGED, changed(server, now, fingerprint));
            }
            if (!decision.trustNew(server, fingerprint)) {
                throw new TrustException(
                        TrustException.UNTRUSTED_SERVER,
                        "the certificate of " + server
                                + " is not known and was not accepted (fingerprint " + fingerprint
                                + "); if it is the one "
                                + "`ft serve` printed when it started, rerun with --trust or confirm on a terminal, and it "
                                + "will be remembered in " + known.file());
            }
            try {
                known.remember(server, fingerprint);
            } catch (IOException e) {
                throw new LocalIoException(
                        "cannot remember the certificate of " + server + " in " + known.file() + ": " + describe(e), e);
            }
            return false;
        }
    }

    private String withheld(HostPort server, Verdict verdict) {
        if (verdict == Verdict.AUTHORITY) {
            return "not sending the token to " + server + ": its certificate is signed by a certificate authority, "
                    + "but not pinned in " + known.file() + ", and CA trust was not asked for; "
                    + "rerun with --trust-ca (or 'trust-ca = yes' in the config file) to trust authorities for "
                    + "tokens, or pin the server's fingerprint in " + known.file();
        }
        return "not sending the token to " + server + ": its certificate was accepted for the first time just now "
                + "and a token goes only to a server known before connecting; the fingerprint is now remembered in "
                + known.file() + ", so check it against the one `ft serve` printed and run the command again "
                + "(or pin the server first, without sending the token, with: ft login --trust -s tls://" + server
                + ")";
    }

    private String changed(HostPort server, List<String> expected, String got) {
        return "the certificate of " + server + " changed: expected " + String.join(" or ", expected) + ", got "
                + got + "; someone may be intercepting the connection, or the server has a new certificate. "
                + "If this is expected, remove the line for " + KnownServers.key(server) + " from " + known.file();
    }

    private enum Verdict {
        AUTHORITY,
        KNOWN,
        NEW,
        CHANGED
    }

    /** The default trust store's verdict on a chain: returns if it trusts it. */
    @FunctionalInterface
    private interface AuthorityCheck {
        void check() throws CertificateException;
    }

    /** One connection's trust manager; remembers what it concluded for {@link #wrap}. */
    private final class Verifier extends X509ExtendedTrustManager {
        private final HostPort server;
        private final List<String> expected;
        volatile Verdict verdict;
        volatile String fingerprint;
        volatile String problem;

        Verifier(HostPort server, List<String> expected) {
            this.server = server;
            this.expected = expected;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            // Chain and host name, because the socket asks for HTTPS endpoint identification.
            authorityOrPinned(chain, () -> authorities().checkServerTrusted(chain, authType, socket));
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            authorityOrPinned(chain, () -> authorities().checkServerTrusted(chain, authType, engine));
        }

        /** A certificate authority vouches for {@code chain} by {@code byAuthority}, or else the pinned fingerprint must. */
        private void authorityOrPinned(X509Certificate[] chain, AuthorityCheck byAuthority)
                throws CertificateException {
            if (!trustAuthorities && !expected.isEmpty()) {
                // The pin decides whatever an authority would say, so the authorities are not
                // asked: loading the JDK's trust store costs 0.1-0.3 s in a fresh client, on
                // every TLS command to a pinned server (measured for issue #15).
                pinned(chain);
                return;
            }
            boolean byAnAuthority;
            try {
                byAuthority.check();
                byAnAuthority = true;
            } catch (CertificateException notByAuthority) {
                byAnAuthority = false; // self-signed or for another name: the fingerprint decides
            }
            // A pin outranks an authority unless the user chose authorities over pins.
            if (byAnAuthority && (trustAuthorities || expected.isEmpty())) {
                verdict = Verdict.AUTHORITY;
                return;
            }
            pinned(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            // No socket, so no host name to check: only the fingerprint can vouch.
            pinned(chain);
        }

        private void pinned(X509Certificate[] chain) throws CertificateException {
            if (chain == null || chain.length == 0) {
                throw new CertificateException("the server sent no certificate");
            }
            String fp = fingerprintOf(chain[0]);
            fingerprint = fp;
            if (expected.contains(fp)) {
                verdict = Verdict.KNOWN;
            } else if (expected.isEmpty()) {
                verdict = Verdict.NEW; // provisionally: wrap() asks before handing out the socket
            } else {
                verdict = Verdict.CHANGED;
                problem = changed(server, expected, fp);
                throw new CertificateException(problem);
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            throw new CertificateException("an ft client accepts no client certificates");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            throw new CertificateException("an ft client accepts no client certificates");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("an ft client accepts no client certificates");
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    private X509ExtendedTrustManager authorities() throws CertificateException {
        return authorities != null ? authorities : DefaultAuthorities.get();
    }

    /** The JDK's default trust store, loaded once, on first use. */
    private static final class DefaultAuthorities {
        private static volatile X509ExtendedTrustManager instance;

        static X509ExtendedTrustManager get() throws CertificateException {
            X509ExtendedTrustManager tm = instance;
            if (tm != null) {
                return tm;
            }
            try {
                TrustManagerFactory factory =
                        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                factory.init((KeyStore) null);
                for (TrustManager m : factory.getTrustManagers()) {
                    if (m instanceof X509ExtendedTrustManager x) {
                        instance = x;
                        return x;
                    }
                }
                throw new CertificateException("the JDK has no X.509 trust manager");
            } catch (GeneralSecurityException e) {
                throw new CertificateException("cannot load the JDK's certificate authorities: " + e.getMessage(), e);
            }
        }
    }

    private static long clampMillis(Duration timeout) {
        return Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
    }

    private static void close(SSLSocket ssl, Socket raw) {
        if (ssl != null) {
            closeQuietly(ssl);
        }
        closeQuietly(raw);
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Nothing left to tell the server.
        }
    }

    /** The exception's message, or its class's name when it has none. */
    static String describe(Exception e) {
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
