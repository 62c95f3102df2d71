package ft.protocol;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;

/**
 * The invariants the fuzz tests check, shared by the jqwik properties and the seeded loop.
 *
 * <p>For any input the decoder either returns a value or throws {@link ProtocolException} with
 * {@link ErrorCode#BAD_REQUEST}; nothing else. A value it returns is one the encoder can write
 * and the decoder reads back as the same value. The frame reader only ever returns payloads
 * of 1..{@link Protocol#MAX_FRAME_BYTES} bytes, {@code null} at a clean end, or throws
 * {@link ProtocolException} (or {@link EOFException} from {@code readRequiredFrame}).
 */
final class Fuzz {
    static final HeaderCodec CODEC = new HeaderCodec();
    static final List<Class<? extends Response>> RESPONSE_TYPES =
            List.of(Response.HelloOk.class, Response.GetOk.class, Response.PutReady.class, Response.PutDone.class);
    /** Every type a request may expect; the databind reference is compared on {@link #RESPONSE_TYPES}. */
    static final List<Class<? extends Response>> ALL_RESPONSE_TYPES = List.of(
            Response.HelloOk.class,
            Response.GetOk.class,
            Response.PutReady.class,
            Response.PutDone.class,
            Response.Ok.class,
            Response.StatOk.class);

    private static final Md5 MD5 = new Md5("5d41402abc4b2a76b9719d911017c592");

    /** Valid headers to mutate: every op and every response shape. */
    static final List<byte[]> VALID_HEADERS = List.of(
            CODEC.encode(new Request.Hello(1)),
            CODEC.encode(new Request.Get("dir/a.txt", 0)),
            CODEC.encode(new Request.Get("dir/sub/b.bin", 5_000_000_000L, MD5)),
            CODEC.encode(new Request.Put("dir/big.iso", Long.MAX_VALUE, MD5)),
            CODEC.encode(new Request.Put("é/日本.txt", 5, MD5)),
            CODEC.encode(new Response.HelloOk(1, "ft/0.1.0")),
            CODEC.encode(new Response.GetOk("a.txt", 5, MD5, 0)),
            CODEC.encode(new Response.GetOk("big.iso", 5_000_000_000L, MD5, 4_000_000_000L)),
            CODEC.encode(new Response.PutReady(0)),
            CODEC.encode(new Response.PutReady(123_456_789_012L)),
            CODEC.encode(new Response.PutDone(MD5)),
            CODEC.encode(new Response.Error(ErrorCode.NOT_FOUND, "'x' does not exist")),
            CODEC.encode(new Response.Error(ErrorCode.CHECKSUM_MISMATCH, "")));

    /** Pieces of JSON, valid and broken, to assemble into JSON-ish text. */
    static final List<String> JSON_TOKENS = List.of(
            "{",
            "}",
            "[",
            "]",
            ",",
            ":",
            "\"",
            "\\",
            " ",
            "\n",
            "\"op\"",
            "\"hello\"",
            "\"get\"",
            "\"put\"",
            "\"version\"",
            "\"path\"",
            "\"offset\"",
            "\"if_md5\"",
            "\"size\"",
            "\"md5\"",
            "\"status\"",
            "\"ok\"",
            "\"error\"",
            "\"code\"",
            "\"message\"",
            "\"name\"",
            "\"server\"",
            "\"NOT_FOUND\"",
            "\"BUSY\"",
            "\"ofset\"",
            "0",
            "1",
            "-1",
            "-0",
            "01",
            "1.5",
            "1e3",
            "1E400",
            "-1e-400",
            "2147483648",
            "9223372036854775807",
            "9223372036854775808",
            "99999999999999999999",
            "1" + "0".repeat(45),
            "NaN",
            "Infinity",
            "null",
            "true",
            "false",
            "nul",
            "tru",
            "\"a/b\"",
            "\"\"",
            "\"5d41402abc4b2a76b9719d911017c592\"",
            "\"5D41402ABC4B2A76B9719D911017C592\"",
            "\"\\ud800\"",
            "\"\\udc00\\ud800\"",
            "\"\\u0000\"",
            "\"\\u00e9\"",
            "\"\\x\"",
            "\"\\u12\"",
            "\"é\"",
            "é",
            "\uFEFF",
            "\u0000",
            "/*",
            "*/",
            "//",
            "'",
            "\"" + "p".repeat(5000) + "\"");

