package ft.transfer;

import java.io.BufferedInputStream;
import java.io.InputStream;
import java.nio.channels.ReadableByteChannel;

/**
 * A buffered stream over a socket that also lends out the socket's channel, so that a large
 * body can be read straight into direct buffers ({@link Body#receive}).
 *
 * <p>Reading a socket into a {@code byte[]} and writing a {@code byte[]} to a file each cost
 * the JDK a copy through a temporary direct buffer; on a 2-core machine those two copies of
 * a 1 GiB body took a quarter of a second from the core that the receiver shares with the
 * sender, while the other core hashes. The channel is only read when the stream holds nothing
 * buffered and the socket has bytes ready, so the stream's timeout still governs every wait.
 */
public final class ChannelInput extends BufferedInputStream {
    private final ReadableByteChannel channel;

    /**
     * @param in the socket's stream (it enforces the read timeout)
     * @param channel the same socket's channel, in blocking mode; null when bytes must go
     *     through {@code in} (TLS, where the stream decrypts)
     */
    public ChannelInput(InputStream in, ReadableByteChannel channel, int size) {
        super(in, size);
        this.channel = channel;
    }

    /** The socket's channel, or null when there is none to read directly. */
    ReadableByteChannel channel() {
        return channel;
    }

    /** Bytes read from the socket and not yet handed out. */
    synchronized int buffered() {
        return count - pos;
    }
}
