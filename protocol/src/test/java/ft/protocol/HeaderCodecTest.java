package ft.protocol;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class HeaderCodecTest {
    private static final HeaderCodec CODEC = new HeaderCodec();
    private static final String HELLO_MD5 = "5d41402abc4b2a76b9719d911017c592";
    private static final Md5 MD5 = new Md5(HELLO_MD5);
    private static final List<Class<? extends Response>> RESPONSE_TYPES =
            List.of(Response.HelloOk.class, Response.GetOk.class, Response.PutReady.class, Response.PutDone.class);

    private static byte[] utf8(String s) {
        return s.getBytes(UTF_8);
    }

    private static String json(byte[] b) {
        return new String(b, UTF_8);
    }

    private static ProtocolException refusedRequest(byte[] frame) {
        return assertThrows(
                ProtocolException.class,
                () -> CODEC.decodeRequest(frame),
                () -> "decodeRequest should refuse " + json(frame));
    }

    private static ProtocolException refusedResponse(String frame, Class<? extends Response> expected) {
        return assertThrows(
                ProtocolException.class,
                () -> CODEC.decodeResponse(utf8(frame), expected),
                () -> "decodeResponse should refuse " + frame);
    }

    // ================================================================ round trips

    static Stream<Named<Request>> requests() {
        return Stream.of(
                Named.of("hello v1", new Request.Hello(1)),
                Named.of("hello v0", new Request.Hello(0)),
                Named.of("hello max int", new Request.Hello(Integer.MAX_VALUE)),
                Named.of("get whole file", new Request.Get("dir/a.txt", 0)),
                Named.of("get with if_md5", new Request.Get("dir/a.txt", 3, MD5)),
                Named.of("get offset 5e9", new Request.Get("big.iso", 5_000_000_000L)),
                Named.of("get offset 5e9 with if_md5", new Request.Get("big.iso", 5_000_000_000L, MD5)),
                Named.of("get offset Long.MAX_VALUE", new Request.Get("big.iso", Long.MAX_VALUE, MD5)),
                Named.of("get non-ASCII path", new Request.Get("répertoire/日本語/ü.txt", 0)),
                Named.of("get path with quotes and backslash", new Request.Get("a\"b\\c", 0)),
                Named.of("get path of 4096 bytes", new Request.Get("p".repeat(Protocol.MAX_PATH_BYTES), 0)),
                Named.of("put empty file", new Request.Put("empty", 0, new Md5("d41d8cd98f00b204e9800998ecf8427e"))),
                Named.of("put 5 bytes", new Request.Put("dir/hello.txt", 5, MD5)),
                Named.of("put size 5e9", new Request.Put("dir/big.iso", 5_000_000_000L, MD5)),
                Named.of("put size Long.MAX_VALUE", new Request.Put("dir/big.iso", Long.MAX_VALUE, MD5)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("requests")
    void everyRequestSurvivesEncodeThenDecode(Request request) throws Exception {
        assertEquals(request, CODEC.decodeRequest(CODEC.encode(request)));
    }

    /** One request of every type Request permits: encode has a branch for each (no switch checks that). */
    @Test
    void everyTypeOfRequestSurvivesEncodeThenDecode() throws Exception {
        List<Request> samples = List.of(
                new Request.Hello(1),
                new Request.Get("a", 1, MD5),
                new Request.Put("a", 5, MD5),
                new Request.Stat("a"),
                new Request.List("", "b", 10),
                new Request.Find("d", "*.bin"),
                new Request.Remove("a", true),
                new Request.MakeDirectory("d/e", true),
                new Request.Move("a", "b"));
        assertEquals(
                java.util.Set.of(Request.class.getPermittedSubclasses()),
                samples.stream().map(Object::getClass).collect(java.util.stream.Collectors.toSet()));
        for (Request request : samples) {
            assertEquals(request, CODEC.decodeRequest(CODEC.encode(request)));
        }
    }

    static Stream<Named<Response>> responses() {
        List<Named<Response>> list = new ArrayList<>(List.of(
                Named.of("hello ok", new Response.HelloOk(1, "ft/0.1.0")),
                Named.of("hello ok, empty server", new Response.HelloOk(1, "")),
                Named.of("get ok whole 5-byte file", new Response.GetOk("hello.txt", 5, MD5, 0)),
                Named.of("get ok empty file", new Response.GetOk("empty", 0, MD5, 0)),
                Named.of("get ok offset == size", new Response.GetOk("a", 10, MD5, 10)),
                Named.of("get ok size 5e9", new Response.GetOk("big.iso", 5_000_000_000L, MD5, 4_999_999_999L)),
                Named.of(
                        "get ok size Long.MAX_VALUE",
                        new Response.GetOk("big.iso", Long.MAX_VALUE, MD5, Long.MAX_VALUE - 1)),
                Named.of("get ok non-ASCII name", new Response.GetOk("日本語.txt", 1, MD5, 0)),
                Named.of("put ready 0", new Response.PutReady(0)),
                Named.of("put ready 5e9", new Response.PutReady(5_000_000_000L)),
                Named.of("put ready Long.MAX_VALUE", new Response.PutReady(Long.MAX_VALUE)),
                Named.of("put done", new Response.PutDone(MD5))));
        for (ErrorCode code : ErrorCode.values()) {
            list.add(Named.of("error " + code, new Response.Error(code, "message for " + code + " «ü»")));
        }
        list.add(Named.of("error with empty message", new Response.Error(ErrorCode.BUSY, "")));
        return list.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("responses")
    void everyResponseSurvivesEncodeThenDecode(Response response) throws Exception {
        Class<? extends Response> expected =
                response instanceof Response.Error ? Response.GetOk.class : response.getClass();
        assertEquals(response, CODEC.decodeResponse(CODEC.encode(response), expected));
    }

    @Test
    void md5InUppercaseIsNormalisedToLowercaseOnTheWire() throws Exception {
        Request.Put put = new Request.Put("a", 1, new Md5(HELLO_MD5.toUpperCase()));
        assertEquals(
                "{\"op\":\"put\",\"path\":\"a\",\"size\":1,\"md5\":\"" + HELLO_MD5 + "\"}", json(CODEC.encode(put)));
        Request decoded = CODEC.decodeRequest(
                utf8("{\"op\":\"put\",\"path\":\"a\",\"size\":1,\"md5\":\"" + HELLO_MD5.toUpperCase() + "\"}"));
        assertEquals(put, decoded);
        assertEquals(HELLO_MD5, ((Request.Put) decoded).md5().hex());
    }

    @Test
    void errorMessageLongerThanTheTextLimitIsTruncatedWhenEncoded() throws Exception {
        String longMessage = "x".repeat(Protocol.MAX_TEXT_CHARS + 100);
        Response decoded = CODEC.decodeResponse(
                CODEC.encode(new Response.Error(ErrorCode.INTERNAL, longMessage)), Response.PutDone.class);
        assertEquals(new Response.Error(ErrorCode.INTERNAL, "x".repeat(Protocol.MAX_TEXT_CHARS)), decoded);
    }

    @Test
    void nullErrorMessageIsEncodedAsEmptyString() throws Exception {
        assertEquals(
                "{\"status\":\"error\",\"code\":\"BUSY\",\"message\":\"\"}",
                json(CODEC.encode(new Response.Error(ErrorCode.BUSY, null))));
    }

    @Test
    void refusesPathWithUnpairedSurrogateEscape() {
        ProtocolException e = refusedRequest(utf8("{\"op\":\"get\",\"path\":\"a\\ud800b\",\"offset\":0}"));
        assertEquals(ErrorCode.BAD_REQUEST, e.code());
    }

    @Test
    void acceptsPathWithProperSurrogatePair() throws ProtocolException {
        Request r = CODEC.decodeRequest(utf8("{\"op\":\"get\",\"path\":\"\\ud83d\\ude00.txt\",\"offset\":0}"));
        assertEquals(new Request.Get("\uD83D\uDE00.txt", 0), r);
    }

    @Test
    void refusalEchoingALongEmojiFieldNameStillEncodesAsAnErrorMessage() throws ProtocolException {
        // 'x' first puts a high surrogate exactly at the 64-char cut of the echoed name.
        String field = "x" + "\uD83D\uDE00".repeat(40);
        ProtocolException e = refusedRequest(utf8("{\"op\":\"get\",\"path\":\"a\",\"" + field + "\":1}"));
        byte[] frame = CODEC.encode(new Response.Error(e.code(), e.getMessage()));
        Response back = CODEC.decodeResponse(frame, Response.PutDone.class);
        assertInstanceOf(Response.Error.class, back);
    }

    @Test
    void messagesCannotBeBuiltWithMissingFields() {
        assertThrows(NullPointerException.class, () -> new Response.HelloOk(1, null));
        assertThrows(NullPointerException.class, () -> new Response.GetOk(null, 1, MD5, 0));
        assertThrows(IllegalArgumentException.class, () -> new Request.Get("", 0));
        assertThrows(IllegalArgumentException.class, () -> new Request.Hello(-1));
    }

    // ================================================================ exact bytes

    @Test
    void helloRequestEncodesToExactlyTheseBytes() {
        assertEquals("{\"op\":\"hello\",\"version\":1}", json(CODEC.encode(new Request.Hello(1))));
        assertEquals(26, CODEC.encode(new Request.Hello(1)).length);
    }

    @Test
    void getRequestEncodesFieldsInOrderOpPathOffset() {
        assertEquals(
                "{\"op\":\"get\",\"path\":\"dir/a.txt\",\"offset\":0}",
                json(CODEC.encode(new Request.Get("dir/a.txt", 0))));
    }

    @Test
    void getRequestWithIfMd5EncodesIfMd5Last() {
        assertEquals(
                "{\"op\":\"get\",\"path\":\"dir/a.txt\",\"offset\":3,\"if_md5\":\"" + HELLO_MD5 + "\"}",
                json(CODEC.encode(new Request.Get("dir/a.txt", 3, MD5))));
    }

    @Test
    void getRequestWritesLargeOffsetAsPlainInteger() {
        assertEquals(
                "{\"op\":\"get\",\"path\":\"f\",\"offset\":9223372036854775807}",
                json(CODEC.encode(new Request.Get("f", Long.MAX_VALUE))));
    }

    @Test
    void putRequestEncodesFieldsInOrderOpPathSizeMd5() {
        assertEquals(
                "{\"op\":\"put\",\"path\":\"dir/big.iso\",\"size\":5000000000,\"md5\":\"" + HELLO_MD5 + "\"}",
                json(CODEC.encode(new Request.Put("dir/big.iso", 5_000_000_000L, MD5))));
    }

    @Test
    void eagerPutRoundTripsAndIsRefusedOverItsLimit() throws Exception {
        Request.Put eager = new Request.Put("d/s.txt", Protocol.MAX_EAGER_PUT_BYTES, MD5, true);
        assertEquals(
                "{\"op\":\"put\",\"path\":\"d/s.txt\",\"size\":65536,\"md5\":\"" + HELLO_MD5 + "\",\"eager\":true}",
                json(CODEC.encode(eager)));
        assertEquals(eager, CODEC.decodeRequest(CODEC.encode(eager)));
        assertEquals(
                new Request.Put("d/s.txt", 1, MD5),
                CODEC.decodeRequest(utf8("{\"op\":\"put\",\"path\":\"d/s.txt\",\"size\":1,\"md5\":\"" + HELLO_MD5
                        + "\",\"eager\":false}")));
        assertThrows(
                ProtocolException.class,
                () -> CODEC.decodeRequest(utf8("{\"op\":\"put\",\"path\":\"d\",\"size\":"
                        + (Protocol.MAX_EAGER_PUT_BYTES + 1) + ",\"md5\":\"" + HELLO_MD5 + "\",\"eager\":true}")));
        assertThrows(
                ProtocolException.class,
                () -> CODEC.decodeRequest(utf8(
                        "{\"op\":\"put\",\"path\":\"d\",\"size\":1," + "\"md5\":\"" + HELLO_MD5 + "\",\"eager\":1}")));
        assertThrows(
                IllegalArgumentException.class,
                () -> new Request.Put("d", Protocol.MAX_EAGER_PUT_BYTES + 1, MD5, true));
    }

    @Test
    void helloLimitsSayEagerPutOnlyWhenTheServerTakesIt() throws Exception {
        Response.HelloOk with = new Response.HelloOk(1, "ft", new Response.Limits(10, 5, false, true));
        assertEquals(
                "{\"status\":\"ok\",\"version\":1,\"server\":\"ft\",\"limits\":{\"max_file_size\":10,"
                        + "\"free_space\":5,\"read_only\":false,\"eager_put\":true}}",
                json(CODEC.encode(with)));
        assertEquals(with, CODEC.decodeResponse(CODEC.encode(with), Response.HelloOk.class));
        Response.HelloOk older = new Response.HelloOk(1, "ft", new Response.Limits(10, 5, false));
        assertEquals(older, CODEC.decodeResponse(CODEC.encode(older), Response.HelloOk.class));
        assertEquals(
                false,
                ((Response.HelloOk) CODEC.decodeResponse(CODEC.encode(older), Response.HelloOk.class))
                        .limits()
                        .eagerPut());
    }

    @Test
    void getAndStatCarryKeepaliveOnlyWhenAsked() throws Exception {
        Request.Get get = new Request.Get("a/b", 7, MD5, 10_000);
        assertEquals(
                "{\"op\":\"get\",\"path\":\"a/b\",\"offset\":7,\"if_md5\":\"" + HELLO_MD5
                        + "\",\"keepalive_ms\":10000}",
                json(CODEC.encode(get)));
        assertEquals(get, CODEC.decodeRequest(CODEC.encode(get)));
        assertEquals("{\"op\":\"get\",\"path\":\"a\",\"offset\":0}", json(CODEC.encode(new Request.Get("a", 0))));
        Request.Stat stat = new Request.Stat("a", Protocol.MIN_KEEPALIVE_MS);
        assertEquals("{\"op\":\"stat\",\"path\":\"a\",\"keepalive_ms\":100}", json(CODEC.encode(stat)));
        assertEquals(stat, CODEC.decodeRequest(CODEC.encode(stat)));
        assertEquals("{\"op\":\"stat\",\"path\":\"a\"}", json(CODEC.encode(new Request.Stat("a"))));
    }

    @Test
    void keepaliveOutsideItsBoundsIsRefused() {
        for (String ms : new String[] {"0", "99", "3600001", "-1", "1.5", "\"100\"", "null"}) {
            refusedRequest(utf8("{\"op\":\"get\",\"path\":\"a\",\"keepalive_ms\":" + ms + "}"));
            refusedRequest(utf8("{\"op\":\"stat\",\"path\":\"a\",\"keepalive_ms\":" + ms + "}"));
        }
        assertThrows(IllegalArgumentException.class, () -> new Request.Get("a", 0, null, 99));
        assertThrows(IllegalArgumentException.class, () -> new Request.Stat("a", Protocol.MAX_KEEPALIVE_MS + 1));
    }

    @Test
    void putAndGetCarryModificationTimeAndOptionallyMode() throws Exception {
        Request.Put put = new Request.Put("a", 5, MD5, false, new FileAttributes(-1_000L, 0755));
        assertEquals(
                "{\"op\":\"put\",\"path\":\"a\",\"size\":5,\"md5\":\"" + HELLO_MD5 + "\",\"mtime\":-1000,\"mode\":493}",
                json(CODEC.encode(put)));
        assertEquals(put, CODEC.decodeRequest(CODEC.encode(put)));
        Response.GetOk get = new Response.GetOk("a", 5, MD5, 0, new FileAttributes(1_767_225_600_000L, 0644));
        assertEquals(
                "{\"status\":\"ok\",\"name\":\"a\",\"size\":5,\"md5\":\"" + HELLO_MD5
                        + "\",\"offset\":0,\"mtime\":1767225600000,\"mode\":420}",
                json(CODEC.encode(get)));
        assertEquals(get, CODEC.decodeResponse(CODEC.encode(get), Response.GetOk.class));
        assertEquals(
                null,
                ((Response.GetOk) CODEC.decodeResponse(
                                CODEC.encode(new Response.GetOk("a", 5, MD5, 0)), Response.GetOk.class))
                        .attributes());
        String put5 = "{\"op\":\"put\",\"path\":\"a\",\"size\":5,\"md5\":\"" + HELLO_MD5 + "\"";
        assertEquals(
                new Request.Put("a", 5, MD5, false, FileAttributes.mtime(1)),
                CODEC.decodeRequest(utf8(put5 + ",\"mtime\":1}")));
        refusedRequest(utf8(put5 + ",\"mode\":420}"));
        refusedRequest(utf8(put5 + ",\"mtime\":1,\"mode\":512}"));
        refusedRequest(utf8(put5 + ",\"mtime\":1,\"mode\":-1}"));
        refusedRequest(utf8(put5 + ",\"mtime\":\"1\",\"mode\":420}"));
        refusedResponse(
                "{\"status\":\"ok\",\"name\":\"a\",\"size\":5,\"md5\":\"" + HELLO_MD5
                        + "\",\"offset\":0,\"mtime\":1,\"mode\":4096}",
                Response.GetOk.class);
        assertThrows(IllegalArgumentException.class, () -> new FileAttributes(0, 04755));
    }

    @Test
    void helloLimitsSayPreserveOnlyWhenTheServerAppliesAttributes() throws Exception {
        Response.HelloOk with = new Response.HelloOk(1, "ft", new Response.Limits(10, 5, false, true, true, true));
        assertEquals(
                "{\"status\":\"ok\",\"version\":1,\"server\":\"ft\",\"limits\":{\"max_file_size\":10,"
                        + "\"free_space\":5,\"read_only\":false,\"eager_put\":true,\"keepalive\":true,\"preserve\":true}}",
                json(CODEC.encode(with)));
        assertEquals(with, CODEC.decodeResponse(CODEC.encode(with), Response.HelloOk.class));
        Response.HelloOk older = new Response.HelloOk(1, "ft", new Response.Limits(10, 5, false, true, true));
        assertEquals(
                false,
                ((Response.HelloOk) CODEC.decodeResponse(CODEC.encode(older), Response.HelloOk.class))
                        .limits()
                        .preserve());
    }

    @Test
    void waitFramesDecodeWhateverAnswerWasExpected() throws Exception {
        Response.Wait wait = new Response.Wait(5, 9);
        assertEquals("{\"status\":\"wait\",\"done\":5,\"total\":9}", json(CODEC.encode(wait)));
        assertEquals(wait, CODEC.decodeResponse(CODEC.encode(wait), Response.GetOk.class));
        assertEquals(wait, CODEC.decodeResponse(CODEC.encode(wait), Response.StatOk.class));
        refusedResponse("{\"status\":\"wait\",\"done\":10,\"total\":9}", Response.GetOk.class);
        refusedResponse("{\"status\":\"wait\",\"done\":1}", Response.GetOk.class);
        refusedResponse("{\"status\":\"wait\",\"done\":-1,\"total\":9}", Response.GetOk.class);
    }

    @Test
    void helloLimitsSayKeepaliveOnlyWhenTheServerHonoursIt() throws Exception {
        Response.HelloOk with = new Response.HelloOk(1, "ft", new Response.Limits(10, 5, false, true, true));
        assertEquals(
                "{\"status\":\"ok\",\"version\":1,\"server\":\"ft\",\"limits\":{\"max_file_size\":10,"
                        + "\"free_space\":5,\"read_only\":false,\"eager_put\":true,\"keepalive\":true}}",
                json(CODEC.encode(with)));
        assertEquals(with, CODEC.decodeResponse(CODEC.encode(with), Response.HelloOk.class));
        Response.HelloOk older = new Response.HelloOk(1, "ft", new Response.Limits(10, 5, false, true));
        assertEquals(
                false,
                ((Response.HelloOk) CODEC.decodeResponse(CODEC.encode(older), Response.HelloOk.class))
                        .limits()
                        .keepalive());
    }

    @Test
    void responsesEncodeToExactlyTheseBytes() {
        assertEquals(
                "{\"status\":\"ok\",\"version\":1,\"server\":\"ft/0.1.0\"}",
                json(CODEC.encode(new Response.HelloOk(1, "ft/0.1.0"))));
        assertEquals(
                "{\"status\":\"ok\",\"name\":\"hello.txt\",\"size\":5,\"md5\":\"" + HELLO_MD5 + "\",\"offset\":0}",
                json(CODEC.encode(new Response.GetOk("hello.txt", 5, MD5, 0))));
        assertEquals("{\"status\":\"ok\",\"offset\":0}", json(CODEC.encode(new Response.PutReady(0))));
        assertEquals(
                "{\"status\":\"ok\",\"md5\":\"" + HELLO_MD5 + "\"}", json(CODEC.encode(new Response.PutDone(MD5))));
        assertEquals(
                "{\"status\":\"error\",\"code\":\"NOT_FOUND\",\"message\":\"no such file\"}",
                json(CODEC.encode(new Response.Error(ErrorCode.NOT_FOUND, "no such file"))));
    }

    // ================================================================ accepted edge cases

    @Test
    void getWithoutOffsetMeansOffsetZeroAndNoCondition() throws Exception {
        assertEquals(new Request.Get("a", 0, null), CODEC.decodeRequest(utf8("{\"op\":\"get\",\"path\":\"a\"}")));
    }

    @Test
    void fieldsMayComeInAnyOrder() throws Exception {
        assertEquals(
                new Request.Put("p", 7, MD5),
                CODEC.decodeRequest(utf8("{\"md5\":\"" + HELLO_MD5 + "\",\"size\":7,\"path\":\"p\",\"op\":\"put\"}")));
    }

    @Test
    void whitespaceAroundTokensIsAllowed() throws Exception {
        assertEquals(
                new Request.Hello(1),
                CODEC.decodeRequest(utf8(" \r\n\t{ \"op\" : \"hello\" ,\n \"version\" : 1 }\n ")));
    }

    @Test
    void pathOfExactly4096BytesIsAccepted() throws Exception {
        String path = "é".repeat(2048); // 2048 chars, 4096 UTF-8 bytes
        assertEquals(new Request.Get(path, 0), CODEC.decodeRequest(utf8("{\"op\":\"get\",\"path\":\"" + path + "\"}")));
    }

    @Test
    void offsetLongMaxValueIsAccepted() throws Exception {
        assertEquals(
                new Request.Get("a", Long.MAX_VALUE),
                CODEC.decodeRequest(utf8("{\"op\":\"get\",\"path\":\"a\",\"offset\":9223372036854775807}")));
    }

    @Test
    void escapedCharactersInStringsAreDecoded() throws Exception {
        assertEquals(
                new Request.Get("a/\"b\"/é", 0),
                CODEC.decodeRequest(utf8("{\"op\":\"get\",\"path\":\"a\\/\\\"b\\\"/\\u00e9\"}")));
    }

    // ================================================================ strict request decoding

    private static final String PUT_PREFIX = "{\"op\":\"put\",\"path\":\"a\",\"md5\":\"" + HELLO_MD5 + "\",";

    static Stream<Arguments> malformedRequests() {
        return Stream.of(
                Arguments.of("duplicate key version", "{\"op\":\"hello\",\"version\":1,\"version\":1}"),
                Arguments.of("duplicate key op", "{\"op\":\"get\",\"op\":\"get\",\"path\":\"a\"}"),
                Arguments.of(
                        "duplicate key with different values",
                        "{\"op\":\"get\",\"path\":\"a\",\"offset\":0,\"offset\":5}"),
                Arguments.of("size as string \"12\"", PUT_PREFIX + "\"size\":\"12\"}"),
                Arguments.of("size as 1.5", PUT_PREFIX + "\"size\":1.5}"),
                Arguments.of("size as 1e3", PUT_PREFIX + "\"size\":1e3}"),
                Arguments.of("size as 12.0", PUT_PREFIX + "\"size\":12.0}"),
                Arguments.of("size as true", PUT_PREFIX + "\"size\":true}"),
                Arguments.of("size negative", PUT_PREFIX + "\"size\":-1}"),
                Arguments.of("size missing", "{\"op\":\"put\",\"path\":\"a\",\"md5\":\"" + HELLO_MD5 + "\"}"),
                Arguments.of("size null", PUT_PREFIX + "\"size\":null}"),
                Arguments.of("negative offset", "{\"op\":\"get\",\"path\":\"a\",\"offset\":-1}"),
                Arguments.of(
                        "offset 99999999999999999999 beyond long",
                        "{\"op\":\"get\",\"path\":\"a\",\"offset\":99999999999999999999}"),
                Arguments.of(
                        "offset Long.MAX_VALUE + 1", "{\"op\":\"get\",\"path\":\"a\",\"offset\":9223372036854775808}"),
                Arguments.of(
                        "offset with 41 digits", "{\"op\":\"get\",\"path\":\"a\",\"offset\":" + "1".repeat(41) + "}"),
                Arguments.of("offset with leading zero", "{\"op\":\"get\",\"path\":\"a\",\"offset\":01}"),
                Arguments.of("offset with plus sign", "{\"op\":\"get\",\"path\":\"a\",\"offset\":+1}"),
                Arguments.of("offset NaN", "{\"op\":\"get\",\"path\":\"a\",\"offset\":NaN}"),
                Arguments.of("offset null", "{\"op\":\"get\",\"path\":\"a\",\"offset\":null}"),
                Arguments.of("unknown op", "{\"op\":\"delete\",\"path\":\"a\"}"),
                Arguments.of("op in wrong case", "{\"op\":\"GET\",\"path\":\"a\"}"),
                Arguments.of("op missing", "{\"path\":\"a\"}"),
                Arguments.of("op as number", "{\"op\":1,\"path\":\"a\"}"),
                Arguments.of("op null", "{\"op\":null,\"path\":\"a\"}"),
                Arguments.of("unknown field ofset in get", "{\"op\":\"get\",\"path\":\"a\",\"ofset\":5}"),
                Arguments.of("unknown field in hello", "{\"op\":\"hello\",\"version\":1,\"client\":\"x\"}"),
                Arguments.of("put field offset in get's place", PUT_PREFIX + "\"size\":1,\"offset\":0}"),
                Arguments.of("missing path", "{\"op\":\"get\",\"offset\":0}"),
                Arguments.of("empty path", "{\"op\":\"get\",\"path\":\"\"}"),
                Arguments.of("path null", "{\"op\":\"get\",\"path\":null}"),
                Arguments.of("path as number", "{\"op\":\"get\",\"path\":1}"),
                Arguments.of("path as array", "{\"op\":\"get\",\"path\":[\"a\"]}"),
                Arguments.of("path of 4097 ASCII bytes", "{\"op\":\"get\",\"path\":\"" + "p".repeat(4097) + "\"}"),
                Arguments.of(
                        "path of 2049 chars but 4098 UTF-8 bytes",
                        "{\"op\":\"get\",\"path\":\"" + "é".repeat(2049) + "\"}"),
                Arguments.of(
                        "non-hex md5", "{\"op\":\"put\",\"path\":\"a\",\"size\":1,\"md5\":\"" + "g".repeat(32) + "\"}"),
                Arguments.of(
                        "md5 of 31 chars",
                        "{\"op\":\"put\",\"path\":\"a\",\"size\":1,\"md5\":\"" + HELLO_MD5.substring(1) + "\"}"),
                Arguments.of(
                        "md5 of 33 chars", "{\"op\":\"put\",\"path\":\"a\",\"size\":1,\"md5\":\"" + HELLO_MD5 + "0\"}"),
                Arguments.of("md5 missing", "{\"op\":\"put\",\"path\":\"a\",\"size\":1}"),
                Arguments.of("md5 as number", "{\"op\":\"put\",\"path\":\"a\",\"size\":1,\"md5\":5}"),
                Arguments.of("if_md5 non-hex", "{\"op\":\"get\",\"path\":\"a\",\"if_md5\":\"" + "z".repeat(32) + "\"}"),
                Arguments.of("if_md5 null", "{\"op\":\"get\",\"path\":\"a\",\"if_md5\":null}"),
                Arguments.of("version as string", "{\"op\":\"hello\",\"version\":\"1\"}"),
                Arguments.of("version 1.0", "{\"op\":\"hello\",\"version\":1.0}"),
                Arguments.of("version negative", "{\"op\":\"hello\",\"version\":-1}"),
                Arguments.of("version beyond int", "{\"op\":\"hello\",\"version\":2147483648}"),
                Arguments.of("version missing", "{\"op\":\"hello\"}"),
                Arguments.of(
                        "nesting of 5 levels", "{\"op\":\"hello\",\"version\":1,\"x\":{\"a\":{\"b\":{\"c\":{}}}}}"),
                Arguments.of(
                        "nesting of 100 levels",
                        "{\"op\":\"hello\",\"version\":1,\"x\":" + "[".repeat(100) + "]".repeat(100) + "}"),
                Arguments.of("array instead of object", "[{\"op\":\"hello\",\"version\":1}]"),
                Arguments.of("trailing garbage", "{\"op\":\"hello\",\"version\":1}x"),
                Arguments.of("trailing comma", "{\"op\":\"hello\",\"version\":1},"),
                Arguments.of("trailing close brace", "{\"op\":\"hello\",\"version\":1}}"),
                Arguments.of("comma before close", "{\"op\":\"hello\",\"version\":1,}"),
                Arguments.of("two objects", "{\"op\":\"hello\",\"version\":1}{\"op\":\"hello\",\"version\":1}"),
                Arguments.of("unterminated object", "{\"op\":\"hello\",\"version\":1"),
                Arguments.of("unterminated string", "{\"op\":\"hello"),
                Arguments.of("single quotes", "{'op':'hello','version':1}"),
                Arguments.of("comment", "{\"op\":\"hello\",\"version\":1 /* hi */}"),
                Arguments.of("unquoted key", "{op:\"hello\",\"version\":1}"),
                Arguments.of("raw control character in string", "{\"op\":\"get\",\"path\":\"a\tb\"}"),
                Arguments.of("byte-order mark", "\uFEFF{\"op\":\"hello\",\"version\":1}"),
                Arguments.of(
                        "60 KB string in an unknown field",
                        "{\"op\":\"hello\",\"version\":1,\"pad\":\"" + "a".repeat(60_000) + "\"}"),
                Arguments.of("60 KB field name", "{\"op\":\"hello\",\"version\":1,\"" + "a".repeat(60_000) + "\":1}"),
                Arguments.of("null", "null"),
                Arguments.of("bare number", "1"),
                Arguments.of("bare string", "\"hello\""),
                Arguments.of("bare true", "true"),
                Arguments.of("empty object", "{}"),
                Arguments.of("empty input", ""),
                Arguments.of("only whitespace", "  \n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedRequests")
    void malformedRequestIsRefusedWithBadRequest(String description, String frame) {
        assertEquals(ErrorCode.BAD_REQUEST, refusedRequest(utf8(frame)).code());
    }

    static Stream<Arguments> invalidUtf8() {
        return Stream.of(
                Arguments.of("C3 28: lead byte without continuation", new byte[] {(byte) 0xC3, 0x28}),
                Arguments.of("C0 AF: overlong '/'", new byte[] {(byte) 0xC0, (byte) 0xAF}),
                Arguments.of("E0 80 AF: overlong '/' in 3 bytes", new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0xAF}),
                Arguments.of("ED A0 80: encoded surrogate", new byte[] {(byte) 0xED, (byte) 0xA0, (byte) 0x80}),
                Arguments.of(
                        "F4 90 80 80: beyond U+10FFFF",
                        new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80}),
                Arguments.of("FF: never valid", new byte[] {(byte) 0xFF}),
                Arguments.of("80: lone continuation", new byte[] {(byte) 0x80}),
                Arguments.of("E2 82: sequence cut short", new byte[] {(byte) 0xE2, (byte) 0x82}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidUtf8")
    void invalidUtf8InsideAStringIsRefusedWithBadRequest(String description, byte[] bad) {
        byte[] frame = Frames.concat(utf8("{\"op\":\"get\",\"path\":\"a"), bad, utf8("b\"}"));
        assertEquals(ErrorCode.BAD_REQUEST, refusedRequest(frame).code());
        assertEquals(
                ErrorCode.BAD_REQUEST,
                assertThrows(ProtocolException.class, () -> CODEC.decodeResponse(frame, Response.GetOk.class))
                        .code());
    }

    @Test
    void invalidUtf8OutsideStringsIsRefusedWithBadRequest() {
        byte[] frame = Frames.concat(utf8("{\"op\":\"hello\",\"version\":1}"), new byte[] {(byte) 0xC0, (byte) 0xAF});
        assertEquals(ErrorCode.BAD_REQUEST, refusedRequest(frame).code());
    }

    @Test
    void invalidUtf8IsRefusedEvenInAnOtherwiseIgnoredResponseField() {
        byte[] frame = Frames.concat(
                utf8("{\"status\":\"ok\",\"offset\":0,\"note\":\""), new byte[] {(byte) 0xC3, 0x28}, utf8("\"}"));
        assertEquals(
                ErrorCode.BAD_REQUEST,
                assertThrows(ProtocolException.class, () -> CODEC.decodeResponse(frame, Response.PutReady.class))
                        .code());
    }

    // ================================================================ responses

    @Nested
    class Responses {
        @ParameterizedTest
        @EnumSource(ErrorCode.class)
        void errorFrameDecodesToErrorWithItsCodeWhateverWasExpected(ErrorCode code) throws Exception {
            String frame = "{\"status\":\"error\",\"code\":\"" + code.name() + "\",\"message\":\"why\"}";
            for (Class<? extends Response> expected : RESPONSE_TYPES) {
                assertEquals(
                        new Response.Error(code, "why"),
                        CODEC.decodeResponse(utf8(frame), expected),
                        "expecting " + expected.getSimpleName());
            }
        }

        @ParameterizedTest
        @ValueSource(strings = {"NO_SUCH_CODE", "not_found", "", "QUOTA_EXCEEDED"})
        void unknownErrorCodeIsTreatedAsInternal(String code) throws Exception {
            Response r = CODEC.decodeResponse(
                    utf8("{\"status\":\"error\",\"code\":\"" + code + "\",\"message\":\"m\"}"), Response.GetOk.class);
            assertEquals(new Response.Error(ErrorCode.INTERNAL, "m"), r);
        }

        @Test
        void errorWithoutMessageHasEmptyMessage() throws Exception {
            assertEquals(
                    new Response.Error(ErrorCode.BUSY, ""),
                    CODEC.decodeResponse(utf8("{\"status\":\"error\",\"code\":\"BUSY\"}"), Response.PutReady.class));
        }

        @Test
        void errorMayCarryUnknownFields() throws Exception {
            assertEquals(
                    new Response.Error(ErrorCode.NO_SPACE, "full"),
                    CODEC.decodeResponse(
                            utf8("{\"status\":\"error\",\"code\":\"NO_SPACE\",\"message\":\"full\",\"free\":12}"),
                            Response.PutReady.class));
        }

        @Test
        void errorWithoutCodeIsRefused() {
            assertEquals(
                    ErrorCode.BAD_REQUEST,
                    refusedResponse("{\"status\":\"error\",\"message\":\"m\"}", Response.GetOk.class)
                            .code());
        }

        @Test
        void errorWithNonStringCodeIsRefused() {
            assertEquals(
                    ErrorCode.BAD_REQUEST,
                    refusedResponse("{\"status\":\"error\",\"code\":404}", Response.GetOk.class)
                            .code());
        }

        @Test
        void unknownExtraFieldsInOkResponsesAreIgnored() throws Exception {
            String extra = ",\"future\":{\"limits\":[1,2,3]},\"note\":\"x\",\"n\":1.5,\"b\":true,\"z\":null}";
            assertEquals(
                    new Response.HelloOk(1, "ft/9"),
                    CODEC.decodeResponse(
                            utf8("{\"status\":\"ok\",\"version\":1,\"server\":\"ft/9\"" + extra),
                            Response.HelloOk.class));
            assertEquals(
                    new Response.GetOk("a", 5, MD5, 2),
                    CODEC.decodeResponse(
                            utf8("{\"status\":\"ok\",\"name\":\"a\",\"size\":5,\"md5\":\"" + HELLO_MD5
                                    + "\",\"offset\":2" + extra),
                            Response.GetOk.class));
            assertEquals(
                    new Response.PutReady(3),
                    CODEC.decodeResponse(utf8("{\"status\":\"ok\",\"offset\":3" + extra), Response.PutReady.class));
            assertEquals(
                    new Response.PutDone(MD5),
                    CODEC.decodeResponse(
                            utf8("{\"status\":\"ok\",\"md5\":\"" + HELLO_MD5 + "\"" + extra), Response.PutDone.class));
        }

        @Test
        void unknownFieldNestedToTheDepthLimitOfFourIsIgnored() throws Exception {
            assertEquals(
                    new Response.PutReady(1),
                    CODEC.decodeResponse(
                            utf8("{\"status\":\"ok\",\"offset\":1,\"x\":{\"a\":{\"b\":{}}}}"),
                            Response.PutReady.class));
        }

        @Test
        void unknownFieldNestedFiveLevelsDeepIsRefused() {
            assertEquals(
                    ErrorCode.BAD_REQUEST,
                    refusedResponse(
                                    "{\"status\":\"ok\",\"offset\":1,\"x\":{\"a\":{\"b\":{\"c\":{}}}}}",
                                    Response.PutReady.class)
                            .code());
            assertEquals(
                    ErrorCode.BAD_REQUEST,
                    refusedResponse("{\"status\":\"ok\",\"offset\":1,\"x\":[[[[1]]]]}", Response.PutReady.class)
                            .code());
        }

        @Test
        void unknownField60KbStringInAResponseIsIgnored() throws Exception {
            assertEquals(
                    new Response.PutReady(1),
                    CODEC.decodeResponse(
                            utf8("{\"status\":\"ok\",\"offset\":1,\"pad\":\"" + "a".repeat(60_000) + "\"}"),
                            Response.PutReady.class));
        }

        @Test
        void getOkWithOffsetBeyondSizeIsRefused() {
            assertEquals(
                    ErrorCode.BAD_REQUEST,
                    refusedResponse(
                                    "{\"status\":\"ok\",\"name\":\"a\",\"size\":5,\"md5\":\"" + HELLO_MD5
                                            + "\",\"offset\":6}",
                                    Response.GetOk.class)
                            .code());
        }

        @Test
        void getOkWithoutOffsetIsRefused() {
            assertEquals(
                    ErrorCode.BAD_REQUEST,
                    refusedResponse(
                                    "{\"status\":\"ok\",\"name\":\"a\",\"size\":5,\"md5\":\"" + HELLO_MD5 + "\"}",
                                    Response.GetOk.class)
                            .code());
        }

        @Test
        void getOkWithSizeAsStringIsRefused() {
            assertEquals(
                    ErrorCode.BAD_REQUEST,
                    refusedResponse(
                                    "{\"status\":\"ok\",\"name\":\"a\",\"size\":\"5\",\"md5\":\"" + HELLO_MD5
                                            + "\",\"offset\":0}",
                                    Response.GetOk.class)
                            .code());
        }

        @Test
        void getOkWithoutNameIsRefused() {
            assertEquals(
                    ErrorCode.BAD_REQUEST,
                    refusedResponse(
                                    "{\"status\":\"ok\",\"size\":5,\"md5\":\"" + HELLO_MD5 + "\",\"offset\":0}",
                                    Response.GetOk.class)
                            .code());
        }

        @Test
        void putDoneWithBadMd5IsRefused() {
            assertEquals(
                    ErrorCode.BAD_REQUEST,
                    refusedResponse("{\"status\":\"ok\",\"md5\":\"abc\"}", Response.PutDone.class)
                            .code());
        }

        @Test
        void putReadyWithNegativeOffsetIsRefused() {
            assertEquals(
                    ErrorCode.BAD_REQUEST,
                    refusedResponse("{\"status\":\"ok\",\"offset\":-5}", Response.PutReady.class)
                            .code());
        }

        @Test
        void helloOkWithoutServerHasEmptyServer() throws Exception {
            assertEquals(
                    new Response.HelloOk(1, ""),
                    CODEC.decodeResponse(utf8("{\"status\":\"ok\",\"version\":1}"), Response.HelloOk.class));
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "{\"status\":\"OK\",\"offset\":0}",
                    "{\"status\":\"maybe\",\"offset\":0}",
                    "{\"status\":\"\",\"offset\":0}",
                    "{\"status\":1,\"offset\":0}",
                    "{\"status\":null,\"offset\":0}",
                    "{\"offset\":0}"
                })
        void unknownOrMissingStatusIsRefused(String frame) {
            assertEquals(
                    ErrorCode.BAD_REQUEST,
                    refusedResponse(frame, Response.PutReady.class).code());
        }

        @Test
        void duplicateKeysInResponseAreRefused() {
            assertEquals(
                    ErrorCode.BAD_REQUEST,
                    refusedResponse("{\"status\":\"ok\",\"offset\":0,\"offset\":9}", Response.PutReady.class)
                            .code());
        }

        @Test
        void trailingGarbageAfterResponseIsRefused() {
            assertEquals(
                    ErrorCode.BAD_REQUEST,
                    refusedResponse("{\"status\":\"ok\",\"offset\":0} 1", Response.PutReady.class)
                            .code());
        }

        @Test
        void responseThatIsNotAnObjectIsRefused() {
            assertEquals(
                    ErrorCode.BAD_REQUEST,
                    refusedResponse("[\"ok\"]", Response.PutReady.class).code());
            assertEquals(
                    ErrorCode.BAD_REQUEST,
                    refusedResponse("null", Response.PutReady.class).code());
        }
    }

    // ================================================================ error codes

    @ParameterizedTest
    @EnumSource(ErrorCode.class)
    void everyErrorCodeParsesFromItsOwnWireName(ErrorCode code) {
        assertEquals(code, ErrorCode.fromWire(code.name()));
    }

    @Test
    void errorCodeFromWireMapsUnknownAndNullToInternal() {
        assertEquals(ErrorCode.INTERNAL, ErrorCode.fromWire("SOMETHING_NEW"));
        assertEquals(ErrorCode.INTERNAL, ErrorCode.fromWire(null));
    }

    @Test
    void decodedRequestIsOfTheRecordTypeItsOpNames() throws Exception {
        assertInstanceOf(Request.Hello.class, CODEC.decodeRequest(utf8("{\"op\":\"hello\",\"version\":1}")));
        assertInstanceOf(Request.Get.class, CODEC.decodeRequest(utf8("{\"op\":\"get\",\"path\":\"a\"}")));
        assertInstanceOf(
                Request.Put.class,
                CODEC.decodeRequest(utf8("{\"op\":\"put\",\"path\":\"a\",\"size\":0,\"md5\":\"" + HELLO_MD5 + "\"}")));
    }
}
