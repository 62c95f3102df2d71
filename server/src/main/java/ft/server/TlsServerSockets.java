package ft.server;

import ft.transfer.Deadline;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.crypto.spec.PBEParameterSpec;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Turns accepted TCP connections into server-side TLS 1.3 connections with a {@link TlsIdentity}.
 *
 * <p>TLS 1.3 is the only protocol: each socket is limited to it before its handshake and the
 * negotiated protocol is checked after. The JDK cannot be told this once for a whole context:
 * {@code SSLContext.getInstance("TLSv1.3")} still enables TLS 1.2 on the server side, and the
 * {@code jdk.tls.server.protocols} property would change every TLS server in the process.
 * Every server connection of ft is made here, so here is the one place that needs it.
 *
 * <p>The handshake runs on the caller's thread (a connection's virtual thread) and must
 * finish within a deadline: the shared watchdog (ft.transfer.Deadline) closes the socket when it passes, so a client that
 * trickles handshake bytes cannot hold the connection longer than that. The returned
 * socket's streams replace the raw socket's; zero-copy {@code FileChannel.transferTo} to the
 * raw channel is no longer possible (it would bypass the encryption).
 */
public final class TlsServerSockets {
    /** First byte of every TLS handshake record (a ClientHello starts with it). */
    public static final int TLS_HANDSHAKE_RECORD = 0x16;

    static final String PROTOCOL = "TLSv1.3";

    /** How the in-memory key store wraps the key (see {@link #contextOf}); PKCS12's default algorithm. */
    private static final String IN_MEMORY_KEY_WRAP = "PBEWithHmacSHA256AndAES_256";

    private final SSLSocketFactory factory;

    /**
     * Serves with {@code identity}'s certificate chain and key.
     *
     * @throws IOException if the JDK cannot use them for TLS
     */
    public TlsServerSockets(TlsIdentity identity) throws IOException {
        this.factory = contextOf(identity).getSocketFactory();
    }

    private static SSLContext contextOf(TlsIdentity identity) throws IOException {
        try {
            char[] password = "ft".toCharArray(); // in memory only; the key store never touches disk
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            // PKCS12 wraps a key with PBKDF2 at 10,000 iterations by default, once when it is put
            // in and again each time the key manager takes it out: about 0.6 s of CPU at every TLS
            // server start (profiled for issue #15). The store never leaves memory, so the
            // wrapping protects nothing and one iteration does.
            store.setEntry(
                    "ft",
                    new KeyStore.PrivateKeyEntry(
                            identity.privateKey(), identity.chain().toArray(X509Certificate[]::new)),
                    new KeyStore.PasswordProtection(
                            password, IN_MEMORY_KEY_WRAP, new PBEParameterSpec(new byte[16], 1)));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(store, password);
            SSLContext context = SSLContext.getInstance(PROTOCOL);
            context.init(kmf.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot use this certificate and key for TLS: " + e.getMessage(), e);
        }
    }

    /**
     * Whether a connection whose first byte is {@code firstByte} starts a TLS handshake. An ft
     * frame starts with the high byte of a length of at most 64 KiB, which is always 0, so a
     * server can tell a plain client from a TLS one and answer the former in its own language.
     */
    public static boolean startsTls(int firstByte) {
        return firstByte == TLS_HANDSHAKE_RECORD;
    }

    /**
     * Wraps {@code accepted} in a server-mode TLS 1.3 socket and completes the handshake
     * within {@code handshakeTimeout}. Closing the returned socket closes {@code accepted}.
     *
     * @throws SocketTimeoutException if the handshake did not finish in time
     * @throws IOException if it failed (e.g. the client does not speak TLS 1.3 or rejected the
     *     certificate); {@code accepted} is closed in every failure
     */
    public SSLSocket wrapServer(Socket accepted, Duration handshakeTimeout) throws IOException {
        SSLSocket ssl;
        try {
            InetAddress peer = accepted.getInetAddress();
            ssl = (SSLSocket) factory.createSocket(
                    accepted, peer == null ? null : peer.getHostAddress(), accepted.getPort(), true);
        } catch (IOException | RuntimeException e) {
            closeQuietly(accepted);
            throw e;
        }
        ssl.setUseClientMode(false);
        return handshake(ssl, accepted, handshakeTimeout);
    }

    /**
     * Like {@link #wrapServer(Socket, Duration)} for a connection whose first bytes were already
     * read (e.g. one byte, to see whether it {@linkplain #startsTls starts TLS}).
     */
    public SSLSocket wrapServer(Socket accepted, byte[] alreadyRead, Duration handshakeTimeout) throws IOException {
        SSLSocket ssl;
        try {
            ssl = (SSLSocket) factory.createSocket(accepted, new ByteArrayInputStream(alreadyRead.clone()), true);
        } catch (IOException | RuntimeException e) {
            closeQuietly(accepted);
            throw e;
        }
        return handshake(ssl, accepted, handshakeTimeout);
    }

    private static SSLSocket handshake(SSLSocket ssl, Socket raw, Duration timeout) throws IOException {
        long millis = Math.max(1, Math.min(Integer.MAX_VALUE, timeout.toMillis()));
        String peer = String.valueOf(raw.getRemoteSocketAddress());
        // Closing the plain socket (not the SSL one, which may want its lock) fails the
        // handshake's blocked read or write at once.
        Deadline deadline = Deadline.of(Duration.ofMillis(millis), () -> closeQuietly(raw));
        deadline.enter();
        try {
            SSLParameters parameters = ssl.getSSLParameters();
            parameters.setProtocols(new String[] {PROTOCOL});
            parameters.setNeedClientAuth(false);
            ssl.setSSLParameters(parameters);
            int previous = ssl.getSoTimeout();
            ssl.setSoTimeout((int) millis);
            ssl.startHandshake();
            if (deadline.exit()) {
                throw new HandshakeTimeoutException(peer, timeout, null);
            }
            ssl.setSoTimeout(previous);
            String protocol = ssl.getSession().getProtocol();
            if (!PROTOCOL.equals(protocol)) {
                throw new SSLHandshakeException("negotiated " + protocol + " instead of " + PROTOCOL);
            }
            return ssl;
        } catch (IOException | RuntimeException e) {
            deadline.exit();
            closeQuietly(ssl);
            closeQuietly(raw);
            if (e instanceof HandshakeTimeoutException) {
                throw e;
            }
            if (deadline.expired() || e instanceof SocketTimeoutException) {
                throw new HandshakeTimeoutException(peer, timeout, e);
            }
            throw e;
        }
    }

    /** The handshake did not finish before its deadline. */
    public static final class HandshakeTimeoutException extends SocketTimeoutException {
        HandshakeTimeoutException(String peer, Duration timeout, Exception cause) {
            super("TLS handshake with " + peer + " not completed within " + timeout.toMillis() + " ms");
            if (cause != null) {
                initCause(cause);
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Already failing; nothing more to tell the peer.
        }
    }
}
