package ft.server;

import ft.protocol.Ping;
import ft.protocol.Protocol;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers UDP pings ({@link Ping}) on the address of the TCP listener, so {@code ft ping}
 * needs no other port.
 *
 * <p>Only a well-formed request at least as long as its reply is answered, to the address it
 * came from; everything else is dropped without a word. A sender who spoofs someone else's
 * address therefore gets at most one byte out per byte in, and a reply is never a valid
 * request, so two servers cannot be set to ping each other in a loop.
 */
public final class PingResponder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(PingResponder.class);

    private final DatagramChannel channel;
    private final InetSocketAddress address;
    private final Thread receiver;
    private final LongAdder answered = new LongAdder();
    private final LongAdder dropped = new LongAdder();

    private PingResponder(DatagramChannel channel) throws IOException {
        this.channel = channel;
        this.address = (InetSocketAddress) channel.getLocalAddress();
        this.receiver = Thread.ofVirtual().name("ft-ping").unstarted(this::receiveLoop);
    }

    /**
     * Binds a UDP socket to exactly {@code bound} (pass the TCP listener's address) and starts
     * answering; port 0 picks a free UDP port, see {@link #address()}.
     *
     * @throws java.net.BindException if that UDP port is taken
     */
    public static PingResponder start(InetSocketAddress bound) throws IOException {
        // No SO_REUSEADDR: on UDP it would let a second server share the port and split the pings.
        DatagramChannel channel = DatagramChannel.open();
        PingResponder responder;
        try {
            channel.bind(bound);
            responder = new PingResponder(channel);
        } catch (IOException | RuntimeException e) {
            channel.close();
            throw e;
        }
        responder.receiver.start();
        LOG.debug("answering pings on udp {}", responder.address);
        return responder;
    }

    /** The bound UDP address: the TCP listener's, or the port 0 picked. */
    public InetSocketAddress address() {
        return address;
    }

    /** Replies handed to the network so far. */
    public long answered() {
        return answered.sum();
    }

    /** Datagrams received and not answered so far: malformed, oversized, too short, or unsendable. */
    public long dropped() {
        return dropped.sum();
    }

    /** Stops answering and waits for the receive loop to end; the UDP port is free afterwards. */
    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException e) {
            LOG.warn("closing the ping socket failed: {}", e.toString());
        }
        try {
            receiver.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void receiveLoop() {
        // One byte more than the limit: a datagram that fills it was longer than allowed (the
        // kernel silently truncates what does not fit, so a 512-byte buffer could not tell).
        ByteBuffer buffer = ByteBuffer.allocate(Ping.MAX_DATAGRAM_BYTES + 1);
        while (channel.isOpen()) {
            buffer.clear();
            SocketAddress sender;
            try {
                sender = channel.receive(buffer);
            } catch (ClosedChannelException closed) {
                return;
            } catch (IOException e) {
                // Not caused by one sender in a way we could answer; keep serving the others.
                LOG.debug("ping receive failed: {}", e.toString());
                continue;
            }
            long now = System.currentTimeMillis();
            answer(buffer.array(), buffer.position(), sender, now);
        }
    }

    private void answer(byte[] datagram, int length, SocketAddress sender, long now) {
        Optional<Ping.Request> request = Ping.decodeRequest(datagram, length);
        if (request.isEmpty()) {
            drop(sender, length, "not a valid ping");
            return;
        }
        byte[] reply = Ping.encode(new Ping.Reply(Protocol.VERSION, now));
        if (reply.length > length) {
            drop(sender, length, "shorter than the " + reply.length + "-byte reply");
            return;
        }
        // Counted before sending: a client that has the reply in hand must also see the count.
        answered.increment();
        try {
            channel.send(ByteBuffer.wrap(reply), sender);
        } catch (IOException e) {
            answered.decrement();
            drop(sender, length, "reply failed: " + e);
        }
    }

    private void drop(SocketAddress sender, int length, String why) {
        dropped.increment();
        LOG.debug("dropped {}-byte datagram from {}: {}", length, sender, why);
    }
}
