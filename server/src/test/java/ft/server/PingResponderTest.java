package ft.server;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ft.protocol.Ping;
import ft.protocol.ProtocolException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.channels.DatagramChannel;
import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The UDP ping responder through real datagrams on 127.0.0.1.
 *
 * <p>The responder handles datagrams one at a time in arrival order, so "a bad datagram was
 * dropped" is checked by sending a good one after it: once the good one's reply is in hand,
 * the bad one has been handled and the counters are final.
 */
class PingResponderTest {
    /** Long enough for any reply; bad datagrams are padded to it so length is never why they drop. */
    private static final int PADDED = 128;

    private static final int REPLY_WAIT_MILLIS = 10_000;
    private static final int SILENCE_MILLIS = 300;

    private PingResponder responder;
    private DatagramSocket client;

    @BeforeEach
    void start() throws IOException {
        responder = PingResponder.start(new InetSocketAddress("127.0.0.1", 0));
        client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
    }

    @AfterEach
    void stop() {
        client.close();
        responder.close();
    }

    // ------------------------------------------------------------------ helpers

    private void send(byte[] datagram) throws IOException {
        client.send(new DatagramPacket(datagram, datagram.length, responder.address()));
    }

    private Ping.Reply receiveReply() throws IOException, ProtocolException {
        client.setSoTimeout(REPLY_WAIT_MILLIS);
        DatagramPacket packet = new DatagramPacket(new byte[Ping.MAX_DATAGRAM_BYTES + 1], Ping.MAX_DATAGRAM_BYTES + 1);
        client.receive(packet);
        assertEquals(responder.address(), packet.getSocketAddress(), "reply comes from the bound address");
        return Ping.decodeReply(packet.getData(), packet.getLength());
    }

    private void assertNothingArrives() throws IOException {
        client.setSoTimeout(SILENCE_MILLIS);
        DatagramPacket packet = new DatagramPacket(new byte[1024], 1024);
        assertThrows(SocketTimeoutException.class, () -> client.receive(packet), "no datagram may come back");
    }

    private Ping.Reply goodPing() throws IOException, ProtocolException {
        send(Ping.encode(Ping.Request.paddedTo(PADDED)));
        return receiveReply();
    }