    private Fuzz() {}

    static String hex(byte[] input) {
        int shown = Math.min(input.length, 256);
        return HexFormat.of().formatHex(input, 0, shown)
                + (input.length > shown ? "... (" + input.length + " bytes)" : "");
    }

    /** Request decoding: a value that round-trips, or BAD_REQUEST. */
    static void decodeRequestOrRefuse(byte[] input) {
        Request decoded;
        try {
            decoded = CODEC.decodeRequest(input);
        } catch (ProtocolException e) {
            assertEquals(ErrorCode.BAD_REQUEST, e.code(), () -> "code for input " + hex(input));
            assertNotNull(e.getMessage());
            return;
        } catch (Throwable t) {
            throw new AssertionError("decodeRequest threw " + t + " for input " + hex(input), t);
        }
        assertNotNull(decoded, () -> "null request for input " + hex(input));
        try {
            assertEquals(
                    decoded,
                    CODEC.decodeRequest(CODEC.encode(decoded)),
                    () -> "re-encoding changed the request decoded from " + hex(input));
        } catch (ProtocolException e) {
            fail("an accepted request " + decoded + " does not decode after re-encoding: " + e.getMessage());
        }
    }

    /**
     * Response decoding for every expected type: a value that round-trips, or BAD_REQUEST. An
     * error, or a keepalive {@link Response.Wait}, may come whatever the request expects.
     */
    static void decodeResponseOrRefuse(byte[] input) {
        for (Class<? extends Response> expected : ALL_RESPONSE_TYPES) {
            Response decoded;
            try {
                decoded = CODEC.decodeResponse(input, expected);
            } catch (ProtocolException e) {
                assertEquals(ErrorCode.BAD_REQUEST, e.code(), () -> "code for input " + hex(input));
                continue;
            } catch (Throwable t) {
                throw new AssertionError(
                        "decodeResponse(" + expected.getSimpleName() + ") threw " + t + " for input " + hex(input), t);
            }
            assertNotNull(decoded);
            assertTrue(
                    decoded instanceof Response.Error
                            || decoded instanceof Response.Wait
                            || expected.isInstance(decoded),
                    () -> "expected " + expected.getSimpleName() + ", Error or Wait, got " + decoded);
            try {
                assertEquals(
                        decoded,
                        CODEC.decodeResponse(CODEC.encode(decoded), expected),
                        () -> "re-encoding changed the response decoded from " + hex(input));
            } catch (ProtocolException e) {
                fail("an accepted response " + decoded + " does not decode after re-encoding: " + e.getMessage());
            }
        }
    }

    /** Listing-item decoding: a value that round-trips, or BAD_REQUEST. */
    static void decodeListItemOrRefuse(byte[] input) {
        ListItem decoded;
        try {
            decoded = CODEC.decodeListItem(input);
        } catch (ProtocolException e) {
            assertEquals(ErrorCode.BAD_REQUEST, e.code(), () -> "code for input " + hex(input));
            return;
        } catch (Throwable t) {
            throw new AssertionError("decodeListItem threw " + t + " for input " + hex(input), t);
        }
        assertNotNull(decoded);
        try {
            assertEquals(
                    decoded,
                    CODEC.decodeListItem(CODEC.encode(decoded)),
                    () -> "re-encoding changed the listing item decoded from " + hex(input));
        } catch (ProtocolException e) {
            fail("an accepted listing item " + decoded + " does not decode after re-encoding: " + e.getMessage());
        }
    }

