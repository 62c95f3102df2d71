package ft.protocol;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns headers into JSON bytes and back.
 *
 * <p>Decoding is strict on purpose: a header either means exactly one thing or is refused
 * with {@link ErrorCode#BAD_REQUEST}. Duplicate keys, numbers written as strings or
 * fractions, unknown ops, unknown request fields, values out of range, deep nesting and
 * invalid UTF-8 are all refused; nothing but {@link ProtocolException} escapes.
 *
 * <p>Requests reject unknown fields because a misspelt {@code "ofset"} silently ignored
 * would restart a download from zero. Responses ignore unknown fields so that a newer
 * server may add information (limits, capabilities) without breaking older clients.
 *
 * <p>Only Jackson's streaming API is used (no databind, whose set-up was a large part of a
 * client's start-up): a header is read into a small tree of maps, lists, strings, booleans,
 * {@link BigInteger}s, fractions and nulls, exactly the tree databind's {@code readTree} built
 * with the same parser settings, and then checked as before.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class HeaderCodec {
    private static final int MAX_NESTING = 4;
    private static final String OK = "ok";
    private static final String WAIT = "wait";

    private static final Set<String> HELLO_FIELDS = Set.of("op", "version", "token");
    private static final Set<String> GET_FIELDS = Set.of("op", "path", "offset", "if_md5", "keepalive_ms");
    private static final Set<String> PUT_FIELDS = Set.of("op", "path", "size", "md5", "eager", "mtime", "mode");
    private static final Set<String> STAT_FIELDS = Set.of("op", "path", "keepalive_ms");
    private static final Set<String> LIST_FIELDS = Set.of("op", "path", "after", "limit");
    private static final Set<String> FIND_FIELDS = Set.of("op", "path", "pattern");
    private static final Set<String> RM_FIELDS = Set.of("op", "path", "recursive");
    private static final Set<String> MKDIR_FIELDS = Set.of("op", "path", "parents");
    private static final Set<String> MV_FIELDS = Set.of("op", "from", "to");
    /** Page size when a list request does not say. */
    public static final int DEFAULT_PAGE_ENTRIES = 1_000;

    /** JSON {@code null} in a decoded header (maps hold no Java nulls). */
    private static final Object NULL = new Object();
    /** A number with a fraction or exponent: never an integer, whatever its value. */
    private static final Object FRACTION = new Object();
    /** What databind said of a second value after the header (FAIL_ON_TRAILING_TOKENS), kept word for word. */
    private static final String TRAILING = "Trailing token (of type %s) found after value (bound as "
            + "`com.fasterxml.jackson.databind.JsonNode`): not allowed as per "
            + "`DeserializationFeature.FAIL_ON_TRAILING_TOKENS`";

    private final JsonFactory factory;

    public HeaderCodec() {
        factory = JsonFactory.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_NESTING)
                        .maxStringLength(Protocol.MAX_FRAME_BYTES)
                        .maxNumberLength(40)
                        .build())
                // Jackson's default pool keeps buffers per thread; a server has a virtual thread per
                // connection, so each idle connection held ~25 KB of parser buffers. A shared pool
                // hands the same few buffers to whichever thread is decoding.
                .recyclerPool(JsonRecyclerPools.sharedConcurrentDequePool())
                .build();
    }

    /** Writes one header object; {@code fields} adds its members. */
    private interface Fields {
        void write(JsonGenerator g) throws IOException;
    }

    private byte[] object(Fields fields) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128);
        try (JsonGenerator g = factory.createGenerator(bytes, JsonEncoding.UTF8)) {
            g.writeStartObject();
            fields.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("cannot serialise a header", e);
        }
        return bytes.toByteArray();
    }

    // ---------------------------------------------------------------- encoding

    /*
     * An instanceof chain, not a pattern switch: a switch over the sealed type makes the JDK
     * spin up a class (SwitchBootstraps.typeSwitch) on its first use in each process, which
     * the start-up archive does not keep, and every ft command starts by encoding a request.
     * HeaderCodecTest encodes one request of every permitted type.
     */
    public byte[] encode(Request request) {
        return object(g -> {
            g.writeStringField("op", request.op());
            if (request instanceof Request.Hello hello) {
                g.writeNumberField("version", hello.version());
                writeIfPresent(g, "token", hello.token());
            } else if (request instanceof Request.Get get) {
                g.writeStringField("path", get.path());
                g.writeNumberField("offset", get.offset());
                if (get.ifMd5() != null) {
                    g.writeStringField("if_md5", get.ifMd5().hex());
                }
                writeKeepalive(g, get.keepaliveMs());
            } else if (request instanceof Request.Put put) {
                g.writeStringField("path", put.path());
                g.writeNumberField("size", put.size());
                g.writeStringField("md5", put.md5().hex());
                if (put.eager()) {
                    g.writeBooleanField("eager", true);
                }
                writeAttributes(g, put.attributes());
            } else if (request instanceof Request.Stat stat) {
                g.writeStringField("path", stat.path());
                writeKeepalive(g, stat.keepaliveMs());
            } else if (request instanceof Request.List list) {
                g.writeStringField("path", list.path());
                writeIfPresent(g, "after", list.after());
                g.writeNumberField("limit", list.limit());
            } else if (request instanceof Request.Find find) {
                g.writeStringField("path", find.path());
                writeIfPresent(g, "pattern", find.pattern());
            } else if (request instanceof Request.Remove rm) {
                g.writeStringField("path", rm.path());
                g.writeBooleanField("recursive", rm.recursive());
            } else if (request instanceof Request.MakeDirectory mkdir) {
                g.writeStringField("path", mkdir.path());
                g.writeBooleanField("parents", mkdir.parents());
            } else if (request instanceof Request.Move mv) {
                g.writeStringField("from", mv.from());
                g.writeStringField("to", mv.to());
            } else {
                throw new IllegalArgumentException(
                        "no encoding for " + request.getClass().getName());
            }
        });
    }

    /** Encodes one frame of a list or find stream. */
    public byte[] encode(ListItem item) {
        return object(g -> {
            switch (item) {
                case ListItem.Entry e -> {
                    g.writeStringField("path", e.path());
                    g.writeStringField("type", e.type().wire());
                    g.writeNumberField("size", e.size());
                    g.writeNumberField("mtime", e.mtime());
                }
                case ListItem.End end -> {
                    g.writeBooleanField("end", true);
                    g.writeNumberField("count", end.count());
                    g.writeBooleanField("more", end.more());
                    if (end.error() != null) {
                        g.writeStringField("code", end.error().code().name());
                        g.writeStringField("message", truncate(end.error().message()));
                    }
                }
            }
        });
    }

    public byte[] encode(Response response) {
        return object(g -> {
            switch (response) {
                case Response.HelloOk hello -> {
                    g.writeStringField("status", OK);
                    g.writeNumberField("version", hello.version());
                    g.writeStringField("server", hello.server());
                    if (hello.limits() != null) {
                        g.writeObjectFieldStart("limits");
                        g.writeNumberField("max_file_size", hello.limits().maxFileSize());
                        g.writeNumberField("free_space", hello.limits().freeSpace());
                        g.writeBooleanField("read_only", hello.limits().readOnly());
                        if (hello.limits().eagerPut()) {
                            g.writeBooleanField("eager_put", true);
                        }
                        if (hello.limits().keepalive()) {
                            g.writeBooleanField("keepalive", true);
                        }
                        if (hello.limits().preserve()) {
                            g.writeBooleanField("preserve", true);
                        }
                        if (hello.limits().pipeline()) {
                            g.writeBooleanField("pipeline", true);
                        }
                        g.writeEndObject();
                    }
                }
                case Response.GetOk get -> {
                    g.writeStringField("status", OK);
                    g.writeStringField("name", get.name());
                    g.writeNumberField("size", get.size());
                    g.writeStringField("md5", get.md5().hex());
                    g.writeNumberField("offset", get.offset());
                    writeAttributes(g, get.attributes());
                }
                case Response.PutReady ready -> {
                    g.writeStringField("status", OK);
                    g.writeNumberField("offset", ready.offset());
                }
                case Response.PutDone done -> {
                    g.writeStringField("status", OK);
                    g.writeStringField("md5", done.md5().hex());
                }
                case Response.Ok ok -> g.writeStringField("status", OK);
                case Response.StatOk stat -> {
                    g.writeStringField("status", OK);
                    g.writeStringField("name", stat.name());
                    g.writeStringField("type", stat.type().wire());
                    g.writeNumberField("size", stat.size());
                    g.writeNumberField("mtime", stat.mtime());
                    if (stat.md5() != null) {
                        g.writeStringField("md5", stat.md5().hex());
                    }
                }
                case Response.Wait wait -> {
                    g.writeStringField("status", WAIT);
                    g.writeNumberField("done", wait.done());
                    g.writeNumberField("total", wait.total());
                }
                case Response.Error error -> {
                    g.writeStringField("status", "error");
                    g.writeStringField("code", error.code().name());
                    g.writeStringField("message", truncate(error.message()));
                }
            }
        });
    }

    /** An optional string field: left out, not written as null, when there is none. */
    private static void writeIfPresent(JsonGenerator g, String name, String value) throws IOException {
        if (value != null) {
            g.writeStringField(name, value);
        }
    }

    /** {@code keepalive_ms}, only when keepalives are asked for. */
    private static void writeKeepalive(JsonGenerator g, int keepaliveMs) throws IOException {
        if (keepaliveMs > 0) {
            g.writeNumberField("keepalive_ms", keepaliveMs);
        }
    }

    private static void writeAttributes(JsonGenerator g, FileAttributes attributes) throws IOException {
        if (attributes != null) {
            g.writeNumberField("mtime", attributes.mtime());
            if (attributes.mode() != null) {
                g.writeNumberField("mode", attributes.mode());
            }
        }
    }

    /** {@code mtime}, optionally with {@code mode}; a {@code mode} without {@code mtime} is refused. */
    private static FileAttributes attributes(Map<String, Object> node) throws ProtocolException {
        if (!node.containsKey("mtime")) {
            if (node.containsKey("mode")) {
                throw bad("field 'mode' comes only with 'mtime'");
            }
            return null;
        }
        long mtime = integer(node, "mtime", Long.MIN_VALUE, Long.MAX_VALUE);
        Integer mode = node.containsKey("mode") ? (int) integer(node, "mode", 0, FileAttributes.PERMISSION_BITS) : null;
        return new FileAttributes(mtime, mode);
    }

    private static String truncate(String message) {
        String m = message == null ? "" : message;
        return m.length() <= Protocol.MAX_TEXT_CHARS ? m : cut(m, Protocol.MAX_TEXT_CHARS);
    }

    /** The first {@code max} chars, one fewer if that would split a surrogate pair. */
    static String cut(String s, int max) {
        if (s.length() <= max) {
            return s;
        }
        int end = Character.isHighSurrogate(s.charAt(max - 1)) ? max - 1 : max;
        return s.substring(0, end);
    }

    // ---------------------------------------------------------------- requests

    /** Decodes a request header; anything not exactly right is a {@link ProtocolException}. */
    public Request decodeRequest(byte[] frame) throws ProtocolException {
        Map<String, Object> node = parseObject(frame);
        String op = text(node, "op", 32);
        return switch (op) {
            case "hello" -> {
                onlyFields(node, HELLO_FIELDS, op);
                long version = integer(node, "version", 0, Integer.MAX_VALUE);
                String token = node.containsKey("token") ? text(node, "token", Protocol.MAX_TOKEN_CHARS) : null;
                yield new Request.Hello((int) version, token);
            }
            case "get" -> {
                onlyFields(node, GET_FIELDS, op);
                String path = path(node);
                long offset = node.containsKey("offset") ? integer(node, "offset", 0, Long.MAX_VALUE) : 0;
                Md5 ifMd5 = node.containsKey("if_md5") ? md5(node, "if_md5") : null;
                yield new Request.Get(path, offset, ifMd5, keepalive(node));
            }
            case "put" -> {
                onlyFields(node, PUT_FIELDS, op);
                // Fields are checked in the order they always were, so a refusal names the same one.
                String path = path(node);
                boolean eager = flag(node, "eager");
                long size = integer(node, "size", 0, eager ? Protocol.MAX_EAGER_PUT_BYTES : Long.MAX_VALUE);
                Md5 md5 = md5(node, "md5");
                yield new Request.Put(path, size, md5, eager, attributes(node));
            }
            case "stat" -> {
                onlyFields(node, STAT_FIELDS, op);
                yield new Request.Stat(path(node), keepalive(node));
            }
            case "list" -> {
                onlyFields(node, LIST_FIELDS, op);
                String after = node.containsKey("after") ? text(node, "after", Protocol.MAX_PATH_BYTES) : null;
                long limit = node.containsKey("limit")
                        ? integer(node, "limit", 1, Protocol.MAX_PAGE_ENTRIES)
                        : DEFAULT_PAGE_ENTRIES;
                yield new Request.List(optionalPath(node, "path"), after, (int) limit);
            }
            case "find" -> {
                onlyFields(node, FIND_FIELDS, op);
                String pattern = node.containsKey("pattern") ? text(node, "pattern", Protocol.MAX_PATTERN_CHARS) : null;
                if (pattern != null && !Protocol.isWellFormedUnicode(pattern)) {
                    throw bad("field 'pattern' is not valid Unicode (unpaired surrogate)");
                }
                yield new Request.Find(optionalPath(node, "path"), pattern);
            }
            case "rm" -> {
                onlyFields(node, RM_FIELDS, op);
                yield new Request.Remove(path(node), flag(node, "recursive"));
            }
            case "mkdir" -> {
                onlyFields(node, MKDIR_FIELDS, op);
                yield new Request.MakeDirectory(path(node), flag(node, "parents"));
            }
            case "mv" -> {
                onlyFields(node, MV_FIELDS, op);
                yield new Request.Move(path(node, "from"), path(node, "to"));
            }
            default -> throw bad("unknown op '" + printable(op) + "'");
        };
    }

    private static int keepalive(Map<String, Object> node) throws ProtocolException {
        return node.containsKey("keepalive_ms")
                ? (int) integer(node, "keepalive_ms", Protocol.MIN_KEEPALIVE_MS, Protocol.MAX_KEEPALIVE_MS)
                : 0;
    }

    // ---------------------------------------------------------------- responses

    /**
     * Decodes the answer to a request that expects {@code expected}; an error answer is
     * returned as {@link Response.Error} whatever was expected.
     */
    public Response decodeResponse(byte[] frame, Class<? extends Response> expected) throws ProtocolException {
        Map<String, Object> node = parseObject(frame);
        String status = text(node, "status", 16);
        if (status.equals("error")) {
            String code = text(node, "code", 64);
            String message = node.containsKey("message") ? text(node, "message", Protocol.MAX_TEXT_CHARS) : "";
            return new Response.Error(ErrorCode.fromWire(code), message);
        }
        try {
            if (status.equals(WAIT)) {
                long total = integer(node, "total", 0, Long.MAX_VALUE);
                return new Response.Wait(integer(node, "done", 0, total), total);
            }
            if (!status.equals(OK)) {
                throw bad("unknown status '" + printable(status) + "'");
            }
            if (expected == Response.HelloOk.class) {
                long version = integer(node, "version", 0, Integer.MAX_VALUE);
                String server = node.containsKey("server") ? text(node, "server", 256) : "";
                Response.Limits limits = null;
                if (node.get("limits") instanceof Map<?, ?> l) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> m = (Map<String, Object>) l;
                    limits = new Response.Limits(
                            integer(m, "max_file_size", 0, Long.MAX_VALUE),
                            integer(m, "free_space", 0, Long.MAX_VALUE),
                            flag(m, "read_only"),
                            flag(m, "eager_put"),
                            flag(m, "keepalive"),
                            flag(m, "preserve"),
                            flag(m, "pipeline"));
                }
                return new Response.HelloOk((int) version, server, limits);
            }
            if (expected == Response.GetOk.class) {
                long size = integer(node, "size", 0, Long.MAX_VALUE);
                long offset = integer(node, "offset", 0, size);
                return new Response.GetOk(
                        text(node, "name", Protocol.MAX_PATH_BYTES), size, md5(node, "md5"), offset, attributes(node));
            }
            if (expected == Response.PutReady.class) {
                return new Response.PutReady(integer(node, "offset", 0, Long.MAX_VALUE));
            }
            if (expected == Response.PutDone.class) {
                return new Response.PutDone(md5(node, "md5"));
            }
            if (expected == Response.Ok.class) {
                return new Response.Ok();
            }
            if (expected == Response.StatOk.class) {
                Md5 md5 = node.containsKey("md5") ? md5(node, "md5") : null;
                return new Response.StatOk(
                        text(node, "name", Protocol.MAX_PATH_BYTES),
                        EntryType.fromWire(text(node, "type", 16)),
                        integer(node, "size", 0, Long.MAX_VALUE),
                        integer(node, "mtime", Long.MIN_VALUE, Long.MAX_VALUE),
                        md5);
            }
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
        throw new IllegalArgumentException("not a response type: " + expected);
    }

    /** Decodes one frame of a list or find stream. */
    public ListItem decodeListItem(byte[] frame) throws ProtocolException {
        Map<String, Object> node = parseObject(frame);
        try {
            if (node.containsKey("end")) {
                if (!flag(node, "end")) {
                    throw bad("field 'end' must be true when present");
                }
                Response.Error error = null;
                if (node.containsKey("code")) {
                    String message = node.containsKey("message") ? text(node, "message", Protocol.MAX_TEXT_CHARS) : "";
                    error = new Response.Error(ErrorCode.fromWire(text(node, "code", 64)), message);
                }
                return new ListItem.End(integer(node, "count", 0, Long.MAX_VALUE), flag(node, "more"), error);
            }
            return new ListItem.Entry(
                    text(node, "path", Protocol.MAX_PATH_BYTES),
                    EntryType.fromWire(text(node, "type", 16)),
                    integer(node, "size", 0, Long.MAX_VALUE),
                    integer(node, "mtime", Long.MIN_VALUE, Long.MAX_VALUE));
        } catch (IllegalArgumentException e) {
            throw bad(e.getMessage());
        }
    }

    // ---------------------------------------------------------------- helpers

    private Map<String, Object> parseObject(byte[] frame) throws ProtocolException {
        String json = strictUtf8(frame);
        Object value;
        try (JsonParser p = factory.createParser(json)) {
            JsonToken first = p.nextToken();
            value = first == null ? null : value(p, first);
            if (value != null) {
                JsonToken trailing = p.nextToken();
                if (trailing != null) {
                    throw bad("header is not valid JSON: " + firstLine(String.format(TRAILING, trailing)));
                }
            }
        } catch (JacksonException e) {
            throw bad("header is not valid JSON: " + firstLine(e.getOriginalMessage()));
        } catch (IOException | RuntimeException e) {
            // Defensive: the contract is that only ProtocolException escapes the decoder.
            throw bad("header could not be parsed");
        }
        if (!(value instanceof Map<?, ?>)) {
            throw bad("header must be one JSON object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> object = (Map<String, Object>) value;
        return object;
    }

    /** The value starting at {@code token}, read whole, as databind's tree reader reads it. */
    private static Object value(JsonParser p, JsonToken token) throws IOException {
        return switch (token) {
            case START_OBJECT -> {
                // nextFieldName, as databind reads objects: the parser words some errors differently
                // when it reads a member's value ahead with its name.
                Map<String, Object> object = new LinkedHashMap<>();
                for (String name = p.nextFieldName(); name != null; name = p.nextFieldName()) {
                    object.put(name, value(p, p.nextToken()));
                }
                if (p.currentToken() != JsonToken.END_OBJECT) {
                    throw new IllegalStateException("unexpected token " + p.currentToken());
                }
                yield object;
            }
            case START_ARRAY -> {
                List<Object> array = new ArrayList<>();
                for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken()) {
                    array.add(value(p, t));
                }
                yield array;
            }
            case VALUE_STRING -> p.getText();
            case VALUE_NUMBER_INT -> p.getBigIntegerValue();
            case VALUE_NUMBER_FLOAT -> {
                // Read as databind does (a double, or a BigDecimal when the parser says so), for the same failures.
                if (p.getNumberType() == JsonParser.NumberType.BIG_DECIMAL) {
                    p.getDecimalValue();
                } else {
                    p.getDoubleValue();
                }
                yield FRACTION;
            }
            case VALUE_TRUE -> Boolean.TRUE;
            case VALUE_FALSE -> Boolean.FALSE;
            case VALUE_NULL -> NULL;
            default -> throw new IllegalStateException("unexpected token " + token);
        };
    }

    private static String strictUtf8(byte[] frame) throws ProtocolException {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(frame))
                    .toString();
        } catch (CharacterCodingException e) {
            throw bad("header is not valid UTF-8");
        }
    }

    private static void onlyFields(Map<String, Object> node, Set<String> allowed, String op) throws ProtocolException {
        for (String name : node.keySet()) {
            if (!allowed.contains(name)) {
                throw bad("unknown field '" + printable(name) + "' in " + op + " request");
            }
        }
    }

    private static String text(Map<String, Object> node, String field, int maxChars) throws ProtocolException {
        Object value = node.get(field);
        if (value == null || value == NULL) {
            throw bad("missing field '" + field + "'");
        }
        if (!(value instanceof String text)) {
            throw bad("field '" + field + "' must be a string");
        }
        if (text.length() > maxChars) {
            throw bad("field '" + field + "' is longer than " + maxChars + " characters");
        }
        return text;
    }

    private static String path(Map<String, Object> node) throws ProtocolException {
        return path(node, "path");
    }

    private static String path(Map<String, Object> node, String field) throws ProtocolException {
        String path = optionalPath(node, field);
        if (path.isEmpty()) {
            throw bad("field '" + field + "' must not be empty");
        }
        return path;
    }

    /** A path that may be empty (meaning the served root) or absent (the same). */
    private static String optionalPath(Map<String, Object> node, String field) throws ProtocolException {
        if (!node.containsKey(field)) {
            return "";
        }
        String path = text(node, field, Protocol.MAX_PATH_BYTES);
        if (!Protocol.isWellFormedUnicode(path)) {
            // A lone surrogate from a "\ud800" escape has no UTF-8 form; file systems would
            // each mangle it differently, so it never reaches one.
            throw bad("field '" + field + "' is not valid Unicode (unpaired surrogate)");
        }
        if (path.getBytes(StandardCharsets.UTF_8).length > Protocol.MAX_PATH_BYTES) {
            throw bad("field '" + field + "' is longer than " + Protocol.MAX_PATH_BYTES + " bytes");
        }
        return path;
    }

    private static boolean flag(Map<String, Object> node, String field) throws ProtocolException {
        Object value = node.get(field);
        if (value == null) {
            return false;
        }
        if (!(value instanceof Boolean b)) {
            throw bad("field '" + field + "' must be true or false");
        }
        return b;
    }

    private static final BigInteger LONG_MIN = BigInteger.valueOf(Long.MIN_VALUE);
    private static final BigInteger LONG_MAX = BigInteger.valueOf(Long.MAX_VALUE);

    private static long integer(Map<String, Object> node, String field, long min, long max) throws ProtocolException {
        Object value = node.get(field);
        if (value == null || value == NULL) {
            throw bad("missing field '" + field + "'");
        }
        if (!(value instanceof BigInteger big)) {
            throw bad("field '" + field + "' must be an integer");
        }
        if (big.compareTo(LONG_MIN) < 0 || big.compareTo(LONG_MAX) > 0) {
            throw bad("field '" + field + "' is out of range");
        }
        long v = big.longValue();
        if (v < min || v > max) {
            throw bad("field '" + field + "' must be between " + min + " and " + max);
        }
        return v;
    }

    private static Md5 md5(Map<String, Object> node, String field) throws ProtocolException {
        String hex = text(node, field, 64);
        if (!Md5.isValid(hex)) {
            throw bad("field '" + field + "' must be 32 hexadecimal characters");
        }
        return new Md5(hex);
    }

    private static ProtocolException bad(String message) {
        return new ProtocolException(ErrorCode.BAD_REQUEST, message);
    }

    /** Echoing attacker-controlled text into messages and logs is kept short and printable. */
    static String printable(String s) {
        String head = cut(s, 64);
        // Controls, line and paragraph separators, bidi controls and lone surrogates (which
        // cannot be encoded into a UTF-8 message) become '?': see Printable.
        String b = Printable.replaced(head, head.length());
        return s.length() > head.length() ? b + "..." : b;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "syntax error";
        }
        int nl = s.indexOf('\n');
        return printable(nl < 0 ? s : s.substring(0, nl));
    }
}