    /** Right-pads a JSON text with spaces (valid JSON whitespace) to {@link #PADDED} bytes. */
    private static byte[] spaced(String json) {
        byte[] bytes = json.getBytes(UTF_8);
        byte[] padded = Arrays.copyOf(bytes, Math.max(bytes.length, PADDED));
        Arrays.fill(padded, bytes.length, padded.length, (byte) ' ');
        return padded;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    // ------------------------------------------------------------------ answered

    @Test
    void paddedPingGetsVersionOneAndTheServerClock() throws Exception {
        long before = System.currentTimeMillis();
        Ping.Reply reply = goodPing();
        long after = System.currentTimeMillis();

        assertEquals(1, reply.version());
        assertTrue(
                reply.time() >= before - 5_000 && reply.time() <= after + 5_000,
                "server time " + reply.time() + " within 5 s of [" + before + ", " + after + "]");
        assertEquals(1, responder.answered());
        assertEquals(0, responder.dropped());
    }

    @Test
    void replyIsNeverLongerThanTheRequest() throws Exception {
        byte[] request = Ping.encode(Ping.Request.paddedTo(PADDED));
        send(request);
        client.setSoTimeout(REPLY_WAIT_MILLIS);
        DatagramPacket packet = new DatagramPacket(new byte[1024], 1024);
        client.receive(packet);

        assertTrue(packet.getLength() <= request.length, packet.getLength() + " <= " + request.length);
        assertEquals(
                "{\"status\":\"ok\",\"version\":1,\"time\":",
                new String(packet.getData(), 0, packet.getLength(), UTF_8).replaceAll("\\d+}$", ""));
    }

    @Test
    void requestExactlyAsLongAsTheReplyIsAnswered() throws Exception {
        int replyLength = Ping.encode(new Ping.Reply(1, System.currentTimeMillis())).length;
        send(Ping.encode(Ping.Request.paddedTo(replyLength)));

        assertEquals(1, receiveReply().version());
        assertEquals(1, responder.answered());
    }

    @Test
    void padIsOptionalWhenTheRequestIsLongEnoughWithWhitespace() throws Exception {
        send(spaced("{\"op\":\"ping\"}"));

        assertEquals(1, receiveReply().version());
        assertEquals(0, responder.dropped());
    }

    @Test
    void datagramOfExactlyTheMaximumIsAnswered() throws Exception {
        byte[] request = Ping.encode(Ping.Request.paddedTo(Ping.MAX_DATAGRAM_BYTES));
        assertEquals(512, request.length);
        send(request);

        assertEquals(1, receiveReply().version());
        assertEquals(1, responder.answered());
        assertEquals(0, responder.dropped());
    }

    @Test
    void everyPingInABurstIsAnswered() throws Exception {
        for (int i = 0; i < 20; i++) {
            assertEquals(1, goodPing().version());
        }
        assertEquals(20, responder.answered());
    }

    // ------------------------------------------------------------------ dropped

    @Test
    void unpaddedPingShorterThanTheReplyIsDroppedSilently() throws Exception {
        byte[] tiny = "{\"op\":\"ping\"}".getBytes(UTF_8);
        assertTrue(tiny.length < Ping.encode(new Ping.Reply(1, System.currentTimeMillis())).length);
        send(tiny);
        assertNothingArrives();

        goodPing();
        assertEquals(1, responder.dropped());
        assertEquals(1, responder.answered());
        assertNothingArrives();
    }

    static Stream<Arguments> invalidDatagrams() {
        byte[] garbage = new byte[PADDED];
        new Random(7).nextBytes(garbage);
        String pad = "x".repeat(100);
        return Stream.of(
                Arguments.of("random bytes", garbage),
                Arguments.of("empty datagram", new byte[0]),
                Arguments.of("only whitespace", spaced("")),
                Arguments.of(
                        "invalid UTF-8 (overlong C0 AF) in the pad",
                        concat(
                                "{\"op\":\"ping\",\"pad\":\"".getBytes(UTF_8),
                                new byte[] {(byte) 0xC0, (byte) 0xAF},
                                (pad + "\"}").getBytes(UTF_8))),
                Arguments.of(
                        "encoded surrogate ED A0 80",
                        concat(
                                "{\"op\":\"ping\",\"pad\":\"".getBytes(UTF_8),
                                new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
                                (pad + "\"}").getBytes(UTF_8))),
                Arguments.of(
                        "byte-order mark",
                        concat(
                                new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF},
                                Ping.encode(Ping.Request.paddedTo(PADDED)))),
                Arguments.of("valid ping of 600 bytes", validPingOf600Bytes()),
                Arguments.of(
                        "513 bytes, one over", concat(Ping.encode(Ping.Request.paddedTo(512)), " ".getBytes(UTF_8))),
                Arguments.of("JSON array", spaced("[\"op\",\"ping\",\"pad\",\"" + pad + "\"]")),
                Arguments.of("JSON string", spaced("\"ping\"")),
                Arguments.of("null", spaced("null")),
                Arguments.of("duplicate key", spaced("{\"op\":\"ping\",\"op\":\"ping\",\"pad\":\"" + pad + "\"}")),
                Arguments.of("duplicate pad", spaced("{\"op\":\"ping\",\"pad\":\"a\",\"pad\":\"" + pad + "\"}")),
                Arguments.of("other op", spaced("{\"op\":\"get\",\"pad\":\"" + pad + "\"}")),
                Arguments.of("op in capitals", spaced("{\"op\":\"PING\",\"pad\":\"" + pad + "\"}")),
                Arguments.of("no op", spaced("{\"pad\":\"" + pad + "\"}")),
                Arguments.of("op not a string", spaced("{\"op\":1,\"pad\":\"" + pad + "\"}")),
                Arguments.of("pad not a string", spaced("{\"op\":\"ping\",\"pad\":12345}")),
                Arguments.of("pad null", spaced("{\"op\":\"ping\",\"pad\":null}")),
                Arguments.of("nested pad", spaced("{\"op\":\"ping\",\"pad\":{\"a\":[[[\"" + pad + "\"]]]}}")),
                Arguments.of("unknown field", spaced("{\"op\":\"ping\",\"pad\":\"" + pad + "\",\"x\":1}")),
                Arguments.of("trailing second value", spaced("{\"op\":\"ping\",\"pad\":\"" + pad + "\"} {}")),
                Arguments.of("trailing comma", spaced("{\"op\":\"ping\",\"pad\":\"" + pad + "\",}")),
                Arguments.of("single quotes", spaced("{'op':'ping','pad':'" + pad + "'}")),
                Arguments.of("comment", spaced("/* hi */{\"op\":\"ping\",\"pad\":\"" + pad + "\"}")),
                Arguments.of("truncated", Arrays.copyOf(Ping.encode(Ping.Request.paddedTo(PADDED)), PADDED - 1)),
                Arguments.of(
                        "a reply, not a request", spaced("{\"status\":\"ok\",\"version\":1,\"time\":1700000000000}")));
    }

