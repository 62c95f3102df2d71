package ft.protocol;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Optional;
import java.util.Set;

/**
 * The UDP time service on the server's port: one datagram {@code {"op":"ping","pad":"..."}}
 * in, one datagram {@code {"status":"ok","version":1,"time":<epoch millis>}} out.
 *
 * <p>A server only answers a request at least as long as the reply, so a spoofed source
 * address can never turn it into an amplifier; clients therefore {@linkplain
 * Request#paddedTo pad} their requests. Decoding is as strict as {@link HeaderCodec}'s:
 * one JSON object in valid UTF-8, no duplicate keys, no nesting, no unknown request fields,
 * integers as JSON integers, at most {@link #MAX_DATAGRAM_BYTES} bytes.
 *
 * <p>All methods are thread-safe.
 */
public final class Ping {
    /** Largest datagram either side accepts, in bytes; anything longer is invalid. */
    public static final int MAX_DATAGRAM_BYTES = 512;

    private static final String OP = "ping";
    private static final String OK = "ok";
    private static final Set<String> REQUEST_FIELDS = Set.of("op", "pad");
    /** The datagram object is level 1; no valid message nests, so level 2 is already refused. */
    private static final int MAX_NESTING = 2;

    private static final ObjectMapper MAPPER = new ObjectMapper(JsonFactory.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(MAX_NESTING)
                            .maxStringLength(MAX_DATAGRAM_BYTES)
                            .maxNumberLength(40)
                            .build())
                    .build())
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);

    private Ping() {}

    /**
     * A ping request.
     *
     * @param pad filler that makes the datagram long enough to be answered; {@code null}
     *     leaves the field out. Its content carries no meaning.
     */
    public record Request(String pad) {
        /** Encoded size of a request with an empty pad: {@code {"op":"ping","pad":""}}. */
        private static final int EMPTY_PAD_BYTES = 22;

        /**
         * A request whose encoding is exactly {@code bytes} long, or the shortest possible
         * if that is less than 22 bytes.
         *
         * @throws IllegalArgumentException if {@code bytes} exceeds {@link #MAX_DATAGRAM_BYTES}
         */
        public static Request paddedTo(int bytes) {
            if (bytes > MAX_DATAGRAM_BYTES) {
                throw new IllegalArgumentException(
                        "a ping of " + bytes + " bytes exceeds the maximum of " + MAX_DATAGRAM_BYTES);
            }
            // One ASCII character is one byte and needs no JSON escape, so the length is exact.
            return new Request("x".repeat(Math.max(0, bytes - EMPTY_PAD_BYTES)));
        }
    }

    /**
     * The server's answer.
     *
     * @param version the protocol version the server speaks ({@link Protocol#VERSION})
     * @param time the server's wall clock when the request arrived, in milliseconds since the epoch
     */
    public record Reply(int version, long time) {}

    // ---------------------------------------------------------------- encoding

    /**
     * The datagram for {@code request}.
     *
     * @throws IllegalArgumentException if it would exceed {@link #MAX_DATAGRAM_BYTES}
     */
    public static byte[] encode(Request request) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("op", OP);
        if (request.pad() != null) {
            node.put("pad", request.pad());
        }
        return checkedSize(write(node));
    }

    /** The datagram for {@code reply}. */
    public static byte[] encode(Reply reply) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("status", OK);
        node.put("version", reply.version());
        node.put("time", reply.time());
        return checkedSize(write(node));
    }

    private static byte[] write(ObjectNode node) {
        try {
            return MAPPER.writeValueAsBytes(node);
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot serialise a ping datagram", e);
        }
    }

    private static byte[] checkedSize(byte[] datagram) {
        if (datagram.length > MAX_DATAGRAM_BYTES) {
            throw new IllegalArgumentException(
                    "ping datagram of " + datagram.length + " bytes exceeds the maximum of " + MAX_DATAGRAM_BYTES);
        }
        return datagram;
    }

    // ---------------------------------------------------------------- decoding

    /**
     * The request in the first {@code length} bytes of {@code datagram}, or empty if they are
     * anything but a valid ping request (a length out of the array's bounds included).
     * Never throws: a server drops what this refuses without a word.
     */
    public static Optional<Request> decodeRequest(byte[] datagram, int length) {
        try {
            ObjectNode node = parseObject(datagram, length);
            Iterator<String> names = node.fieldNames();
            while (names.hasNext()) {
                if (!REQUEST_FIELDS.contains(names.next())) {
                    return Optional.empty();
                }
            }
            if (!OP.equals(text(node, "op"))) {
                return Optional.empty();
            }
            return Optional.of(new Request(node.has("pad") ? text(node, "pad") : null));
        } catch (ProtocolException | RuntimeException e) {
            // RuntimeException is defensive: a parser surprise must not kill the receive loop.
            return Optional.empty();
        }
    }

    /**
     * The reply in the first {@code length} bytes of {@code datagram}. Unknown fields are
     * ignored, as in TCP responses, so that a newer server may add some.
     *
     * @throws ProtocolException ({@link ErrorCode#BAD_REQUEST}) if they are not a valid reply
     */
    public static Reply decodeReply(byte[] datagram, int length) throws ProtocolException {
        try {
            ObjectNode node = parseObject(datagram, length);
            String status = text(node, "status");
            if (!status.equals(OK)) {
                throw bad("unknown status '" + HeaderCodec.printable(status) + "'");
            }
            int version = (int) integer(node, "version", 0, Integer.MAX_VALUE);
            return new Reply(version, integer(node, "time", Long.MIN_VALUE, Long.MAX_VALUE));
        } catch (RuntimeException e) {
            // Defensive, as in HeaderCodec: only ProtocolException leaves the decoder.
            throw bad("ping reply could not be parsed");
        }
    }

    private static ObjectNode parseObject(byte[] datagram, int length) throws ProtocolException {
        if (length < 0 || length > datagram.length) {
            throw bad("length " + length + " is outside the datagram buffer");
        }
        if (length > MAX_DATAGRAM_BYTES) {
            throw bad("datagram of " + length + " bytes exceeds the maximum of " + MAX_DATAGRAM_BYTES);
        }
        String json;
        try {
            json = StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(datagram, 0, length))
                    .toString();
        } catch (CharacterCodingException e) {
            throw bad("datagram is not valid UTF-8");
        }
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (JacksonException e) {
            throw bad("datagram is not valid JSON");
        }
        if (node == null || !node.isObject()) {
            throw bad("datagram must be one JSON object");
        }
        return (ObjectNode) node;
    }

    private static String text(ObjectNode node, String field) throws ProtocolException {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual()) {
            throw bad("field '" + field + "' must be a string");
        }
        return value.textValue();
    }

    private static long integer(ObjectNode node, String field, long min, long max) throws ProtocolException {
        JsonNode value = node.get(field);
        if (value == null || !value.isIntegralNumber() || !value.canConvertToLong()) {
            throw bad("field '" + field + "' must be an integer");
        }
        long v = value.longValue();
        if (v < min || v > max) {
            throw bad("field '" + field + "' must be between " + min + " and " + max);
        }
        return v;
    }

    private static ProtocolException bad(String message) {
        return new ProtocolException(ErrorCode.BAD_REQUEST, message);
    }
}
