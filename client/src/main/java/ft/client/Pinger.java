package ft.client;

import ft.protocol.HostPort;
import ft.protocol.Ping;
import ft.protocol.ProtocolException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Asks a server for its clock over UDP ({@link Ping}): is it up, how far away, how wrong is
 * one of the two clocks. No TCP connection, no hello, nothing logged on the server.
 *
 * <p>Pings go one after another, each waiting for its reply or the timeout. Replies carry no
 * request id, so a reply that arrives after its ping timed out is discarded before the next
 * ping rather than mistaken for that ping's reply.
 */
public final class Pinger {
    /**
     * Size every request is padded to. A server only answers requests at least as long as
     * its reply (about 48 bytes); 128 leaves room for fields a newer server may add.
     */
    public static final int REQUEST_BYTES = 128;

    /** Stale replies discarded before a ping, at most; bounds the work a flood can cause. */
    private static final int MAX_STALE = 64;

    private Pinger() {}

    /**
     * What the pings found.
     *
     * @param sent requests handed to the network
     * @param received valid replies, at most {@code sent}
     * @param minRtt the fastest round trip
     * @param medianRtt the median round trip (the mean of the middle two for an even count)
     * @param clockOffsetMillis the server's clock minus ours, from the fastest round trip,
     *     whose midpoint is the best guess of when the server read its clock (as NTP does)
     */
    public record Result(int sent, int received, Duration minRtt, Duration medianRtt, long clockOffsetMillis) {}

    private record Sample(long rttNanos, long offsetMillis) {}

    /**
     * Sends {@code count} pings to {@code server}, each waiting up to {@code timeout} for its reply.
     *
     * @throws ConnectionException {@link ConnectionException#TIMEOUT} if no reply came at all;
     *     {@link ConnectionException#CONNECT_FAILED} if the host does not resolve, the socket
     *     cannot be opened, or the host reported that nothing listens on the UDP port
     * @throws IllegalArgumentException if {@code count} is not positive or {@code timeout} is
     *     not positive
     */
    public static Result ping(HostPort server, int count, Duration timeout) throws ConnectionException {
        if (count < 1) {
            throw new IllegalArgumentException("count must be at least 1, not " + count);
        }
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be positive, not " + timeout);
        }
        InetSocketAddress address = new InetSocketAddress(server.host(), server.port());
        if (address.isUnresolved()) {
            throw new ConnectionException(
                    ConnectionException.CONNECT_FAILED,
                    "cannot ping " + server + ": unknown host " + server.host(),
                    null);
        }
        byte[] request = Ping.encode(Ping.Request.paddedTo(REQUEST_BYTES));
        List<Sample> samples = new ArrayList<>();
        int sent = 0;
        boolean portUnreachable = false;
        try (DatagramChannel channel = DatagramChannel.open();
                Selector selector = Selector.open()) {
            channel.configureBlocking(false);
            // Connected: the kernel passes on only datagrams from the server's address.
            channel.connect(address);
            channel.register(selector, SelectionKey.OP_READ);
            ByteBuffer buffer = ByteBuffer.allocate(Ping.MAX_DATAGRAM_BYTES + 1);
            for (int i = 0; i < count; i++) {
                try {
                    discardStale(channel, buffer);
                    long wall0 = System.currentTimeMillis();
                    long t0 = System.nanoTime();
                    if (channel.write(ByteBuffer.wrap(request)) == 0) {
                        continue; // no room in the send buffer: the same as a ping lost on the way
                    }
                    sent++;
                    Sample sample = awaitReply(channel, selector, buffer, wall0, t0, t0 + timeout.toNanos());
                    if (sample != null) {
                        samples.add(sample);
                    }
                } catch (PortUnreachableException e) {
                    // The host's ICMP answer to an earlier datagram: no reply will come, and
                    // waiting out the timeout would not change that.
                    portUnreachable = true;
                }
            }
        } catch (IOException e) {
            throw new ConnectionException(
                    ConnectionException.CONNECT_FAILED, "cannot ping " + server + ": " + describe(e), e);
        }
        if (samples.isEmpty()) {
            if (portUnreachable) {
                throw new ConnectionException(
                        ConnectionException.CONNECT_FAILED,
                        server + " reports that nothing answers pings on UDP port " + server.port(),
                        null);
            }
            throw new ConnectionException(
                    ConnectionException.TIMEOUT,
                    "no answer from " + server + " to " + count + " UDP ping" + (count == 1 ? "" : "s") + " within "
                            + format(timeout),
                    null);
        }
        return summarise(sent, samples);
    }

    private static void discardStale(DatagramChannel channel, ByteBuffer buffer) throws IOException {
        for (int i = 0; i < MAX_STALE; i++) {
            buffer.clear();
            if (channel.read(buffer) <= 0) {
                return;
            }
        }
    }

    /** The first valid reply before {@code deadline} (a {@link System#nanoTime()}), or null. */
    private static Sample awaitReply(
            DatagramChannel channel, Selector selector, ByteBuffer buffer, long wall0, long t0, long deadline)
            throws IOException {
        while (true) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return null;
            }
            selector.selectedKeys().clear();
            // select(0) would wait forever, so never less than 1 ms; rounded up, never early.
            if (selector.select(Math.max(1, (left + 999_999) / 1_000_000)) == 0) {
                continue;
            }
            buffer.clear();
            if (channel.read(buffer) <= 0) {
                continue;
            }
            long t1 = System.nanoTime();
            long wall1 = System.currentTimeMillis();
            try {
                Ping.Reply reply = Ping.decodeReply(buffer.array(), buffer.position());
                return new Sample(t1 - t0, reply.time() - (wall0 + wall1) / 2);
            } catch (ProtocolException e) {
                // Not a reply we understand (a newer server, a stray sender): keep waiting.
            }
        }
    }

    private static Result summarise(int sent, List<Sample> samples) {
        List<Sample> byRtt = new ArrayList<>(samples);
        byRtt.sort(Comparator.comparingLong(Sample::rttNanos));
        Sample fastest = byRtt.getFirst();
        int n = byRtt.size();
        long median = n % 2 == 1
                ? byRtt.get(n / 2).rttNanos()
                : (byRtt.get(n / 2 - 1).rttNanos() + byRtt.get(n / 2).rttNanos()) / 2;
        return new Result(
                sent, n, Duration.ofNanos(fastest.rttNanos()), Duration.ofNanos(median), fastest.offsetMillis());
    }

    private static String format(Duration d) {
        long millis = d.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }

    private static String describe(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