    /**
     * Every decoder on the same bytes, with no reference: what the Jazzer targets check, since
     * the fuzzer soon finds the fields added after the databind reference was frozen (keepalive_ms,
     * eager, mtime, mode, the newer limits), where the two codecs differ by design.
     */
    static void decodeAnyOrRefuse(byte[] input) {
        decodeRequestOrRefuse(input);
        decodeResponseOrRefuse(input);
        decodeListItemOrRefuse(input);
    }

    /** Both decoders on the same bytes, each also checked against the databind reference. */
    static void decodeOrRefuse(byte[] input) {
        decodeRequestOrRefuse(input);
        decodeResponseOrRefuse(input);
        sameAsDatabind(input);
    }

    static final DatabindHeaderCodec REFERENCE = new DatabindHeaderCodec();

    /** What a decoder made of an input: the value, or the refusal's code and message. */
    @FunctionalInterface
    interface Decoding {
        Object decode() throws ProtocolException;
    }

    static String outcome(Decoding d) {
        try {
            return "value " + d.decode();
        } catch (ProtocolException e) {
            return "refused " + e.code() + ": " + e.getMessage();
        } catch (Throwable t) {
            return "threw " + t;
        }
    }

    /**
     * The streaming codec decodes every input exactly as the databind one did: the same value,
     * or a refusal with the same code and message; and it encodes the result to the same bytes.
     */
    static void sameAsDatabind(byte[] input) {
        assertEquals(
                outcome(() -> REFERENCE.decodeRequest(input)),
                outcome(() -> CODEC.decodeRequest(input)),
                () -> "decodeRequest differs from databind's for input " + hex(input));
        for (Class<? extends Response> expected : List.of(
                Response.HelloOk.class,
                Response.GetOk.class,
                Response.PutReady.class,
                Response.PutDone.class,
                Response.Ok.class,
                Response.StatOk.class)) {
            assertEquals(
                    outcome(() -> REFERENCE.decodeResponse(input, expected)),
                    outcome(() -> CODEC.decodeResponse(input, expected)),
                    () -> "decodeResponse(" + expected.getSimpleName() + ") differs from databind's for input "
                            + hex(input));
        }
        assertEquals(
                outcome(() -> REFERENCE.decodeListItem(input)),
                outcome(() -> CODEC.decodeListItem(input)),
                () -> "decodeListItem differs from databind's for input " + hex(input));
        try {
            Request r = CODEC.decodeRequest(input);
            assertArrayEquals(REFERENCE.encode(r), CODEC.encode(r), () -> "encode(" + r + ") differs from databind's");
        } catch (ProtocolException refused) {
            // compared above
        }
        for (Class<? extends Response> expected : RESPONSE_TYPES) {
            try {
                Response r = CODEC.decodeResponse(input, expected);
                assertArrayEquals(
                        REFERENCE.encode(r), CODEC.encode(r), () -> "encode(" + r + ") differs from databind's");
            } catch (ProtocolException refused) {
                // compared above
            }
        }
        try {
            ListItem item = CODEC.decodeListItem(input);
            assertArrayEquals(
                    REFERENCE.encode(item), CODEC.encode(item), () -> "encode(" + item + ") differs from databind's");
        } catch (ProtocolException refused) {
            // compared above
        }
    }

    /**
     * Reads frames from {@code stream} until it ends or a frame is refused.
     *
     * @return how many frames were read
     */
    static int readFramesOrRefuse(byte[] stream, boolean trickle, boolean required) {
        return readFramesOrRefuse(stream, trickle, required, frame -> {});
    }

