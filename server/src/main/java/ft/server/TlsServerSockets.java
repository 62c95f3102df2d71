package ft.server;

import ft.transfer.Deadline;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * Turns accepted TCP connections into server-side TLS 1.3 connections.
 *
 * <p>The handshake runs on the caller's thread (a connection's virtual thread) and must
 * finish within a deadline: a timer closes the socket when it passes, so a client that
 * trickles handshake bytes cannot hold the connection longer than that. The returned
 * socket's streams replace the raw socket's; zero-copy {@code FileChannel.transferTo} to the
 * raw channel is no longer possible (it would bypass the encryption).
 */
public final class TlsServerSockets {
    /** First byte of every TLS handshake record (a ClientHello starts with it). */
    public static final int TLS_HANDSHAKE_RECORD = 0x16;

    private final SSLSocketFactory factory;

    /** {@code context} is typically {@link TlsIdentity#serverContext()}. */
    public TlsServerSockets(SSLContext context) {
        this.factory = context.getSocketFactory();
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
            ssl = (SSLSocket) factory.createSocket(accepted, peer == null ? null : peer.getHostAddress(),
                    accepted.getPort(), true);
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
            Tls13Only.restrict(ssl);
            ssl.setNeedClientAuth(false);
            int previous = ssl.getSoTimeout();
            ssl.setSoTimeout((int) millis);
            ssl.startHandshake();
            if (deadline.exit()) {
                throw new HandshakeTimeoutException(peer, timeout, null);
            }
            ssl.setSoTimeout(previous);
            String protocol = ssl.getSession().getProtocol();
            if (!Tls13Only.PROTOCOL.equals(protocol)) {
                throw new SSLHandshakeException("negotiated " + protocol + " instead of " + Tls13Only.PROTOCOL);
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
