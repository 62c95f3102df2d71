package ft.protocol;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
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
import java.util.Set;

/**
 * The header codec as it was before it moved to Jackson's streaming API: databind's tree
 * model. Kept only as the reference the differential test compares {@link HeaderCodec} with.
 *
 * <p>Turns headers into JSON bytes and back.
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
 * <p>Instances are immutable and thread-safe.
 */
final class DatabindHeaderCodec {
    private static final int MAX_NESTING = 4;
    private static final String OK = "ok";

    private static final Set<String> HELLO_FIELDS = Set.of("op", "version", "token");
    private static final Set<String> GET_FIELDS = Set.of("op", "path", "offset", "if_md5");
    private static final Set<String> PUT_FIELDS = Set.of("op", "path", "size", "md5");
    private static final Set<String> STAT_FIELDS = Set.of("op", "path");
    private static final Set<String> LIST_FIELDS = Set.of("op", "path", "after", "limit");
    private static final Set<String> FIND_FIELDS = Set.of("op", "path", "pattern");
    private static final Set<String> RM_FIELDS = Set.of("op", "path", "recursive");
    private static final Set<String> MKDIR_FIELDS = Set.of("op", "path", "parents");
    private static final Set<String> MV_FIELDS = Set.of("op", "from", "to");
    /** Page size when a list request does not say. */
    public static final int DEFAULT_PAGE_ENTRIES = 1_000;

    private final ObjectMapper mapper;