    /** As {@link #readFramesOrRefuse(byte[], boolean, boolean)}, handing each frame read to {@code frames}. */
    static int readFramesOrRefuse(byte[] stream, boolean trickle, boolean required, Consumer<byte[]> frames) {
        InputStream in = trickle ? new TrickleInputStream(stream) : new ByteArrayInputStream(stream);
        FrameReader reader = new FrameReader(in);
        int count = 0;
        long payloadBytes = 0;
        // Every frame consumes at least 5 bytes, so this bound is never what ends the loop.
        for (int i = 0; i <= stream.length / 5 + 1; i++) {
            byte[] frame;
            try {
                frame = required ? reader.readRequiredFrame() : reader.readFrame();
            } catch (ProtocolException e) {
                assertTrue(
                        e.code() == ErrorCode.BAD_REQUEST || e.code() == ErrorCode.HEADER_TOO_LARGE,
                        () -> "unexpected code " + e.code() + " for stream " + hex(stream));
                return count;
            } catch (EOFException e) {
                assertTrue(required, () -> "EOFException from readFrame for stream " + hex(stream));
                return count;
            } catch (Throwable t) {
                throw new AssertionError("FrameReader threw " + t + " for stream " + hex(stream), t);
            }
            if (frame == null) {
                assertTrue(!required, "readRequiredFrame returned null");
                return count;
            }
            assertTrue(
                    frame.length >= 1 && frame.length <= Protocol.MAX_FRAME_BYTES,
                    () -> "payload of " + frame.length + " bytes");
            count++;
            payloadBytes += frame.length;
            assertTrue(payloadBytes + 4L * count <= stream.length, "read more than the stream held");
            frames.accept(frame);
        }
        throw new AssertionError("FrameReader kept returning frames beyond the stream for " + hex(stream));
    }

    /** A mutation of a byte array: what to do, where, with which byte, how many bytes. */
    record Mutation(int kind, int position, int value, int length) {
        static final int KINDS = 7;

        byte[] apply(byte[] in) {
            int n = in.length;
            int pos = n == 0 ? 0 : Math.floorMod(position, n);
            byte[] out;
            switch (kind) {
                case 0 -> { // flip one bit
                    out = in.clone();
                    if (n > 0) {
                        out[pos] ^= (byte) (1 << (value & 7));
                    }
                }
                case 1 -> out = java.util.Arrays.copyOf(in, pos); // truncate
                case 2 -> { // insert bytes
                    byte[] insert = new byte[1 + length % 8];
                    java.util.Arrays.fill(insert, (byte) value);
                    out = Frames.concat(
                            java.util.Arrays.copyOf(in, pos), insert, java.util.Arrays.copyOfRange(in, pos, n));
                }
                case 3 -> { // delete a range
                    int end = Math.min(n, pos + 1 + length % 16);
                    out = Frames.concat(java.util.Arrays.copyOf(in, pos), java.util.Arrays.copyOfRange(in, end, n));
                }
                case 4 -> { // duplicate a range in place
                    int end = Math.min(n, pos + 1 + length % 32);
                    out = Frames.concat(java.util.Arrays.copyOf(in, end), java.util.Arrays.copyOfRange(in, pos, n));
                }
                case 5 -> { // overwrite one byte with a JSON-significant one
                    out = in.clone();
                    byte[] special = "{}[]\":,\\-.0e9nut ".getBytes(StandardCharsets.US_ASCII);
                    if (n > 0) {
                        out[pos] = special[Math.floorMod(value, special.length)];
                    }
                }
                default -> { // insert a JSON token
                    String token = JSON_TOKENS.get(Math.floorMod(value, JSON_TOKENS.size()));
                    out = Frames.concat(
                            java.util.Arrays.copyOf(in, pos),
                            token.getBytes(StandardCharsets.UTF_8),
                            java.util.Arrays.copyOfRange(in, pos, n));
                }
            }
            return out;
        }
    }

    static byte[] mutate(byte[] base, List<Mutation> mutations) {
        byte[] b = base;
        for (Mutation m : mutations) {
            b = m.apply(b);
        }
        return b;
    }
}