    private static byte[] validPingOf600Bytes() {
        byte[] bytes = "{\"op\":\"ping\",\"pad\":\""
                .concat("x".repeat(600 - 22))
                .concat("\"}")
                .getBytes(UTF_8);
        assertEquals(600, bytes.length);
        return bytes;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidDatagrams")
    void invalidDatagramIsDroppedAndNeverAnswered(String what, byte[] datagram) throws Exception {
        send(datagram);
        Ping.Reply reply = goodPing();

        assertEquals(1, reply.version());
        assertEquals(1, responder.dropped(), what + " counted as dropped");
        assertEquals(1, responder.answered(), "only the good ping after it was answered");
    }

    @Test
    void manyBadDatagramsGetNoAnswerAtAll() throws Exception {
        long count = invalidDatagrams().count();
        invalidDatagrams().forEach(a -> {
            try {
                send((byte[]) a.get()[1]);
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        goodPing();

        assertEquals(count, responder.dropped());
        assertEquals(1, responder.answered());
        assertNothingArrives();
    }

    // ------------------------------------------------------------------ binding

    @Test
    void bindsExactlyTheAddressItIsGiven() throws Exception {
        int port;
        try (DatagramChannel probe = DatagramChannel.open()) {
            probe.bind(new InetSocketAddress("127.0.0.1", 0));
            port = ((InetSocketAddress) probe.getLocalAddress()).getPort();
        }
        InetSocketAddress wanted = new InetSocketAddress("127.0.0.1", port);
        try (PingResponder second = PingResponder.start(wanted)) {
            assertEquals(wanted, second.address());
            client.send(new DatagramPacket(new byte[0], 0, wanted));
            byte[] ping = Ping.encode(Ping.Request.paddedTo(PADDED));
            client.send(new DatagramPacket(ping, ping.length, wanted));
            assertEquals(1, receiveReplyFrom(wanted).version());
            assertEquals(1, second.dropped());
        }
    }

    private Ping.Reply receiveReplyFrom(InetSocketAddress from) throws IOException, ProtocolException {
        client.setSoTimeout(REPLY_WAIT_MILLIS);
        DatagramPacket packet = new DatagramPacket(new byte[1024], 1024);
        client.receive(packet);
        assertEquals(from, packet.getSocketAddress());
        return Ping.decodeReply(packet.getData(), packet.getLength());
    }

    @Test
    void aTakenPortIsRefused() {
        assertThrows(
                java.net.BindException.class,
                () -> PingResponder.start(responder.address()).close());
    }

    @Test
    void closeFreesThePort() throws Exception {
        InetSocketAddress address = responder.address();
        responder.close();
        try (DatagramChannel rebound = DatagramChannel.open()) {
            rebound.bind(address);
            assertEquals(address, rebound.getLocalAddress());
        }
    }
}