    DatabindHeaderCodec() {
        JsonFactory factory = JsonFactory.builder()
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
        mapper = new ObjectMapper(factory)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.USE_BIG_INTEGER_FOR_INTS);
    }

    // ---------------------------------------------------------------- encoding

    public byte[] encode(Request request) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("op", request.op());
        switch (request) {
            case Request.Hello hello -> {
                node.put("version", hello.version());
                if (hello.token() != null) {
                    node.put("token", hello.token());
                }
            }
            case Request.Get get -> {
                node.put("path", get.path());
                node.put("offset", get.offset());
                if (get.ifMd5() != null) {
                    node.put("if_md5", get.ifMd5().hex());
                }
            }
            case Request.Put put -> {
                node.put("path", put.path());
                node.put("size", put.size());
                node.put("md5", put.md5().hex());
            }
            case Request.Stat stat -> node.put("path", stat.path());
            case Request.List list -> {
                node.put("path", list.path());
                if (list.after() != null) {
                    node.put("after", list.after());
                }
                node.put("limit", list.limit());
            }
            case Request.Find find -> {
                node.put("path", find.path());
                if (find.pattern() != null) {
                    node.put("pattern", find.pattern());
                }
            }
            case Request.Remove rm -> {
                node.put("path", rm.path());
                node.put("recursive", rm.recursive());
            }
            case Request.MakeDirectory mkdir -> {
                node.put("path", mkdir.path());
                node.put("parents", mkdir.parents());
            }
            case Request.Move mv -> {
                node.put("from", mv.from());
                node.put("to", mv.to());
            }
        }
        return write(node);
    }

    /** Encodes one frame of a list or find stream. */
    public byte[] encode(ListItem item) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        switch (item) {
            case ListItem.Entry e -> {
                node.put("path", e.path());
                node.put("type", e.type().wire());
                node.put("size", e.size());
                node.put("mtime", e.mtime());
            }
            case ListItem.End end -> {
                node.put("end", true);
                node.put("count", end.count());
                node.put("more", end.more());
                if (end.error() != null) {
                    node.put("code", end.error().code().name());
                    node.put("message", truncate(end.error().message()));
                }
            }
        }
        return write(node);
    }

    public byte[] encode(Response response) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        switch (response) {
            case Response.HelloOk hello -> {
                node.put("status", OK);
                node.put("version", hello.version());
                node.put("server", hello.server());
                if (hello.limits() != null) {
                    ObjectNode limits = node.putObject("limits");
                    limits.put("max_file_size", hello.limits().maxFileSize());
                    limits.put("free_space", hello.limits().freeSpace());
                    limits.put("read_only", hello.limits().readOnly());
                }
            }
            case Response.GetOk get -> {
                node.put("status", OK);
                node.put("name", get.name());
                node.put("size", get.size());
                node.put("md5", get.md5().hex());
                node.put("offset", get.offset());
            }
            case Response.PutReady ready -> {
                node.put("status", OK);
                node.put("offset", ready.offset());
            }
            case Response.PutDone done -> {
                node.put("status", OK);
                node.put("md5", done.md5().hex());
            }
            case Response.Ok ok -> node.put("status", OK);
            case Response.StatOk stat -> {
                node.put("status", OK);
                node.put("name", stat.name());
                node.put("type", stat.type().wire());
                node.put("size", stat.size());
                node.put("mtime", stat.mtime());
                if (stat.md5() != null) {
                    node.put("md5", stat.md5().hex());
                }
            }
            case Response.Error error -> {
                node.put("status", "error");
                node.put("code", error.code().name());
                node.put("message", truncate(error.message()));
            }
            // The reference predates wait frames; parity is checked on what it knew.
            case Response.Wait wait -> throw new UnsupportedOperationException("no wait frames in the reference");
        }
        return write(node);
    }

    private byte[] write(ObjectNode node) {
        try {
            return mapper.writeValueAsBytes(node);
        } catch (JacksonException e) {
            throw new IllegalStateException("cannot serialise a header", e);
        }
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
        ObjectNode node = parseObject(frame);
        String op = text(node, "op", 32);
        return switch (op) {
            case "hello" -> {
                onlyFields(node, HELLO_FIELDS, op);
                long version = integer(node, "version", 0, Integer.MAX_VALUE);
                String token = node.has("token") ? text(node, "token", Protocol.MAX_TOKEN_CHARS) : null;
                yield new Request.Hello((int) version, token);
            }
            case "get" -> {
                onlyFields(node, GET_FIELDS, op);
                String path = path(node);
                long offset = node.has("offset") ? integer(node, "offset", 0, Long.MAX_VALUE) : 0;
                Md5 ifMd5 = node.has("if_md5") ? md5(node, "if_md5") : null;
                yield new Request.Get(path, offset, ifMd5);
            }
            case "put" -> {
                onlyFields(node, PUT_FIELDS, op);
                yield new Request.Put(path(node), integer(node, "size", 0, Long.MAX_VALUE), md5(node, "md5"));
            }
            case "stat" -> {
                onlyFields(node, STAT_FIELDS, op);
                yield new Request.Stat(path(node));
            }
            case "list" -> {
                onlyFields(node, LIST_FIELDS, op);
                String after = node.has("after") ? text(node, "after", Protocol.MAX_PATH_BYTES) : null;
                long limit =
                        node.has("limit") ? integer(node, "limit", 1, Protocol.MAX_PAGE_ENTRIES) : DEFAULT_PAGE_ENTRIES;
                yield new Request.List(optionalPath(node, "path"), after, (int) limit);
            }
            case "find" -> {
                onlyFields(node, FIND_FIELDS, op);
                String pattern = node.has("pattern") ? text(node, "pattern", Protocol.MAX_PATTERN_CHARS) : null;
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

    // ---------------------------------------------------------------- responses

    /**
     * Decodes the answer to a request that expects {@code expected}; an error answer is
     * returned as {@link Response.Error} whatever was expected.
     */
    public Response decodeResponse(byte[] frame, Class<? extends Response> expected) throws ProtocolException {
        ObjectNode node = parseObject(frame);
        String status = text(node, "status", 16);
        if (status.equals("error")) {
            String code = text(node, "code", 64);
            String message = node.has("message") ? text(node, "message", Protocol.MAX_TEXT_CHARS) : "";
            return new Response.Error(ErrorCode.fromWire(code), message);
        }
        if (!status.equals(OK)) {
            throw bad("unknown status '" + printable(status) + "'");
        }
        try {
            if (expected == Response.HelloOk.class) {
                long version = integer(node, "version", 0, Integer.MAX_VALUE);
                String server = node.has("server") ? text(node, "server", 256) : "";
                Response.Limits limits = null;
                if (node.get("limits") instanceof ObjectNode l) {
                    limits = new Response.Limits(
                            integer(l, "max_file_size", 0, Long.MAX_VALUE),
                            integer(l, "free_space", 0, Long.MAX_VALUE),
                            flag(l, "read_only"));
                }
                return new Response.HelloOk((int) version, server, limits);
            }
            if (expected == Response.GetOk.class) {
                long size = integer(node, "size", 0, Long.MAX_VALUE);
                long offset = integer(node, "offset", 0, size);
                return new Response.GetOk(text(node, "name", Protocol.MAX_PATH_BYTES), size, md5(node, "md5"), offset);
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
                Md5 md5 = node.has("md5") ? md5(node, "md5") : null;
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
        ObjectNode node = parseObject(frame);
        try {
            if (node.has("end")) {
                if (!flag(node, "end")) {
                    throw bad("field 'end' must be true when present");
                }
                Response.Error error = null;
                if (node.has("code")) {
                    String message = node.has("message") ? text(node, "message", Protocol.MAX_TEXT_CHARS) : "";
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

    private ObjectNode parseObject(byte[] frame) throws ProtocolException {
        String json = strictUtf8(frame);
        JsonNode node;
        try {
            node = mapper.readTree(json);
        } catch (JacksonException e) {
            throw bad("header is not valid JSON: " + firstLine(e.getOriginalMessage()));
        } catch (RuntimeException e) {
            // Defensive: the contract is that only ProtocolException escapes the decoder.
            throw bad("header could not be parsed");
        }
        if (node == null || !node.isObject()) {
            throw bad("header must be one JSON object");
        }
        return (ObjectNode) node;
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

    private static void onlyFields(ObjectNode node, Set<String> allowed, String op) throws ProtocolException {
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!allowed.contains(name)) {
                throw bad("unknown field '" + printable(name) + "' in " + op + " request");
            }
        }
    }

    private static String text(ObjectNode node, String field, int maxChars) throws ProtocolException {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw bad("missing field '" + field + "'");
        }
        if (!value.isTextual()) {
            throw bad("field '" + field + "' must be a string");
        }
        String text = value.textValue();
        if (text.length() > maxChars) {
            throw bad("field '" + field + "' is longer than " + maxChars + " characters");
        }
        return text;
    }

    private static String path(ObjectNode node) throws ProtocolException {
        return path(node, "path");
    }

    private static String path(ObjectNode node, String field) throws ProtocolException {
        String path = optionalPath(node, field);
        if (path.isEmpty()) {
            throw bad("field '" + field + "' must not be empty");
        }
        return path;
    }

    /** A path that may be empty (meaning the served root) or absent (the same). */
    private static String optionalPath(ObjectNode node, String field) throws ProtocolException {
        if (!node.has(field)) {
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

    private static boolean flag(ObjectNode node, String field) throws ProtocolException {
        JsonNode value = node.get(field);
        if (value == null) {
            return false;
        }
        if (!value.isBoolean()) {
            throw bad("field '" + field + "' must be true or false");
        }
        return value.booleanValue();
    }

    private static long integer(ObjectNode node, String field, long min, long max) throws ProtocolException {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw bad("missing field '" + field + "'");
        }
        if (!value.isIntegralNumber()) {
            throw bad("field '" + field + "' must be an integer");
        }
        if (!value.canConvertToLong()) {
            throw bad("field '" + field + "' is out of range");
        }
        long v = value.longValue();
        if (v < min || v > max) {
            throw bad("field '" + field + "' must be between " + min + " and " + max);
        }
        return v;
    }

    private static Md5 md5(ObjectNode node, String field) throws ProtocolException {
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
        StringBuilder b = new StringBuilder(head.length());
        for (int i = 0; i < head.length(); i++) {
            char c = head.charAt(i);
            // Lone surrogates cannot be encoded into a UTF-8 message: replace them too.
            boolean lone = Character.isSurrogate(c)
                    && !(Character.isHighSurrogate(c)
                            && i + 1 < head.length()
                            && Character.isLowSurrogate(head.charAt(i + 1)))
                    && !(Character.isLowSurrogate(c) && i > 0 && Character.isHighSurrogate(head.charAt(i - 1)));
            // The rule of Printable, written out again so that the parity test checks it.
            boolean unsafe = c < 0x20
                    || (c >= 0x7f && c <= 0x9f)
                    || c == 0x2028
                    || c == 0x2029
                    || c == 0x061c
                    || c == 0x200e
                    || c == 0x200f
                    || (c >= 0x202a && c <= 0x202e)
                    || (c >= 0x2066 && c <= 0x2069);
            b.append(unsafe || lone ? '?' : c);
        }
        return s.length() > head.length() ? b + "..." : b.toString();
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "syntax error";
        }
        int nl = s.indexOf('\n');
        return printable(nl < 0 ? s : s.substring(0, nl));
    }
}
