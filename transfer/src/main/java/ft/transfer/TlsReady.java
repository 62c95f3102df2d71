package ft.transfer;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * A TLS connection's input whose {@link #available()} also counts whole records still waiting
 * in the socket, so that a receiver that reads only what is ready ({@link Body#receive}) fills
 * its buffers under TLS as it does in clear text.
 *
 * <p>The JDK's {@code SSLSocket} counts as available only plaintext it has already decrypted,
 * which is never more than the rest of one 16 KiB record: {@link Body} then wrote, hashed and
 * handed over every record on its own and parked its hashing thread between records (issue
 * #15: 69,000 file writes and 212,000 futex calls for a 1 GiB get instead of 4,100 and 16,000).
 *
 * <p>Bytes in the socket count only once a whole record of the largest size TLS 1.3 allows is
 * there (RFC 8446 section 5.2: at most 2^14 + 256 bytes after its 5-byte header), so a read
 * this stream calls ready never waits for the peer: a peer that stops in the middle of a
 * record still finds the receiver waiting without a buffer, as in clear text.
 */
public final class TlsReady extends FilterInputStream {
    /** The largest TLS 1.3 record on the wire, header included. */
    public static final int MAX_RECORD_BYTES = 5 + (1 << 14) + 256;

    private final InputStream socket;

    /**
     * @param tls the decrypted stream (possibly buffered or paced), read from
     * @param socket the TCP socket's own stream, asked only how many bytes it holds
     */
    public TlsReady(InputStream tls, InputStream socket) {
        super(tls);
        this.socket = socket;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        return in.read(b, off, len);
    }

    @Override
    public int available() throws IOException {
        int decrypted = in.available();
        if (decrypted > 0) {
            return decrypted;
        }
        int waiting = socket.available();
        return waiting >= MAX_RECORD_BYTES ? waiting : 0;
    }
}
